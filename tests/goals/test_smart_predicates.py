"""The SMART FAIL conditions the alignment findings test every goal with (`smart.title_too_short`
...) agree with the checks that word the verdicts."""

import datetime as dt
from decimal import Decimal

import pytest

from goals import smart
from goals.models import Cycle, Goal

QUARTER = Cycle(name="Q", starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31))
YEAR = Cycle(name="Y", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 12, 31))
OTHER = Cycle(name="O", starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2025, 12, 31))

TITLES = ["", "  short  ", "Better", "Win 45 new customers", "提升满意度", "提升", "Improve"]
TARGETS = [[], [Decimal("1")], [Decimal("1"), None], ["", "3"], ["x"], [Decimal("NaN")]]
DUES = [[], [None], [dt.date(2026, 11, 1)], [dt.date(2027, 1, 1)], ["2026-13-01"], ["", None]]


@pytest.mark.parametrize("title", TITLES)
def test_specific(title):
    assert smart.title_too_short(title) == (smart.check_specific(title).status == smart.FAIL)


@pytest.mark.parametrize("targets", TARGETS)
def test_measurable(targets):
    krs = [{"name": "k", "unit": "u", "target_value": t} for t in targets]
    fails = smart.check_measurable(krs).status == smart.FAIL
    assert smart.unmeasurable(targets) == fails


@pytest.mark.parametrize("level", [Goal.Level.COMPANY, Goal.Level.UNIT, Goal.Level.PERSON])
@pytest.mark.parametrize("parent_cycle", [None, YEAR, OTHER])
@pytest.mark.parametrize("cycle", [None, QUARTER])
def test_relevant(level, parent_cycle, cycle):
    parent = Goal(title="P", cycle=parent_cycle) if parent_cycle else None
    fails = smart.check_relevant(level=level, parent=parent, cycle=cycle).status == smart.FAIL
    assert smart.misaligned(level=level, parent=parent, cycle=cycle) == fails


@pytest.mark.parametrize("dues", DUES)
@pytest.mark.parametrize("cycle", [None, QUARTER])
def test_time_bound(dues, cycle):
    krs = [{"name": "k", "due_on": d} for d in dues]
    fails = smart.check_time_bound(krs, cycle=cycle).status == smart.FAIL
    assert smart.due_outside(dues, cycle=cycle) == fails
