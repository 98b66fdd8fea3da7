"""Resource requests: submit, approve (fully or partly), reject, fulfil, withdraw; priority;
the reminder for requests waiting too long."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.events import publish
from core.history import records_actor
from goals.models import Goal, KeyResult
from notifications.services import notify
from org.models import Person, Unit
from resources import permissions
from resources.models import ResourceRequest, ResourceSettings

from .budgets import commit, lock_budget_for, parse_money, settle
from .request_input import _check_request, _parse_quantities

State = ResourceRequest.State
CORE_BONUS = 1000.0


@dataclass(frozen=True)
class Priority:
    """The score an inbox sorts by and the inputs it came from. Core goals come first (a
    fixed bonus larger than any gap term); within a tier, the gap to the expected pace in
    points times the goal's weight."""

    score: float
    goal_priority: str
    goal_weight: Decimal
    gap: float


def compute_priority(*, goal: Goal, key_result: KeyResult | None, on: dt.date) -> Priority:
    if key_result is not None:
        key_result.goal = goal  # the cycle comes from the goal already loaded
        expected, progress = key_result.expected_progress(on), key_result.progress
    else:
        cycle = goal.cycle
        span = max((cycle.ends_on - cycle.starts_on).days, 1)
        expected = min(1.0, max(0.0, (on - cycle.starts_on).days / span))
        progress = goal.progress
    gap = round(max(0.0, expected - progress), 4)
    weight = Decimal(goal.weight)
    term = min(999.0, gap * 100 * min(float(weight), 10.0))
    bonus = CORE_BONUS if goal.priority == Goal.Priority.CORE else 0.0
    return Priority(
        score=round(bonus + term, 2), goal_priority=goal.priority, goal_weight=weight, gap=gap
    )


def _apply_priority(obj: ResourceRequest, on: dt.date) -> None:
    priority = compute_priority(goal=obj.goal, key_result=obj.key_result, on=on)
    obj.priority_score = priority.score
    obj.goal_priority = priority.goal_priority
    obj.goal_weight = priority.goal_weight
    obj.pace_gap = priority.gap
    obj.priority_computed_on = on


def _route(requester: Person, unit: Unit) -> tuple[bool, Person | None]:
    """(cross-department?, approver). A unit on the requester's own line (their unit or one
    above it) is decided by their manager; another unit by its head, or the nearest head
    above it when it has none (never the requester)."""
    own = unit.pk in requester.unit.ancestor_ids
    if own and requester.manager_id and requester.manager_id != requester.pk:
        return False, requester.manager
    start = requester.unit if own else unit
    heads = dict(
        Unit.objects.filter(pk__in=start.ancestor_ids, head__isnull=False)
        .exclude(head=requester)
        .values_list("pk", "head_id")
    )
    for pk in reversed(start.ancestor_ids):
        if pk in heads:
            return not own, Person.objects.get(pk=heads[pk])
    return not own, None


def request_url(obj: ResourceRequest) -> str:
    return reverse("resources:resource-detail", args=[obj.pk])


def _tell(recipient: Person | None, obj: ResourceRequest, kind: str, message: str, **values):
    """Notify one person in their own language. `message` is an untranslated msgid."""
    if recipient is None:
        return
    with translation.override(recipient.language):
        text = _(message) % values
    notify(recipients=[recipient], kind=kind, text=text, url=request_url(obj), subject=obj)


def _lock(obj: ResourceRequest) -> ResourceRequest:
    """Re-read the request under a row lock, so two decisions on it never both apply."""
    return (
        ResourceRequest.objects.select_for_update(of=("self",))
        .select_related("requester__unit", "unit__head", "goal__cycle", "key_result", "approver")
        .get(pk=obj.pk)
    )


def _require_state(obj: ResourceRequest, allowed: tuple[str, ...], message: str) -> None:
    """A 400 with the reason when the transition is not allowed from the current state."""
    if obj.state not in allowed:
        raise ValidationError({"state": message % {"state": obj.get_state_display()}})


def _require_decider(actor: Person, obj: ResourceRequest) -> None:
    if not permissions.can_decide_request(actor, obj):
        raise PermissionDenied(_("Only an approver of this request may decide or fulfil it."))


@records_actor(param="requester")
@transaction.atomic
def submit_request(
    *,
    requester: Person,
    kind: str,
    title: str,
    justification: str,
    goal: Goal | None = None,
    key_result: KeyResult | None = None,
    unit: Unit | None = None,
    amount=None,
    currency: str | None = None,
    quantity=None,
    category: str | None = None,
    needed_by: dt.date | None = None,
    today: dt.date | None = None,
) -> ResourceRequest:
    """A request for what a goal (or one of its key results) needs, addressed to the
    requester's unit by default or to another unit (cross-department). Routed and scored at
    once; the approver is notified."""
    today = today or timezone.localdate()
    goal, category = _check_request(
        requester=requester,
        kind=kind,
        title=title,
        justification=justification,
        goal=goal,
        key_result=key_result,
        category=category,
        needed_by=needed_by,
        today=today,
    )
    amount, currency, quantity = _parse_quantities(kind, amount, currency, quantity)
    unit = unit or requester.unit
    is_cross, approver = _route(requester, unit)
    obj = ResourceRequest(
        requester=requester,
        goal=goal,
        key_result=key_result,
        kind=kind,
        category=category,
        title=title.strip(),
        amount=amount,
        currency=currency,
        quantity=quantity,
        justification=justification.strip(),
        unit=unit,
        is_cross_unit=is_cross,
        approver=approver,
        needed_by=needed_by,
    )
    _apply_priority(obj, today)
    obj.save()
    _tell_approver(obj)
    return obj


def _tell_approver(obj: ResourceRequest) -> None:
    """Tell the approver a request arrived (and from which unit, when cross-department)."""
    requester = obj.requester
    if obj.is_cross_unit:
        message = gettext_noop("%(person)s (%(from)s) asks %(unit)s for resources: %(title)s")
    else:
        message = gettext_noop("%(person)s asks for resources: %(title)s")
    _tell(
        obj.approver,
        obj,
        "resource_request",
        message,
        person=requester.display_name,
        unit=obj.unit.name,
        title=obj.title,
        **{"from": requester.unit.name},
    )


def _parse_grant(obj: ResourceRequest, granted_amount) -> Decimal | None:
    requested = obj.requested_value
    if granted_amount in (None, ""):
        return requested
    if requested is None:
        raise ValidationError(
            {"granted_amount": _("This request has no amount or quantity to grant.")}
        )
    granted = parse_money(granted_amount, field="granted_amount")
    if not obj.is_money and granted != granted.to_integral_value():
        raise ValidationError({"granted_amount": _("Grant a whole number.")})
    if granted > requested:
        raise ValidationError(
            {
                "granted_amount": _("You cannot grant more than was requested (%(requested)s).")
                % {"requested": f"{requested:,.2f}" if obj.is_money else f"{requested:,.0f}"}
            }
        )
    return granted


@records_actor
@transaction.atomic
def approve_request(
    *, actor: Person, request: ResourceRequest, granted_amount=None, comment: str = ""
) -> ResourceRequest:
    """Approve all that was asked, or part of it (`granted_amount` below the request). A
    money request commits the grant against the addressed unit's budget for the goal's cycle
    and the request's category, with that budget row locked: a grant beyond what remains is
    refused with the remaining amount."""
    obj = _lock(request)
    _require_decider(actor, obj)
    _require_state(
        obj,
        (State.SUBMITTED,),
        _("This request is %(state)s; only a submitted request can be approved."),
    )
    granted = _parse_grant(obj, granted_amount)
    if obj.is_money:
        budget = lock_budget_for(obj)
        commit(budget, granted)
        obj.budget = budget
    full = granted is None or granted == obj.requested_value
    obj.state = State.APPROVED if full else State.PARTLY_APPROVED
    obj.granted_amount = granted
    obj.decided_by, obj.decided_at = actor, timezone.now()
    obj.decision_comment = (comment or "").strip()
    obj.save()
    publish(
        "resource_request.decided",
        request=obj.pk,
        goal=obj.goal_id,
        state=obj.state,
        granted_amount=None if obj.granted_amount is None else str(obj.granted_amount),
        by=actor.pk,
    )
    _tell(
        obj.requester,
        obj,
        "resource_decision",
        gettext_noop("Your request “%(title)s” was approved by %(person)s.")
        if full
        else gettext_noop("Your request “%(title)s” was partly approved by %(person)s."),
        title=obj.title,
        person=actor.display_name,
    )
    return obj


@records_actor
@transaction.atomic
def reject_request(*, actor: Person, request: ResourceRequest, comment: str) -> ResourceRequest:
    obj = _lock(request)
    _require_decider(actor, obj)
    _require_state(
        obj,
        (State.SUBMITTED,),
        _("This request is %(state)s; only a submitted request can be rejected."),
    )
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say why the request is rejected.")})
    obj.state = State.REJECTED
    obj.decided_by, obj.decided_at = actor, timezone.now()
    obj.decision_comment = comment
    obj.save()
    publish(
        "resource_request.decided",
        request=obj.pk,
        goal=obj.goal_id,
        state=obj.state,
        granted_amount=None if obj.granted_amount is None else str(obj.granted_amount),
        by=actor.pk,
    )
    _tell(
        obj.requester,
        obj,
        "resource_decision",
        gettext_noop("Your request “%(title)s” was rejected by %(person)s: %(comment)s"),
        title=obj.title,
        person=actor.display_name,
        comment=comment,
    )
    return obj


@records_actor
@transaction.atomic
def fulfil_request(*, actor: Person, request: ResourceRequest, spent_amount=None):
    """Record that the granted resources were delivered. For money, the actual spend moves
    from committed to spent and any difference is released back to the budget."""
    obj = _lock(request)
    _require_decider(actor, obj)
    _require_state(
        obj,
        ResourceRequest.GRANTED_STATES,
        _("This request is %(state)s; only an approved request can be fulfilled."),
    )
    if obj.is_money:
        if spent_amount in (None, ""):
            raise ValidationError({"spent_amount": _("Enter the amount actually spent.")})
        spent = parse_money(spent_amount, field="spent_amount", allow_zero=True)
        budget = lock_budget_for(obj)
        settle(budget, committed=obj.granted_amount, spent=spent)
        obj.spent_amount = spent
    elif spent_amount not in (None, ""):
        raise ValidationError(
            {"spent_amount": _("This request has no amount of money; leave this empty.")}
        )
    obj.state = State.FULFILLED
    obj.fulfilled_by, obj.fulfilled_at = actor, timezone.now()
    obj.save()
    _tell(
        obj.requester,
        obj,
        "resource_fulfilled",
        gettext_noop("Your request “%(title)s” was fulfilled."),
        title=obj.title,
    )
    return obj


@records_actor
@transaction.atomic
def withdraw_request(*, actor: Person, request: ResourceRequest) -> ResourceRequest:
    obj = _lock(request)
    if obj.requester_id != actor.pk:
        raise PermissionDenied(_("Only the requester may withdraw a request."))
    _require_state(
        obj,
        (State.SUBMITTED,),
        _("This request is %(state)s; only a submitted request can be withdrawn."),
    )
    obj.state = State.WITHDRAWN
    obj.save()
    _tell(
        obj.approver,
        obj,
        "resource_withdrawn",
        gettext_noop("%(person)s withdrew the request “%(title)s”."),
        person=actor.display_name,
        title=obj.title,
    )
    return obj


def refresh_priorities(*, on: dt.date | None = None) -> int:
    """Recompute the priority of every waiting request from today's progress and pace.

    The priority is derived data (from the goal's priority, weight and gap), not an audited
    change: one bulk_update, no history rows."""
    on = on or timezone.localdate()
    rows = list(
        ResourceRequest.objects.filter(state=State.SUBMITTED).select_related(
            "goal__cycle", "key_result"
        )
    )
    for obj in rows:
        _apply_priority(obj, on)
    ResourceRequest.objects.bulk_update(
        rows,
        ["priority_score", "goal_priority", "goal_weight", "pace_gap", "priority_computed_on"],
        batch_size=500,
    )
    return len(rows)


def remind_waiting(*, now: dt.datetime | None = None) -> int:
    """Remind the approver once of each request waiting longer than the configured days.
    `waiting_notified_at` is the reminder's claim (bookkeeping), not an audited change."""
    now = now or timezone.now()
    days = ResourceSettings.load().waiting_days
    due = ResourceRequest.objects.filter(
        state=State.SUBMITTED,
        created_at__lte=now - dt.timedelta(days=days),
        waiting_notified_at__isnull=True,
    ).select_related("approver")
    sent = 0
    for obj in due:
        claimed = ResourceRequest.objects.filter(
            pk=obj.pk, waiting_notified_at__isnull=True
        ).update(waiting_notified_at=now)
        if claimed:
            _tell(
                obj.approver,
                obj,
                "resource_waiting",
                gettext_noop(
                    "The request “%(title)s” has waited more than %(days)s days for your decision."
                ),
                title=obj.title,
                days=days,
            )
            sent += 1
    return sent
