"""Target adjustments of agreed goals: request with evidence, decided by the owner's manager.
Approval changes the target (history kept by simple_history on KeyResult and the adjustment)
and notifies the owners of every goal aligned below. A unit-wide adjustment re-targets the
secondary goals of a unit (and its subtree) in one step and leaves core goals alone."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.events import publish
from core.history import records_actor
from goals import permissions
from goals.models import Cycle, Goal, KeyResult, TargetAdjustment, fmt_number
from org.models import Person, Unit

from .agreement import goal_url, managers_of, owner_people
from .core import parse_value
from .cycles import cycle_is_open
from .notices import notify_in_language
from .progress import recompute_progress_upwards


def _validate_request(reason: str, evidence: str) -> None:
    errors = {}
    if reason not in TargetAdjustment.Reason.values:
        errors["reason"] = _("Choose a reason: policy, market, competition, internal or other.")
    if not (evidence or "").strip():
        errors["evidence"] = _("Describe the impact and the evidence for it.")
    if errors:
        raise ValidationError(errors)


@records_actor
@transaction.atomic
def request_adjustment(
    *, actor: Person, key_result: KeyResult, new_target, reason: str, evidence: str
) -> TargetAdjustment:
    goal = key_result.goal
    if not (permissions.is_goal_owner(actor, goal) or permissions.can_manage_goal(actor, goal)):
        raise PermissionDenied(_("You may not request an adjustment of this goal."))
    cycle_is_open(goal.cycle)
    new_target = parse_value(new_target, field="new_target")
    _validate_request(reason, evidence)
    if goal.state != Goal.State.AGREED:
        raise ValidationError(
            _("Only agreed goals are adjusted; edit a draft or returned goal directly.")
        )
    if new_target == key_result.target_value:
        raise ValidationError({"new_target": _("The new target equals the current one.")})
    if TargetAdjustment.objects.filter(
        key_result=key_result, state=TargetAdjustment.State.PENDING
    ).exists():
        raise ValidationError(
            _("An adjustment of this key result is already waiting for a decision.")
        )
    adjustment = TargetAdjustment.objects.create(
        key_result=key_result,
        old_target=key_result.target_value,
        new_target=new_target,
        reason=reason,
        evidence=evidence.strip(),
        requested_by=actor,
    )
    notify_in_language(
        recipients=[p for p in managers_of(goal) if p.pk != actor.pk],
        kind="adjustment_requested",
        text=lambda: (
            _("%(who)s asks to change the target of “%(kr)s” from %(old)s to %(new)s.")
            % {
                "who": actor.display_name,
                "kr": key_result.name,
                "old": fmt_number(adjustment.old_target),
                "new": fmt_number(new_target),
            }
        ),
        url=goal_url(goal),
        subject=adjustment,
    )
    return adjustment


@records_actor
@transaction.atomic
def request_unit_adjustment(
    *, actor: Person, unit: Unit, cycle: Cycle, factor, reason: str, evidence: str
) -> list[TargetAdjustment]:
    """One request that moves every key result of the agreed secondary goals owned by the unit,
    its subunits or their people by `factor` (0.8 = 20 % lower). Core goals keep their targets."""
    if not permissions.can_assign_to(actor, unit=unit):
        raise PermissionDenied(_("You may not adjust this unit's goals."))
    factor = parse_value(factor, field="factor")
    if factor <= 0 or factor == 1:
        raise ValidationError({"factor": _("Enter a positive factor other than 1.")})
    _validate_request(reason, evidence)
    krs = list(
        KeyResult.objects.filter(
            goal__cycle=cycle,
            goal__state=Goal.State.AGREED,
            goal__priority=Goal.Priority.SECONDARY,
        )
        .filter(Q(goal__owner_path__startswith=unit.path))
        .exclude(adjustments__state=TargetAdjustment.State.PENDING)
        .select_related("goal")
    )
    if not krs:
        raise ValidationError(
            _("This unit has no agreed secondary goals without a pending adjustment.")
        )
    batch = uuid.uuid4()
    rows = [
        TargetAdjustment(
            key_result=kr,
            old_target=kr.target_value,
            new_target=(kr.target_value * factor).quantize(Decimal("0.0001")),
            reason=reason,
            evidence=evidence.strip(),
            requested_by=actor,
            batch=batch,
        )
        for kr in krs
    ]
    from simple_history.utils import bulk_create_with_history

    bulk_create_with_history(rows, TargetAdjustment, batch_size=500, default_user=actor.user)
    approvers = managers_of(Goal(owner_unit=unit, level=Goal.Level.UNIT))
    notify_in_language(
        recipients=[p for p in approvers if p.pk != actor.pk],
        kind="adjustment_requested",
        text=lambda: (
            _("%(who)s asks to re-target %(n)s secondary key results of %(unit)s.")
            % {"who": actor.display_name, "n": len(rows), "unit": unit.name}
        ),
        url="",
        subject=rows[0],
    )
    return rows


def _descendant_owner_people(goals: list[Goal]) -> list[Person]:
    """Owners of every goal aligned below the given goals: one query per level of the tree."""
    people: list[Person] = []
    frontier = [g.pk for g in goals]
    seen = set(frontier)
    while frontier:
        rows = list(
            Goal.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=seen)
            .select_related("owner_person", "owner_unit__head")
        )
        frontier = [g.pk for g in rows]
        seen.update(frontier)
        for goal in rows:
            people.extend(owner_people(goal))
    return people


@records_actor
@transaction.atomic
def approve_adjustment(*, actor: Person, adjustment: TargetAdjustment, comment: str = ""):
    """Approve a pending adjustment (and, for a unit-wide one, every adjustment of its batch):
    the targets change, progress is recomputed upwards, and the requester plus the owners of
    every goal aligned below are notified."""
    adjustments = _batch(adjustment)
    now = timezone.now()
    changed_goals: dict[int, Goal] = {}
    for adj in adjustments:
        goal = adj.key_result.goal
        if not permissions.can_manage_goal(actor, goal):
            raise PermissionDenied(_("Only the owner's manager decides target adjustments."))
        if goal.state != Goal.State.AGREED:
            raise ValidationError(_("The goal is no longer agreed; this adjustment cannot apply."))
        kr = adj.key_result
        kr.target_value = adj.new_target
        kr.progress = kr.compute_progress()
        kr._history_user = actor.user
        kr._change_reason = f"adjustment {adj.pk}: {adj.reason}"
        kr.save(update_fields=["target_value", "progress", "updated_at"])
        adj.state = TargetAdjustment.State.APPROVED
        adj.decided_by = actor
        adj.decided_at = now
        adj.decision_comment = (comment or "").strip()
        adj._history_user = actor.user
        adj.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
        changed_goals[goal.pk] = goal
    for goal in changed_goals.values():
        # The version bump is optimistic-locking bookkeeping, not an audited change: the
        # audited changes are the key result's and the adjustment's rows saved above.
        Goal.objects.filter(pk=goal.pk).update(version=goal.version + 1)
        recompute_progress_upwards(goal)
    for adj in adjustments:
        publish(
            "adjustment.decided",
            adjustment=adj.pk,
            key_result=adj.key_result_id,
            goal=adj.key_result.goal_id,
            state="approved",
            old_target=str(adj.old_target),
            new_target=str(adj.new_target),
            by=actor.pk,
        )
    first = adjustments[0]
    below = _descendant_owner_people(list(changed_goals.values()))
    recipients = [first.requested_by, *below]
    notify_in_language(
        recipients=[p for p in recipients if p.pk != actor.pk],
        kind="adjustment_approved",
        text=lambda: (
            _("The target of “%(kr)s” changed from %(old)s to %(new)s (%(reason)s).")
            % {
                "kr": first.key_result.name,
                "old": fmt_number(first.old_target),
                "new": fmt_number(first.new_target),
                "reason": first.get_reason_display(),
            }
        ),
        url=goal_url(first.key_result.goal),
        subject=first,
    )
    return adjustments


@records_actor
@transaction.atomic
def reject_adjustment(*, actor: Person, adjustment: TargetAdjustment, comment: str):
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the adjustment is rejected.")})
    adjustments = _batch(adjustment)
    now = timezone.now()
    for adj in adjustments:
        if not permissions.can_manage_goal(actor, adj.key_result.goal):
            raise PermissionDenied(_("Only the owner's manager decides target adjustments."))
        adj.state = TargetAdjustment.State.REJECTED
        adj.decided_by = actor
        adj.decided_at = now
        adj.decision_comment = comment.strip()
        adj._history_user = actor.user
        adj.save(update_fields=["state", "decided_by", "decided_at", "decision_comment"])
    for adj in adjustments:
        publish(
            "adjustment.decided",
            adjustment=adj.pk,
            key_result=adj.key_result_id,
            goal=adj.key_result.goal_id,
            state="rejected",
            old_target=str(adj.old_target),
            new_target=str(adj.new_target),
            by=actor.pk,
        )
    first = adjustments[0]
    notify_in_language(
        recipients=[first.requested_by] if first.requested_by_id != actor.pk else [],
        kind="adjustment_rejected",
        text=lambda: (
            _("Your adjustment of “%(kr)s” was rejected: %(comment)s")
            % {"kr": first.key_result.name, "comment": first.decision_comment}
        ),
        url=goal_url(first.key_result.goal),
        subject=first,
    )
    return adjustments


def _batch(adjustment: TargetAdjustment) -> list[TargetAdjustment]:
    qs = TargetAdjustment.objects.select_for_update(of=("self",)).select_related(
        "key_result__goal__cycle",
        "key_result__goal__owner_person",
        "key_result__goal__owner_unit",
        "requested_by",
    )
    rows = (
        list(qs.filter(batch=adjustment.batch).order_by("pk"))
        if adjustment.batch
        else [qs.get(pk=adjustment.pk)]
    )
    if any(r.state != TargetAdjustment.State.PENDING for r in rows):
        raise ValidationError(_("This adjustment has already been decided."))
    return rows
