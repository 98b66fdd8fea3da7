"""Factories for retros tests. Goals and plans are arranged through their apps' services."""

import datetime as dt
from decimal import Decimal

import factory

from goals.models import Cycle
from goals.services import create_goal
from retros import services
from retros.models import Lesson


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"Q{n}")
    kind = Cycle.Kind.QUARTER
    starts_on = dt.date(2026, 7, 1)
    ends_on = dt.date(2026, 9, 30)
    state = Cycle.State.CLOSED


def make_goal(*, actor, cycle, owner, title="Grow sales", category="sales", target=100, krs=None):
    """A goal set while its cycle was open (a closed cycle takes no new goals), then the cycle
    is back in the state the test arranged."""
    state = cycle.state
    if state == Cycle.State.CLOSED:
        Cycle.objects.filter(pk=cycle.pk).update(state=Cycle.State.ACTIVE)
        cycle.state = Cycle.State.ACTIVE
    try:
        return _create(actor, cycle, owner, title, category, target, krs)
    finally:
        if state == Cycle.State.CLOSED:
            Cycle.objects.filter(pk=cycle.pk).update(state=state)
            cycle.state = state


def _create(actor, cycle, owner, title, category, target, krs):
    return create_goal(
        actor=actor,
        cycle=cycle,
        starts_on=cycle.starts_on,
        title=title,
        level="person",
        owner_person=owner,
        category=category,
        key_results=krs
        or [{"name": "New customers", "target_value": Decimal(target), "unit": "customers"}],
    )


def make_lesson(*, author, title, publish=True, **fields) -> Lesson:
    return services.create_lesson(actor=author, title=title, publish=publish, **fields)
