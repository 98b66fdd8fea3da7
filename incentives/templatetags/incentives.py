from django import template

from core import humanize
from incentives.explain import percent

register = template.Library()


@register.filter
def pct(value) -> str:
    return percent(value)


@register.filter
def num(value) -> str:
    """A number as the rest of the UI shows it: grouped thousands, no trailing zeros."""
    return humanize.number(value)
