"""The key-result arithmetic, once: attainment, progress, expected pace, pace status and
expected score, as pure functions of plain values (no database, no clock).

The model (`KeyResult.attainment`, `.expected_progress`, `.status`, `Goal.expected_score`), the
incentive engine, the dashboards and the reminders' team summaries all call these, so a number
computed from a row and the same number computed from a model cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

# Directions of a key result (the values of `KeyResult.Direction`).
INCREASE = "increase"
DECREASE = "decrease"
STAY_ABOVE = "stay_above"
STAY_BELOW = "stay_below"
RANGE = "range"
# Directions whose targets add up, so a cascade can split them.
ADDITIVE = (INCREASE, DECREASE)

# How a rolled-up key result combines its contributors' values.
SUM = "sum"
WEIGHTED_MEAN = "weighted_mean"
MINIMUM = "min"
MAXIMUM = "max"

# Pace statuses (the values of `goals.models.Status`).
ON_TRACK = "on_track"
AT_RISK = "at_risk"
OFF_TRACK = "off_track"

ASPIRATIONAL = "aspirational"


def attainment(current, *, start, target, direction: str, high=None) -> float:
    """Unclamped achievement of a value against a key result's start, target and direction:
    1.0 is the target met, 1.3 is 130 % (over-achievement, which incentives pay for). For a
    range, `target` is the low bound and `high` the high bound."""
    current = Decimal(current)
    start, target = Decimal(start), Decimal(target)
    if direction == RANGE:
        return _range_attainment(
            current, low=target, high=Decimal(target if high is None else high)
        )
    if direction == INCREASE:
        if target == start:
            return 1.0 if current >= target else 0.0
        return float((current - start) / (target - start))
    if direction == DECREASE:
        if target == start:
            return 1.0 if current <= target else 0.0
        return float((start - current) / (start - target))
    if direction == STAY_ABOVE:
        return _stay_above(current, target)
    # stay below: at or under the ceiling is met; above it, the ratio falls
    return _stay_below(current, target)


def _range_attainment(current: Decimal, *, low: Decimal, high: Decimal) -> float:
    """Between the bounds is met (1.0, never more: a range has no over-achievement); below the
    low bound it falls as "stay above" does, above the high bound as "stay below" does."""
    if low <= current <= high:
        return 1.0
    if current < low:
        return _stay_above(current, low)
    return _stay_below(current, high)


def _stay_above(current: Decimal, floor: Decimal) -> float:
    if floor == 0:
        return 1.0 if current >= 0 else 0.0
    return float(current / floor)


def _stay_below(current: Decimal, ceiling: Decimal) -> float:
    if current <= 0:
        return 1.0 if ceiling >= current else 0.0
    return float(ceiling / current) if ceiling > 0 else (1.0 if current <= ceiling else 0.0)


def progress(current, *, start, target, direction: str, high=None) -> float:
    """`attainment` clamped to 0–1: what bars, rollups and pace use."""
    attained = attainment(current, start=start, target=target, direction=direction, high=high)
    return min(1.0, max(0.0, attained))


def expected_share(
    on: dt.date,
    *,
    start: dt.date,
    due: dt.date,
    milestones: Iterable[dict] = (),
    progress_of: Callable[[Decimal], float] | None = None,
) -> float:
    """The share of the way a key result is expected to be at a date: linear from `start` to
    `due`, or piecewise linear through the milestones ({"date", "value"}) when there are any;
    `progress_of(value)` turns a milestone's value into progress."""
    if on <= start:
        return 0.0
    if on >= due:
        return 1.0
    if milestones and progress_of is not None:
        points = [(start, 0.0)]
        for stone in sorted(milestones, key=lambda m: str(m["date"])):
            day = dt.date.fromisoformat(str(stone["date"]))
            points.append((day, progress_of(Decimal(str(stone["value"])))))
        points.append((due, 1.0))
        for (d0, p0), (d1, p1) in zip(points, points[1:], strict=False):
            if d0 <= on <= d1:
                span = (d1 - d0).days or 1
                return p0 + (p1 - p0) * (on - d0).days / span
    return (on - start).days / max((due - start).days, 1)


def expected_progress(
    on: dt.date,
    *,
    start: dt.date,
    due: dt.date,
    milestones,
    start_value,
    target_value,
    direction,
    high=None,
) -> float:
    """`expected_share` for a key result given as plain values (a row or a model). A key result
    to hold (stay above, stay below, range) is expected to hold all along: 1.0 from its start."""
    if direction not in ADDITIVE:
        return 0.0 if on < start else 1.0

    def progress_of(value) -> float:
        return progress(value, start=start_value, target=target_value, direction=direction)

    return expected_share(on, start=start, due=due, milestones=milestones, progress_of=progress_of)


def pace_start(
    cycle_start: dt.date, *, explicit: dt.date | None = None, began: dt.date | None = None
) -> dt.date:
    """Where a goal's expected pace starts: its explicit start date, else the later of the
    cycle's start and the day the goal began (was created)."""
    if explicit is not None:
        return explicit
    return max(cycle_start, began) if began is not None else cycle_start


def aggregate(values: list[tuple[Decimal, Decimal]], how: str) -> Decimal | None:
    """Combine contributors' (value, weight) pairs into a rolled-up value: a sum for counts and
    money, a weighted mean for rates, or the lowest or highest. None when there are none."""
    if not values:
        return None
    if how == SUM:
        return sum((v for v, _w in values), Decimal("0"))
    if how == MINIMUM:
        return min(v for v, _w in values)
    if how == MAXIMUM:
        return max(v for v, _w in values)
    total = sum((w for _v, w in values), Decimal("0"))
    if total <= 0:
        return sum((v for v, _w in values), Decimal("0")) / len(values)
    return sum((v * w for v, w in values), Decimal("0")) / total


def pace_status(actual: float, expected: float, *, on_track_ratio: float, at_risk_ratio: float):
    """On track, at risk or off track: actual progress against the expected pace, with the
    organisation's thresholds (e.g. below 60 % of the expected pace is off track)."""
    if expected <= 0:
        return ON_TRACK
    ratio = actual / expected
    if ratio >= on_track_ratio:
        return ON_TRACK
    if ratio >= at_risk_ratio:
        return AT_RISK
    return OFF_TRACK


def expected_score(commitment: str, *, aspirational_expectation: float) -> float:
    """The score a goal is expected at: 1.0 when committed, the organisation's expectation
    (about 0.7) when aspirational."""
    return aspirational_expectation if commitment == ASPIRATIONAL else 1.0


def weighted_mean(pairs: Iterable[tuple[float, Decimal]]) -> float:
    """Mean of (progress, weight) pairs by weight, in decimal arithmetic; 0.0 when there are
    none or every weight is zero."""
    pairs = list(pairs)
    total = sum((Decimal(w) for _p, w in pairs), Decimal("0"))
    if total <= 0:
        return 0.0
    return float(sum(Decimal(str(p)) * Decimal(w) for p, w in pairs) / total)
