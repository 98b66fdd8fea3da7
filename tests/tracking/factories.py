"""Tracking test data, built through the goals and tracking services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from goals.models import Cycle, Goal
from goals.services import create_goal
from tracking import services


def make_cycle(
    *, starts_on=dt.date(2026, 11, 2), ends_on=dt.date(2026, 11, 30), state="active"
) -> Cycle:
    return Cycle.objects.create(
        name=f"Cycle {starts_on:%Y-%m}",
        kind="month",
        starts_on=starts_on,
        ends_on=ends_on,
        state=state,
    )


def person_goal(person, cycle, *, names=("New customers",), target=30, parent=None) -> Goal:
    """A person's goal with one increasing key result (0 → target) per name."""
    return create_goal(
        actor=person,
        cycle=cycle,
        starts_on=cycle.starts_on,
        title=f"{person.display_name}'s goal",
        level=Goal.Level.PERSON,
        owner_person=person,
        parent=parent,
        key_results=[
            {"name": name, "target_value": Decimal(target), "start_value": Decimal(0)}
            for name in names
        ],
    )


def unit_goal(unit, cycle, *, parent=None, title="Unit goal") -> Goal:
    goal = create_goal(
        actor=None,
        cycle=cycle,
        starts_on=cycle.starts_on,
        title=title,
        level=Goal.Level.UNIT,
        owner_unit=unit,
        parent=parent,
    )
    # Without key results of its own, its progress is its children's.
    return goal


def submitted(person, values, *, week=None, cause="not-enough-leads", fields=None, today=None):
    """Open and submit a check-in with `values` ({key_result: value}); off-track ones get a
    cause and an action."""
    check_in, _created = services.open_check_in(person=person, week=week, today=today)
    updates = [
        {
            "key_result": kr.pk,
            "value": str(value),
            "confidence": "on_track",
            "cause": cause,
            "action": "Call more prospects",
        }
        for kr, value in values.items()
    ]
    return services.submit_check_in(
        actor=person, check_in=check_in, updates=updates, fields=fields, today=today
    )
