import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from goals import services
from goals.models import Cycle, Goal
from goals.services import alignment_findings, rollups
from tests.goals.factories import CycleFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The story's users are created with a password; a fast hasher keeps setup quick."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _today():
    """Goal tests run on 2026-11-15, mid Q4 2026."""
    with time_machine.travel(dt.datetime(2026, 11, 15, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def year(db):
    return CycleFactory(
        name="2026",
        kind=Cycle.Kind.YEAR,
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )


@pytest.fixture
def quarter(year):
    return CycleFactory(
        name="2026 Q4",
        kind=Cycle.Kind.QUARTER,
        parent=year,
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 12, 31),
    )


@pytest.fixture
def past_quarter(year):
    return CycleFactory(
        name="2026 Q3",
        kind=Cycle.Kind.QUARTER,
        parent=year,
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
        state=Cycle.State.CLOSED,
    )


def kr(target="45", **extra):
    return {
        "name": "New qualified customers",
        "metric": "new-customers",
        "unit": "customers",
        "target_value": Decimal(target),
        **extra,
    }


@pytest.fixture
def make_goal(company, quarter):
    """make_goal(owner, title=..., parent=..., visibility=..., state=...): a goal through the
    service, optionally moved to a state."""

    def _make(
        owner,
        *,
        title="Win 45 new qualified customers",
        state=Goal.State.DRAFT,
        cycle=None,
        key_results=None,
        actor=None,
        **kwargs,
    ):
        from org.models import Person

        is_person = isinstance(owner, Person)
        level = kwargs.pop("level", Goal.Level.PERSON if is_person else Goal.Level.UNIT)
        goal = services.create_goal(
            actor=actor,
            cycle=cycle or quarter,
            starts_on=(cycle or quarter).starts_on,
            title=title,
            level=level,
            owner_person=owner if is_person else None,
            owner_unit=None if is_person else owner,
            key_results=[kr()] if key_results is None else key_results,
            **kwargs,
        )
        if state != Goal.State.DRAFT:
            Goal.objects.filter(pk=goal.pk).update(state=state)
            # written past the services: the read models follow as a service's write would
            rollups.touch_goals([goal.pk])
            alignment_findings.touch_goals([goal.pk], cross=True)
            goal.refresh_from_db()
        return goal

    return _make
