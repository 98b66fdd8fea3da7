"""Cycles: admins create and date them and move them along planning → active → scoring →
closed. Entering scoring opens the scoring of every goal; closing freezes the cycle (its goals
close, values and edits answer 400) and needs every goal scored or an explicit "close anyway";
an admin may reopen a closed cycle with a reason (audited). Unfinished goals can be carried
over to a later cycle in one step."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.history import records_actor
from goals.models import Cycle, Goal, KeyResult
from org import scopes
from org.models import Person

State = Cycle.State
TRANSITIONS = {
    State.PLANNING: (State.ACTIVE,),
    State.ACTIVE: (State.SCORING,),
    State.SCORING: (State.ACTIVE, State.CLOSED),
    State.CLOSED: (State.ACTIVE,),  # reopening, with a reason
}
# Goals that count in scoring and carry-over: the ones the cycle was run on.
SCORED_STATES = (Goal.State.AGREED, Goal.State.CLOSED)
EDITABLE = {"name", "kind", "starts_on", "ends_on", "parent"}


def _check_admin(actor: Person) -> None:
    if not scopes.is_admin(actor):
        raise PermissionDenied(_("Only administrators manage cycles."))


def _check_no_overlap(cycle: Cycle) -> None:
    """Cycles of one cadence (two quarters, two years) do not overlap."""
    overlapping = Cycle.objects.filter(
        kind=cycle.kind, starts_on__lte=cycle.ends_on, ends_on__gte=cycle.starts_on
    ).exclude(pk=cycle.pk)
    other = overlapping.first()
    if other is not None:
        raise ValidationError(
            {
                "starts_on": _("These dates overlap the %(kind)s %(name)s.")
                % {"kind": cycle.get_kind_display().lower(), "name": other.name}
            }
        )


@records_actor
@transaction.atomic
def create_cycle(*, actor: Person, name: str, kind: str, starts_on, ends_on, parent=None) -> Cycle:
    _check_admin(actor)
    cycle = Cycle(name=name, kind=kind, starts_on=starts_on, ends_on=ends_on, parent=parent)
    cycle.full_clean()
    _check_no_overlap(cycle)
    cycle.save()
    return cycle


@records_actor
@transaction.atomic
def update_cycle(*, actor: Person, cycle: Cycle, **changes) -> Cycle:
    """Rename, re-date or re-parent a cycle (its state moves only through `transition_cycle`)."""
    _check_admin(actor)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if "state" in changes and changes["state"] != cycle.state:
        raise ValidationError(
            {"state": _("Change a cycle's state through its transition (to scoring, closed…).")}
        )
    changes.pop("state", None)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if cycle.is_closed and changes:
        raise ValidationError(_("A closed cycle cannot change; reopen it first."))
    for name, value in changes.items():
        setattr(cycle, name, value)
    cycle.full_clean()
    _check_no_overlap(cycle)
    outside = KeyResult.objects.filter(goal__cycle=cycle, due_on__isnull=False).exclude(
        due_on__range=(cycle.starts_on, cycle.ends_on)
    )
    if outside.exists():
        raise ValidationError(
            {"ends_on": _("Some key results fall due outside these dates; move them first.")}
        )
    cycle.save()
    return cycle


def allowed_transitions(cycle: Cycle) -> tuple[str, ...]:
    return TRANSITIONS[cycle.state]


def unscored_goals(cycle: Cycle):
    """The cycle's agreed goals that have no manager score yet."""
    return Goal.objects.filter(cycle=cycle, state__in=SCORED_STATES, manager_score__isnull=True)


@records_actor
@transaction.atomic
def transition_cycle(
    *, actor: Person, cycle: Cycle, to: str, reason: str = "", close_anyway: bool = False
) -> Cycle:
    """Move the cycle to `to`. Invalid moves answer 400 naming the allowed ones; closing
    needs every goal scored or `close_anyway`; reopening a closed cycle needs a reason."""
    _check_admin(actor)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    allowed = allowed_transitions(cycle)
    if to not in allowed:
        names = ", ".join(str(State(s).label) for s in allowed)
        raise ValidationError(
            {
                "to": _("From %(state)s, the cycle can go to: %(allowed)s.")
                % {"state": cycle.get_state_display().lower(), "allowed": names}
            }
        )
    reason = (reason or "").strip()
    if cycle.is_closed and not reason:
        raise ValidationError({"reason": _("Say why the closed cycle is reopened.")})
    if to == State.CLOSED:
        _close(cycle, close_anyway=close_anyway)
    elif cycle.is_closed:
        _reopen(cycle)
    cycle.state = to
    cycle.state_reason = reason
    cycle.save(update_fields=["state", "state_reason", "closed_at"])
    return cycle


def _close(cycle: Cycle, *, close_anyway: bool) -> None:
    missing = unscored_goals(cycle).count()
    if missing and not close_anyway:
        raise ValidationError(
            {
                "to": ngettext(
                    "%(n)s goal is not scored yet: score it, or close anyway.",
                    "%(n)s goals are not scored yet: score them, or close anyway.",
                    missing,
                )
                % {"n": missing}
            }
        )
    cycle.closed_at = timezone.now()
    goals = Goal.objects.filter(cycle=cycle, state=Goal.State.AGREED)
    for goal in goals:
        goal.state = Goal.State.CLOSED
        goal.closed_with_cycle = True
        goal.version += 1
        goal.save(update_fields=["state", "closed_with_cycle", "version", "updated_at"])


def _reopen(cycle: Cycle) -> None:
    cycle.closed_at = None
    for goal in Goal.objects.filter(cycle=cycle, closed_with_cycle=True):
        goal.state = Goal.State.AGREED
        goal.closed_with_cycle = False
        goal.version += 1
        goal.save(update_fields=["state", "closed_with_cycle", "version", "updated_at"])


# Carry-over -----------------------------------------------------------------------------------


@dataclass
class CarryOver:
    target: Cycle
    goals: list[Goal] = field(default_factory=list)  # the copies (unsaved on a dry run)
    skipped: dict[int, str] = field(default_factory=dict)  # original id → why not


def next_cycle(cycle: Cycle) -> Cycle | None:
    """The cycle of the same cadence that starts after this one ends."""
    return (
        Cycle.objects.filter(kind=cycle.kind, starts_on__gt=cycle.ends_on)
        .exclude(state=State.CLOSED)
        .order_by("starts_on")
        .first()
    )


def _unfinished(goal: Goal) -> bool:
    return goal.progress < 1.0 - 1e-9


@records_actor
@transaction.atomic
def carry_over(
    *, actor: Person, cycle: Cycle, goals: list[int], to: Cycle | None = None, dry_run=False
) -> CarryOver:
    """Copy the chosen unfinished goals of `cycle` into `to` (by default the next cycle of the
    same cadence) in one step: each copy is a draft for its owner, linked to the original
    (`carried_from`), with the same key results starting from where they stood. With `dry_run`
    nothing is written."""
    _check_admin(actor)
    to = to or next_cycle(cycle)
    if to is None:
        raise ValidationError({"to": _("Create the next cycle first: nothing to carry over to.")})
    if to.pk == cycle.pk or to.is_closed:
        raise ValidationError({"to": _("Choose an open cycle other than this one.")})
    if not isinstance(goals, list | tuple) or not goals:
        raise ValidationError({"goals": _("Choose the goals to carry over.")})
    result = CarryOver(target=to)
    originals = Goal.objects.filter(cycle=cycle, pk__in=goals).prefetch_related("key_results")
    found = {g.pk: g for g in originals}
    for pk in goals:
        goal = found.get(pk)
        reason = _skip_reason(goal, to)
        if reason:
            result.skipped[pk] = reason
            continue
        result.goals.append(goal)
    if dry_run:
        return result
    result.goals = [_copy(goal, to, actor) for goal in result.goals]
    return result


def _skip_reason(goal: Goal | None, to: Cycle) -> str:
    if goal is None:
        return _("Not a goal of this cycle.")
    if goal.state not in SCORED_STATES:
        return _("Only agreed goals are carried over.")
    if not _unfinished(goal):
        return _("This goal is done.")
    if Goal.objects.filter(carried_from=goal, cycle=to).exists():
        return _("Already carried over.")
    return ""


def _copy(goal: Goal, to: Cycle, actor: Person) -> Goal:
    parent = goal.parent
    if parent is not None and not parent.cycle.covers(to):
        parent = Goal.objects.filter(carried_from=parent, cycle=to).first()
    copy = Goal.objects.create(
        kind=goal.kind,
        level=goal.level,
        title=goal.title,
        description=goal.description,
        category=goal.category,
        owner_unit=goal.owner_unit,
        owner_person=goal.owner_person,
        cycle=to,
        parent=parent,
        priority=goal.priority,
        commitment=goal.commitment,
        weight=goal.weight,
        visibility=goal.visibility,
        state=Goal.State.DRAFT,
        created_by=actor,
        initiated_by=actor,
        carried_from=goal,
    )
    for kr in goal.key_results.all():
        start = kr.current_value if kr.direction in ("increase", "decrease") else kr.start_value
        new = KeyResult(
            goal=copy,
            name=kr.name,
            metric=kr.metric,
            unit=kr.unit,
            direction=kr.direction,
            start_value=start,
            target_value=kr.target_value,
            target_high=kr.target_high,
            current_value=kr.current_value,
            weight=kr.weight,
            position=kr.position,
        )
        new.progress = new.compute_progress()
        new.save()
    from .progress import recompute_progress_upwards

    recompute_progress_upwards(copy)
    return copy


def cycle_is_open(cycle: Cycle, *, field: str = "cycle") -> None:
    """Refuse a write to a closed cycle with a clear message."""
    if cycle.is_closed:
        raise ValidationError(
            {
                field: _("The cycle %(name)s is closed; reopen it to change it.")
                % {"name": cycle.name}
            }
        )
