"""The heat classes of the manager dashboard's unit × week table (the charts themselves are
drawn by core.charts)."""

from __future__ import annotations


def heat_class(value: float | None) -> str:
    if value is None:
        return ""
    if value < 0.25:
        return "h0"
    if value < 0.5:
        return "h1"
    if value < 0.75:
        return "h2"
    return "h3"
