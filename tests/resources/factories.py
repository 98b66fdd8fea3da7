"""Factories for goals (read-only here: the goals app owns them) and resource requests."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from goals.models import Cycle, Goal, KeyResult
from resources.models import Budget, BudgetCategory
from tests.factories import UnitFactory


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"Quarter {n}")
    kind = Cycle.Kind.QUARTER
    starts_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=45))
    ends_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=45))
    state = Cycle.State.ACTIVE


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    title = factory.Sequence(lambda n: f"Goal {n}")
    owner_person = None
    owner_unit = factory.Maybe(
        "owner_person", yes_declaration=None, no_declaration=factory.SubFactory(UnitFactory)
    )
    level = Goal.Level.UNIT
    cycle = factory.SubFactory(CycleFactory)
    # Paced from its cycle's start, as goals set at the start of a cycle are.
    starts_on = factory.LazyAttribute(lambda goal: goal.cycle.starts_on)
    priority = Goal.Priority.CORE
    weight = Decimal("1")
    state = Goal.State.AGREED
    progress = 0.0


class KeyResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyResult

    goal = factory.SubFactory(GoalFactory)
    name = factory.Sequence(lambda n: f"Key result {n}")
    metric = "new-customers"
    start_value = Decimal("0")
    target_value = Decimal("100")
    current_value = Decimal("0")
    progress = 0.0


class BudgetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Budget

    category = BudgetCategory.PROMOTION
    currency = "CNY"
    allocated = Decimal("10000")
