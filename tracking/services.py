"""Writes over tracking. One function per business action, transactional and validated."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from goals.models import Goal, KeyResult
from org.models import Person
from tracking.models import ImprovementAction, ImprovementPlan


@transaction.atomic
def create_improvement_plan(
    *,
    actor: Person,
    person: Person,
    title: str,
    actions: list[dict],
    goal: Goal | None = None,
    key_result: KeyResult | None = None,
    source: str = "",
) -> ImprovementPlan:
    """A plan with its actions (dicts: kind, description, owner, due_on). `source` links it
    back to where it came from, e.g. "retrospective:12". Nothing is saved if any action is
    invalid."""
    if not actions:
        raise ValidationError({"actions": _("Add at least one action.")})
    plan = ImprovementPlan(
        person=person,
        goal=goal or (key_result.goal if key_result else None),
        key_result=key_result,
        title=title,
        source=source,
        created_by=actor,
    )
    plan.full_clean()
    plan.save()
    for index, data in enumerate(actions):
        action = ImprovementAction(plan=plan, **data)
        try:
            action.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                {f"actions.{index}.{key}": msgs for key, msgs in exc.message_dict.items()}
            ) from None
        action.save()
    return plan
