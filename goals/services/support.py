"""Support agreements between goals of different units: ask, accept, decline, counter-propose,
withdraw. An accepted agreement is the supporting goal's `supports` link to the goal that
asked; the other side is told at each step, in their language, only when they may see the goal
the message names."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.history import records_actor
from goals import permissions
from goals.models import Goal, KeyResult, SupportRequest
from notifications.messages import Message
from notifications.services import notify
from org.models import Person
from org.scopes import Viewer

from .agreement import owner_people as owners_of
from .core import parse_value
from .cycles import cycle_is_open


def support_url(request: SupportRequest) -> str:
    return reverse("goals:support-detail", args=[request.pk])


def _who_may_see(people, goal: Goal) -> list[Person]:
    return [
        p
        for p in people
        if p is not None and permissions.visible_goals(Viewer.of(p)).filter(pk=goal.pk).exists()
    ]


def _lock(request: SupportRequest) -> SupportRequest:
    return (
        SupportRequest.objects.select_for_update(of=("self",))
        .select_related(*permissions.SUPPORT_RELATED)
        .get(pk=request.pk)
    )


def _check_may(actor: Person, request: SupportRequest, action: str) -> None:
    if action not in permissions.support_actions(actor, request):
        if request.state not in SupportRequest.OPEN:
            raise ValidationError(
                {
                    "state": _("This support request is already %(state)s.")
                    % {"state": request.get_state_display().lower()}
                }
            )
        raise PermissionDenied(_("You may not do this with this support request."))


@records_actor
@transaction.atomic
def request_support(
    *,
    actor: Person,
    goal: Goal,
    supporting_goal: Goal,
    need: str,
    key_result: KeyResult | None = None,
    amount=None,
) -> SupportRequest:
    """`goal` asks `supporting_goal` (another unit's) for what it needs; the supporting goal's
    owner (a unit goal's head) is asked to accept, decline or counter-propose."""
    if not permissions.speaks_for(actor, goal):
        raise PermissionDenied(_("Only the goal's owner or those above it ask for support."))
    cycle_is_open(goal.cycle)
    if supporting_goal.pk == goal.pk:
        raise ValidationError({"supporting_goal": _("A goal cannot support itself.")})
    if supporting_goal.cycle.is_closed or supporting_goal.state == Goal.State.CLOSED:
        raise ValidationError({"supporting_goal": _("This goal is closed.")})
    if supporting_goal.owner_path == goal.owner_path:
        raise ValidationError(
            {"supporting_goal": _("Ask a goal of another unit; within a unit, align or cascade.")}
        )
    need = (need or "").strip()
    if not need:
        raise ValidationError({"need": _("Say what you need.")})
    if key_result is not None and key_result.goal_id != supporting_goal.pk:
        raise ValidationError(
            {"key_result": _("Choose a key result of the goal you ask for support.")}
        )
    if amount is not None:
        amount = parse_value(amount, field="amount")
        if amount <= 0:
            raise ValidationError({"amount": _("The amount must be positive.")})
    if supporting_goal.supports.filter(pk=goal.pk).exists():
        raise ValidationError({"supporting_goal": _("This goal already supports yours.")})
    if SupportRequest.objects.filter(
        goal=goal, supporting_goal=supporting_goal, state__in=SupportRequest.OPEN
    ).exists():
        raise ValidationError(
            {"supporting_goal": _("A request to this goal is already waiting for an answer.")}
        )
    answerers = owners_of(supporting_goal)
    if answerers and not _who_may_see(answerers, goal):
        raise ValidationError(
            {"goal": _("The other unit cannot see your goal; make it visible to them first.")}
        )
    request = SupportRequest(
        goal=goal,
        supporting_goal=supporting_goal,
        key_result=key_result,
        need=need,
        amount=amount,
        requested_by=actor,
    )
    request.full_clean()
    request.save()
    notify(
        recipients=_who_may_see(answerers, goal),
        kind="support_requested",
        text=Message(
            gettext_noop("%(person)s asks “%(goal)s” for support: %(need)s"),
            person=actor.display_name,
            goal=supporting_goal.title,
            need=need,
        ),
        url=support_url(request),
        subject=request,
    )
    return request


def _tell_asking_side(request: SupportRequest, text) -> None:
    people = [request.requested_by, *owners_of(request.goal)]
    notify(
        recipients=_who_may_see(people, request.supporting_goal),
        kind="support_answered",
        text=text,
        url=support_url(request),
        subject=request,
    )


def _decide(request: SupportRequest, actor: Person, state: str) -> None:
    request.state = state
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.full_clean()
    request.save()


@records_actor
@transaction.atomic
def accept_support(*, actor: Person, request: SupportRequest) -> SupportRequest:
    """The supporting side accepts a request (or the asking side accepts a counter-proposal,
    taking the amount offered): the supporting goal now supports the goal that asked."""
    request = _lock(request)
    _check_may(actor, request, permissions.ACCEPT)
    cycle_is_open(request.supporting_goal.cycle)
    was_counter = request.state == SupportRequest.State.COUNTERED
    if was_counter and request.counter_amount is not None:
        request.amount = request.counter_amount
    _decide(request, actor, SupportRequest.State.ACCEPTED)
    request.supporting_goal.supports.add(request.goal)

    text = Message(
        gettext_noop("%(person)s accepted: “%(supporting)s” supports “%(goal)s”."),
        person=actor.display_name,
        supporting=request.supporting_goal.title,
        goal=request.goal.title,
    )

    if was_counter:
        notify(
            recipients=_who_may_see(owners_of(request.supporting_goal), request.goal),
            kind="support_answered",
            text=text,
            url=support_url(request),
            subject=request,
        )
    else:
        _tell_asking_side(request, text)
    return request


@records_actor
@transaction.atomic
def decline_support(*, actor: Person, request: SupportRequest, reason: str) -> SupportRequest:
    request = _lock(request)
    _check_may(actor, request, permissions.DECLINE)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason for declining.")})
    request.answer = reason
    was_counter = request.state == SupportRequest.State.COUNTERED
    _decide(request, actor, SupportRequest.State.DECLINED)

    text = Message(
        gettext_noop("%(person)s declined support for “%(goal)s”: %(reason)s"),
        person=actor.display_name,
        goal=request.goal.title,
        reason=reason,
    )

    if was_counter:
        notify(
            recipients=_who_may_see(owners_of(request.supporting_goal), request.goal),
            kind="support_answered",
            text=text,
            url=support_url(request),
            subject=request,
        )
    else:
        _tell_asking_side(request, text)
    return request


@records_actor
@transaction.atomic
def counter_propose_support(
    *, actor: Person, request: SupportRequest, answer: str, amount=None
) -> SupportRequest:
    """The supporting side offers something else (words, and optionally another amount); the
    asking side accepts or declines it."""
    request = _lock(request)
    _check_may(actor, request, permissions.COUNTER)
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Say what you can offer instead.")})
    if amount is not None:
        amount = parse_value(amount, field="amount")
        if amount <= 0:
            raise ValidationError({"amount": _("The amount must be positive.")})
    request.answer = answer
    request.counter_amount = amount
    _decide(request, actor, SupportRequest.State.COUNTERED)
    _tell_asking_side(
        request,
        lambda: (
            _("%(person)s counter-proposes support for “%(goal)s”: %(answer)s")
            % {"person": actor.display_name, "goal": request.goal.title, "answer": answer}
        ),
    )
    return request


@records_actor
@transaction.atomic
def withdraw_support(*, actor: Person, request: SupportRequest) -> SupportRequest:
    request = _lock(request)
    _check_may(actor, request, permissions.WITHDRAW)
    _decide(request, actor, SupportRequest.State.WITHDRAWN)
    return request
