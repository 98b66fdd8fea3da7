import json

from django import template

from incentives.explain import percent

register = template.Library()


@register.filter
def as_json(value) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, default=str)


@register.filter
def pct(value) -> str:
    return percent(value)
