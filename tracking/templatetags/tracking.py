from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def num(value) -> str:
    """A measured value without trailing zeros or exponent: 10.0000 → 10, 2.5000 → 2.5."""
    if value is None or value == "":
        return ""
    try:
        text = format(Decimal(value).normalize(), "f")
    except (ArithmeticError, ValueError, TypeError):
        return str(value)
    return text


@register.filter
def signed(value) -> str:
    """A change with its sign: +3, -2.5."""
    text = num(value)
    return f"+{text}" if text and Decimal(value) > 0 else text


@register.filter
def percent(value) -> str:
    """0.456 → 46 %."""
    if value is None:
        return "—"
    return f"{round(float(value) * 100)} %"


@register.filter
def sub_decimal(value, other):
    """value − other, for week-over-week change."""
    try:
        return Decimal(value) - Decimal(other)
    except (ArithmeticError, ValueError, TypeError):
        return None


@register.filter
def signed_percent(value) -> str:
    """0.07 → +7 %, -0.1 → -10 %."""
    if value is None:
        return "—"
    number = round(float(value) * 100)
    return f"+{number} %" if number > 0 else f"{number} %"
