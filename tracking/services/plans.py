"""Improvement plans: actions (training, coaching, process change) for a person."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from goals.models import Goal, KeyResult, Status
from org import scopes
from org.models import Person
from tracking import permissions
from tracking.models import ImprovementAction, ImprovementPlan, KeyResultUpdate


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


@transaction.atomic
def plan_improvement(
    *,
    actor: Person,
    person: Person,
    title: str,
    actions: list[dict],
    goal: Goal | None = None,
    key_result: KeyResult | None = None,
    source: str = "",
) -> ImprovementPlan:
    """An improvement plan made through the UI or API: by the person themselves, their manager
    chain, their HRBP or an admin."""
    if not (
        actor is not None
        and (
            actor.pk == person.pk
            or scopes.is_admin(actor)
            or permissions.can_give_feedback(actor, person)
        )
    ):
        raise PermissionDenied(_("You cannot make an improvement plan for this person."))
    if goal is not None and goal.owner_person_id not in (None, person.pk):
        raise ValidationError({"goal": _("The goal must be the person's own.")})
    if key_result is not None and key_result.goal.owner_person_id not in (None, person.pk):
        raise ValidationError({"key_result": _("The key result must be the person's own.")})
    return create_improvement_plan(
        actor=actor,
        person=person,
        title=title,
        actions=actions,
        goal=goal,
        key_result=key_result,
        source=source,
    )


@transaction.atomic
def create_plan_from_update(
    *, actor: Person, update: KeyResultUpdate, actions: list[dict], title: str = ""
) -> ImprovementPlan:
    """One step from an off-track key result in a check-in to an improvement plan for it."""
    check_in = update.check_in
    kr = update.key_result
    if update.status != Status.OFF_TRACK and update.confidence != Status.OFF_TRACK:
        raise ValidationError(_("Improvement plans start from an off-track key result."))
    title = (title or "").strip() or _("Get “%(name)s” back on track") % {"name": kr.name}
    return plan_improvement(
        actor=actor,
        person=check_in.person,
        title=title,
        actions=actions,
        key_result=kr,
        source=f"check_in:{check_in.pk}",
    )


@transaction.atomic
def set_improvement_action_state(
    *, actor: Person, action: ImprovementAction, state: str
) -> ImprovementAction:
    """Move an action to do → in progress → done (its owner, the plan's person, their
    managers and HRBP, admins). The plan is done when all its actions are, open otherwise."""
    action = (
        ImprovementAction.objects.select_for_update()
        .select_related("plan__person__unit")
        .get(pk=action.pk)
    )
    plan = action.plan
    if not (
        actor is not None
        and (
            actor.pk in (action.owner_id, plan.person_id)
            or scopes.is_admin(actor)
            or permissions.can_give_feedback(actor, plan.person)
        )
    ):
        raise PermissionDenied(_("You cannot change this action."))
    if state not in ImprovementAction.State.values:
        raise ValidationError({"state": _("Choose todo, doing or done.")})
    if plan.state == ImprovementPlan.State.CANCELLED:
        raise ValidationError(_("This plan is cancelled."))
    action.state = state
    action.save(update_fields=["state"])
    states = set(plan.actions.values_list("state", flat=True))
    plan_state = (
        ImprovementPlan.State.DONE
        if states == {ImprovementAction.State.DONE}
        else ImprovementPlan.State.OPEN
    )
    if plan.state != plan_state:
        plan.state = plan_state
        plan.save(update_fields=["state"])
    return action
