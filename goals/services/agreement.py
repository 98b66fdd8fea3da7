"""Editing a goal under optimistic locking, and the two-way agreement:

- the owner proposes (draft/returned → proposed) and a manager agrees or returns it with a
  comment (proposed → agreed | returned);
- a manager assigns (creates or proposes a goal for the owner) and the owner accepts (agree) or
  counter-proposes (new targets and a comment; the manager must then agree or return).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.events import publish
from core.history import records_actor
from goals import permissions
from goals.models import Goal, GoalSettings, KeyResult
from notifications.messages import Message
from notifications.services import notify
from org import scopes
from org.models import Person

from .core import (
    _check_owner,
    _clean_kr_data,
    _validate_key_result,
    check_supports,
    parse_weight,
)
from .cycles import cycle_is_open
from .measurements import roll_up
from .progress import recompute_progress_upwards

EDITABLE_FIELDS = {
    "title",
    "description",
    "category",
    "kind",
    "priority",
    "commitment",
    "weight",
    "visibility",
    "parent",
    "starts_on",
}


class StaleVersion(Exception):
    """The goal changed since the caller read it; `changed_by` names who changed it last."""

    def __init__(self, *, goal: Goal, changed_by: str):
        self.goal = goal
        self.changed_by = changed_by
        super().__init__(
            _(
                "This goal was changed by %(who)s since you loaded it (now version %(version)s). "
                "Reload it and apply your change again."
            )
            % {"who": changed_by, "version": goal.version}
        )


def last_changed_by(goal: Goal) -> str:
    record = goal.history.select_related("history_user__person").first()
    user = record.history_user if record else None
    if user is None:
        return _("someone else")
    person = getattr(user, "person", None)
    return person.display_name if person else user.get_username()


def _lock(goal: Goal) -> Goal:
    """The goal, locked for the change; a goal of a closed cycle refuses every change."""
    goal = (
        Goal.objects.select_for_update(of=("self",))
        .select_related("cycle", "owner_person", "owner_unit", "parent")
        .get(pk=goal.pk)
    )
    cycle_is_open(goal.cycle)
    return goal


def _roll_up_contributions(goal: Goal) -> None:
    """A goal's key results count in the rollups they contribute to unless it is returned:
    recompute those after its state changed."""
    roll_up(
        KeyResult.objects.filter(goal=goal, contributes_to__isnull=False).values_list(
            "contributes_to_id", flat=True
        )
    )


def _save(goal: Goal, actor: Person | None, fields: list[str]) -> None:
    goal.version += 1
    if actor is not None:
        goal._history_user = actor.user
    goal.save(update_fields=[*fields, "version", "updated_at"])


def goal_url(goal: Goal) -> str:
    return reverse("goals:detail", args=[goal.pk])


def owner_people(goal: Goal) -> list[Person]:
    """Who answers for a goal: its person, or the head of its unit."""
    if goal.owner_person_id:
        return [goal.owner_person]
    return [goal.owner_unit.head] if goal.owner_unit.head_id else []


def managers_of(goal: Goal) -> list[Person]:
    """Who agrees a goal for its owner: the person's manager, or the head of the owning unit's
    parent (else the unit head's manager)."""
    if goal.owner_person_id:
        return [goal.owner_person.manager] if goal.owner_person.manager_id else []
    unit = goal.owner_unit
    if unit.parent_id and unit.parent.head_id and unit.parent.head_id != unit.head_id:
        return [unit.parent.head]
    if unit.head_id and unit.head.manager_id:
        return [unit.head.manager]
    return []


def _publish(event: str, goal: Goal, actor: Person) -> None:
    """An agreement step's event (core.events), with the goal's ids and title."""
    publish(
        event,
        goal=goal.pk,
        cycle=goal.cycle_id,
        owner_person=goal.owner_person_id,
        owner_unit=goal.owner_unit_id,
        title=goal.title,
        by=actor.pk,
    )


@records_actor
@transaction.atomic
def update_goal(*, actor: Person, goal: Goal, version: int, **changes) -> Goal:
    """Change a draft, returned or (for managers) proposed goal. `version` must be the version
    the caller read: a stale one raises StaleVersion and nothing is written. `key_results`
    (optional) is the full list: rows with an `id` are updated, new rows created, missing rows
    removed."""
    goal = _lock(goal)
    _check_may_edit(actor, goal, version)
    unknown = set(changes) - EDITABLE_FIELDS - {"key_results", "supports"}
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    key_results = changes.pop("key_results", None)
    supports = changes.pop("supports", None)
    old_parent_id = goal.parent_id
    if "weight" in changes:
        changes["weight"] = parse_weight(changes["weight"])
    for field, value in changes.items():
        setattr(goal, field, value)
    _check_owner(actor=None, goal=goal)
    goal.full_clean()
    _check_alignment(goal)
    if key_results is not None:
        _replace_key_results(goal, key_results)
    if "starts_on" in changes:
        goal.key_results.update(pace_on=None)  # the pace starts elsewhere now
    if goal.kind == Goal.Kind.KPI and goal.key_results.count() != 1:
        raise ValidationError(
            {"key_results": _("A KPI has exactly one key result: its indicator.")}
        )
    if supports is not None:
        goal.supports.set(check_supports(goal, supports))
    _save(goal, actor, list(changes))
    recompute_progress_upwards(goal)
    if old_parent_id and old_parent_id != goal.parent_id:
        recompute_progress_upwards(Goal.objects.get(pk=old_parent_id))
    return goal


def _check_may_edit(actor: Person, goal: Goal, version: int | None) -> None:
    """Refuse a stale version, an actor neither owner nor manager, a state they may not edit."""
    if version is None or int(version) != goal.version:
        raise StaleVersion(goal=goal, changed_by=last_changed_by(goal))
    is_owner = permissions.is_goal_owner(actor, goal)
    is_manager = permissions.can_manage_goal(actor, goal)
    if not (is_owner or is_manager):
        raise PermissionDenied(_("You may not edit this goal."))
    if goal.state in (Goal.State.AGREED, Goal.State.CLOSED):
        raise ValidationError(
            _("An agreed or closed goal cannot be edited; request a target adjustment instead.")
        )
    if goal.state == Goal.State.PROPOSED and not is_manager:
        raise ValidationError(
            _("A proposed goal waits for agreement; accept it or counter-propose instead.")
        )


def _check_alignment(goal: Goal) -> None:
    """Refuse a parent that is the goal itself, outside its cycle, or making a loop."""
    if not goal.parent_id:
        return
    if goal.parent_id == goal.pk:
        raise ValidationError({"parent": _("A goal cannot align to itself.")})
    if not goal.parent.cycle.covers(goal.cycle):
        raise ValidationError(
            {"parent": _("The parent goal's cycle must cover this goal's cycle.")}
        )
    _check_no_loop(goal)


def _check_no_loop(goal: Goal) -> None:
    seen = {goal.pk}
    current = goal.parent_id
    while current:
        if current in seen:
            raise ValidationError({"parent": _("This alignment would create a loop.")})
        seen.add(current)
        current = Goal.objects.filter(pk=current).values_list("parent_id", flat=True).first()


def _replace_key_results(goal: Goal, rows: list[dict]) -> None:
    if not isinstance(rows, list):
        raise ValidationError({"key_results": _("Key results are a list.")})
    existing = {kr.pk: kr for kr in goal.key_results.all()}
    keep: set[int] = set()
    for position, data in enumerate(rows):
        if not isinstance(data, dict):
            raise ValidationError({"key_results": _("Each key result is an object.")})
        pk = data.get("id")
        if pk is not None:
            kr = existing.get(pk)
            if kr is None:
                raise ValidationError(
                    {"key_results": _("Key result %(id)s is not part of this goal.") % {"id": pk}}
                )
            clean = _clean_kr_data({"target_value": kr.target_value, **data})
            changes_value = "current_value" in clean and clean["current_value"] != kr.current_value
            if changes_value and (kr.is_rollup or kr.measurements.exists()):
                raise ValidationError(
                    {
                        "key_results.current_value": _(
                            "“%(name)s” has recorded values: record a new value instead of "
                            "editing the current one."
                        )
                        % {"name": kr.name}
                    }
                )
            for field, value in clean.items():
                setattr(kr, field, value)
            keep.add(pk)
        else:
            kr = KeyResult(goal=goal, **_clean_kr_data(data))
            if "current_value" not in data:
                kr.current_value = kr.start_value
        kr.position = position
        _validate_key_result(kr)
        kr.progress = kr.compute_progress()
        kr.save()
    for pk, kr in existing.items():
        if pk not in keep:
            if kr.measurements.exists():
                raise ValidationError(
                    {"key_results": _("A key result with recorded values cannot be removed.")}
                )
            kr.delete()


@records_actor
@transaction.atomic
def propose_goal(*, actor: Person, goal: Goal) -> Goal:
    """Owner proposes (or a manager assigns) a draft or returned goal for agreement."""
    from goals.smart import check_goal

    goal = _lock(goal)
    is_owner = permissions.is_goal_owner(actor, goal)
    if not (is_owner or permissions.can_manage_goal(actor, goal)):
        raise PermissionDenied(_("You may not propose this goal."))
    if goal.state not in (Goal.State.DRAFT, Goal.State.RETURNED):
        raise ValidationError(
            _("Only a draft or returned goal can be proposed; this one is %(state)s.")
            % {"state": goal.get_state_display()}
        )
    if not goal.key_results.exists():
        raise ValidationError({"key_results": _("Add at least one key result first.")})
    if GoalSettings.load().smart_blocking:
        failing = [k for k, v in check_goal(goal).items() if v.status == "fail"]
        if failing:
            raise ValidationError(
                _("Fix the failing SMART checks first: %(checks)s") % {"checks": ", ".join(failing)}
            )
    was_returned = goal.state == Goal.State.RETURNED
    goal.state = Goal.State.PROPOSED
    goal.initiated_by = actor
    goal.return_comment = ""
    _save(goal, actor, ["state", "initiated_by", "return_comment"])
    if was_returned:
        _roll_up_contributions(goal)
    _publish("goal.proposed", goal, actor)
    recipients = managers_of(goal) if is_owner else owner_people(goal)
    notify(
        recipients=[p for p in recipients if p.pk != actor.pk],
        kind="goal_proposed",
        text=Message(
            gettext_noop("%(who)s proposed the goal “%(goal)s” for agreement."),
            who=actor.display_name,
            goal=goal.title,
        ),
        url=goal_url(goal),
        subject=goal,
    )
    return goal


@records_actor
@transaction.atomic
def agree_goal(*, actor: Person, goal: Goal) -> Goal:
    """The other side agrees: a manager agrees the owner's proposal, the owner accepts a
    manager's assignment."""
    goal = _lock(goal)
    if goal.state != Goal.State.PROPOSED:
        raise ValidationError(
            _("Only a proposed goal can be agreed; this one is %(state)s.")
            % {"state": goal.get_state_display()}
        )
    by_owner = permissions.proposed_by_owner(goal)
    if by_owner:
        allowed = permissions.can_manage_goal(actor, goal) and (
            actor.pk != goal.initiated_by_id or scopes.is_admin(actor)
        )
        reason = _("The owner's manager agrees a goal the owner proposed.")
    else:
        allowed = permissions.is_goal_owner(actor, goal)
        reason = _("The owner accepts a goal their manager assigned.")
    if not allowed:
        if permissions.is_goal_owner(actor, goal) or permissions.can_manage_goal(actor, goal):
            raise ValidationError(reason)
        raise PermissionDenied(reason)
    goal.state = Goal.State.AGREED
    goal.agreed_at = timezone.now()
    goal.agreed_by = actor
    _save(goal, actor, ["state", "agreed_at", "agreed_by"])
    recompute_progress_upwards(goal)
    _publish("goal.agreed", goal, actor)
    other = owner_people(goal) if by_owner else managers_of(goal)
    notify(
        recipients=[p for p in other if p.pk != actor.pk],
        kind="goal_agreed",
        text=Message(
            gettext_noop("%(who)s agreed the goal “%(goal)s”."),
            who=actor.display_name,
            goal=goal.title,
        ),
        url=goal_url(goal),
        subject=goal,
    )
    return goal


@records_actor
@transaction.atomic
def return_goal(*, actor: Person, goal: Goal, comment: str) -> Goal:
    """A manager returns the owner's proposal with a comment saying what to change."""
    goal = _lock(goal)
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say what should change when returning a goal.")})
    if goal.state != Goal.State.PROPOSED:
        raise ValidationError(
            _("Only a proposed goal can be returned; this one is %(state)s.")
            % {"state": goal.get_state_display()}
        )
    if not permissions.can_manage_goal(actor, goal):
        if permissions.is_goal_owner(actor, goal):
            raise ValidationError(
                _("Only the owner's manager returns a goal; the owner can counter-propose.")
            )
        raise PermissionDenied(_("You may not return this goal."))
    if not permissions.proposed_by_owner(goal):
        raise ValidationError(
            _("This goal was assigned by a manager; the owner accepts or counter-proposes it.")
        )
    goal.state = Goal.State.RETURNED
    goal.return_comment = comment.strip()
    _save(goal, actor, ["state", "return_comment"])
    _roll_up_contributions(goal)
    recompute_progress_upwards(goal)
    _publish("goal.returned", goal, actor)
    notify(
        recipients=[p for p in owner_people(goal) if p.pk != actor.pk],
        kind="goal_returned",
        text=Message(
            gettext_noop("%(who)s returned the goal “%(goal)s”: %(comment)s"),
            who=actor.display_name,
            goal=goal.title,
            comment=goal.return_comment,
        ),
        url=goal_url(goal),
        subject=goal,
    )
    return goal


@records_actor
@transaction.atomic
def counter_propose_goal(
    *, actor: Person, goal: Goal, comment: str, targets: dict[int, object] | None = None
) -> Goal:
    """The owner answers a manager's assignment with other targets ({key result id: target})
    and a comment; the manager then agrees or returns it."""
    from .core import parse_value

    goal = _lock(goal)
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Explain your counter-proposal.")})
    if goal.state != Goal.State.PROPOSED or permissions.proposed_by_owner(goal):
        raise ValidationError(_("Only a goal a manager assigned can be counter-proposed."))
    if not permissions.is_goal_owner(actor, goal):
        raise PermissionDenied(_("Only the goal's owner can counter-propose."))
    krs = {kr.pk: kr for kr in goal.key_results.all()}
    for raw_pk, raw_target in (targets or {}).items():
        try:
            kr = krs[int(raw_pk)]
        except (KeyError, ValueError, TypeError):
            raise ValidationError(
                {"targets": _("Key result %(id)s is not part of this goal.") % {"id": raw_pk}}
            ) from None
        kr.target_value = parse_value(raw_target, field="targets")
        kr.progress = kr.compute_progress()
        kr.save(update_fields=["target_value", "progress", "updated_at"])
    goal.initiated_by = actor
    goal.return_comment = comment.strip()
    _save(goal, actor, ["initiated_by", "return_comment"])
    recompute_progress_upwards(goal)
    notify(
        recipients=[p for p in managers_of(goal) if p.pk != actor.pk],
        kind="goal_counter_proposed",
        text=Message(
            gettext_noop("%(who)s counter-proposed the goal “%(goal)s”: %(comment)s"),
            who=actor.display_name,
            goal=goal.title,
            comment=goal.return_comment,
        ),
        url=goal_url(goal),
        subject=goal,
    )
    return goal


@records_actor
@transaction.atomic
def close_goal(*, actor: Person, goal: Goal, score: float | None = None) -> Goal:
    """Close an agreed goal with a score (0–1; default: its progress)."""
    goal = _lock(goal)
    if goal.state != Goal.State.AGREED:
        raise ValidationError(
            _("Only an agreed goal can be closed; this one is %(state)s.")
            % {"state": goal.get_state_display()}
        )
    if not permissions.can_manage_goal(actor, goal):
        raise PermissionDenied(_("Only the owner's manager closes a goal."))
    if score is None:
        score = round(goal.progress, 3)
    try:
        score = float(score)
    except (TypeError, ValueError):
        raise ValidationError({"score": _("Enter a number between 0 and 1.")}) from None
    if not 0.0 <= score <= 1.0:
        raise ValidationError({"score": _("Enter a number between 0 and 1.")})
    goal.state = Goal.State.CLOSED
    goal.score = score
    _save(goal, actor, ["state", "score"])
    return goal
