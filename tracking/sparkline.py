"""A tiny inline SVG sparkline, built on the server (no JavaScript library)."""

from __future__ import annotations

from django.utils.html import format_html

WIDTH, HEIGHT, PAD = 96, 24, 2


def sparkline_svg(values: list[float], *, label: str = "") -> str:
    """An SVG polyline of the values (oldest first); empty string for fewer than two."""
    if len(values) < 2:
        return ""
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / (len(values) - 1)
    points = " ".join(
        f"{PAD + i * step:.1f},{HEIGHT - PAD - (v - low) / span * (HEIGHT - 2 * PAD):.1f}"
        for i, v in enumerate(values)
    )
    last_x, last_y = points.rsplit(" ", 1)[-1].split(",")
    return format_html(
        '<svg class="spark" width="{}" height="{}" viewBox="0 0 {} {}" role="img" '
        'aria-label="{}"><polyline fill="none" stroke="currentColor" stroke-width="1.5" '
        'points="{}"/><circle cx="{}" cy="{}" r="2" fill="currentColor"/></svg>',
        WIDTH,
        HEIGHT,
        WIDTH,
        HEIGHT,
        label,
        points,
        last_x,
        last_y,
    )
