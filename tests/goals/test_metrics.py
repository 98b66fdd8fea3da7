"""The row form of the expected pace (used where key results are read as values: the team
dashboard's behind-pace counts, the reminders' team summaries) agrees with the model's."""

import datetime as dt
from decimal import Decimal

import pytest

from goals import metrics
from goals.models import Cycle, Goal, KeyResult

CYCLE = Cycle(name="Q4", starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31))


@pytest.mark.parametrize(
    ("milestones", "direction", "start", "target"),
    [
        ([], KeyResult.Direction.INCREASE, "0", "100"),
        ([{"date": "2026-11-01", "value": "80"}], KeyResult.Direction.INCREASE, "0", "100"),
        ([{"date": "2026-11-15", "value": "30"}], KeyResult.Direction.DECREASE, "50", "10"),
    ],
)
@pytest.mark.parametrize("on", [dt.date(2026, 9, 1), dt.date(2026, 10, 20), dt.date(2026, 12, 2)])
def test_row_form_matches_the_model(milestones, direction, start, target, on):
    kr = KeyResult(
        goal=Goal(cycle=CYCLE),
        start_value=Decimal(start),
        target_value=Decimal(target),
        direction=direction,
        due_on=dt.date(2026, 12, 20),
        milestones=milestones,
    )
    row = metrics.expected_progress(
        on,
        start=CYCLE.starts_on,
        due=kr.due_on,
        milestones=milestones,
        start_value=kr.start_value,
        target_value=kr.target_value,
        direction=direction,
    )
    assert row == pytest.approx(kr.expected_progress(on))
    assert 0.0 <= row <= 1.0


@pytest.mark.parametrize("direction", list(KeyResult.Direction.values))
@pytest.mark.parametrize(
    ("start", "target", "current"),
    [("0", "100", "40"), ("50", "10", "30"), ("10", "10", "12"), ("0", "0", "-1"), ("5", "0", "0")],
)
def test_row_attainment_matches_the_model(direction, start, target, current):
    kr = KeyResult(
        start_value=Decimal(start),
        target_value=Decimal(target),
        current_value=Decimal(current),
        direction=direction,
    )
    values = {"start": start, "target": target, "direction": direction}
    assert metrics.attainment(current, **values) == kr.attainment()
    assert metrics.progress(current, **values) == kr.compute_progress()
