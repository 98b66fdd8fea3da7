"""Factories for goals: cycles, goals with key results, measurements."""

import datetime as dt
from decimal import Decimal

import factory

from goals.models import Cycle, Goal, GoalTemplate, KeyResult, Measurement
from tests.factories import PersonFactory


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"Cycle {n}")
    kind = Cycle.Kind.QUARTER
    starts_on = dt.date(2026, 10, 1)
    ends_on = dt.date(2026, 12, 31)
    state = Cycle.State.ACTIVE


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    kind = Goal.Kind.OBJECTIVE
    level = Goal.Level.PERSON
    title = factory.Sequence(lambda n: f"Win 45 new qualified customers ({n})")
    cycle = factory.SubFactory(CycleFactory)
    # Paced from its cycle's start, as goals set at the start of a cycle are.
    starts_on = factory.LazyAttribute(lambda goal: goal.cycle.starts_on)
    owner_person = factory.SubFactory(PersonFactory)
    state = Goal.State.DRAFT
    visibility = Goal.Visibility.PUBLIC


class KeyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResult

    goal = factory.SubFactory(GoalFactory)
    name = factory.Sequence(lambda n: f"New customers {n}")
    metric = "new-customers"
    unit = "customers"
    direction = KeyResult.Direction.INCREASE
    start_value = Decimal("0")
    target_value = Decimal("45")
    current_value = Decimal("0")


class MeasurementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measurement

    key_result = factory.SubFactory(KeyResultFactory)
    value = Decimal("10")
    recorded_at = factory.LazyFunction(lambda: dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    source = Measurement.Source.MANUAL


class GoalTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GoalTemplate

    name = "New employee"
    key_results = factory.LazyFunction(
        lambda: [{"name": "Task completion rate", "unit": "%", "target_value": "90"}]
    )
