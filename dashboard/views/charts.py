"""Server-side inline SVG charts. Every chart is drawn from a list of (label, value) points and
is always shown together with a <table> of the same numbers (see `_chart.html`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: float  # 0..1
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0

    @property
    def percent(self) -> int:
        return round(self.value * 100)


@dataclass
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    plot_top: int
    plot_bottom: int
    gridlines: list[tuple[float, int]]  # (y, percent)


def bar_chart(points: list[tuple[str, float]], *, height: int = 160) -> BarChart:
    """Vertical bars of shares (0..1), e.g. weekly check-in completion."""
    n = max(len(points), 1)
    slot = 36
    left, top, bottom = 34, 10, 24
    width = left + slot * n + 6
    plot_h = height - top - bottom
    bars = []
    for i, (label, value) in enumerate(points):
        value = max(0.0, min(1.0, float(value or 0)))
        h = plot_h * value
        bars.append(
            Bar(
                label=label,
                value=value,
                x=left + i * slot + 6,
                y=top + plot_h - h,
                width=slot - 12,
                height=h,
            )
        )
    grid = [(top + plot_h * (1 - p / 100), p) for p in (0, 50, 100)]
    return BarChart(bars, width, height, top, top + plot_h, grid)


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
