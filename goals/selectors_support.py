"""Reads over support agreements: the links of a goal with their health, the requests a
person is asked to answer, and which goals depend on a supporting key result that is off
track. Scoped by goals.permissions; a fixed number of queries whatever the number of links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from goals import permissions
from goals.models import Goal, GoalSettings, KeyResult, Status, SupportRequest
from org.scopes import Viewer, ViewerLike

WORST = [Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK]


@dataclass
class SupportLink:
    goal: Goal  # the other goal of the link
    request: SupportRequest | None  # the accepted agreement, when the link came from one
    status: str  # the supporting side's health: its key result, else its worst key result

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def at_risk(self) -> bool:
        return self.status == Status.OFF_TRACK


def _health(supporting: Goal, request: SupportRequest | None, today, settings) -> str:
    krs = list(supporting.key_results.all())
    if request is not None and request.key_result_id:
        krs = [kr for kr in krs if kr.pk == request.key_result_id] or krs
    return min((kr.status(today, settings) for kr in krs), key=WORST.index, default=Status.ON_TRACK)


def _with_krs(qs: QuerySet[Goal]) -> QuerySet[Goal]:
    return qs.select_related("owner_person", "owner_unit", "cycle").prefetch_related(
        Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "pk"))
    )


def goal_links(
    goal: Goal, viewer: ViewerLike, *, today: dt.date | None = None
) -> dict[str, list[SupportLink]]:
    """`supported_by`: the visible goals supporting this one, each with its health (a
    dependency off track is at risk); `supports`: the visible goals this one supports, with
    this goal's own health on the key result each agreement names."""
    today = today or timezone.localdate()
    settings = GoalSettings.load()
    visible = permissions.visible_goals(viewer)
    accepted = {
        (r.supporting_goal_id, r.goal_id): r
        for r in SupportRequest.objects.filter(
            Q(goal=goal) | Q(supporting_goal=goal), state=SupportRequest.State.ACCEPTED
        ).order_by("decided_at", "pk")
    }
    supported_by = [
        SupportLink(g, accepted.get((g.pk, goal.pk)), Status.ON_TRACK)
        for g in _with_krs(visible.filter(supports=goal)).order_by("title", "pk")
    ]
    for link in supported_by:
        link.status = _health(link.goal, link.request, today, settings)
    supports = [
        SupportLink(g, accepted.get((goal.pk, g.pk)), Status.ON_TRACK)
        for g in visible.filter(supported_by=goal)
        .select_related("owner_person", "owner_unit")
        .order_by("title", "pk")
    ]
    if supports:
        own = _with_krs(Goal.objects.filter(pk=goal.pk)).get()
        for link in supports:
            link.status = _health(own, link.request, today, settings)
    return {"supported_by": supported_by, "supports": supports}


def goal_requests(goal: Goal, viewer: ViewerLike) -> list[SupportRequest]:
    """The open and recent requests made by or to this goal that the viewer may see, with
    what the viewer may do with each (`actions`)."""
    viewer = Viewer.of(viewer)
    rows = list(
        permissions.visible_support_requests(viewer)
        .filter(Q(goal=goal) | Q(supporting_goal=goal))
        .exclude(state=SupportRequest.State.ACCEPTED)
        .select_related(*permissions.SUPPORT_RELATED)[:50]
    )
    for row in rows:
        row.actions = permissions.support_actions(viewer, row)
    return rows


def support_requests(viewer: ViewerLike) -> QuerySet[SupportRequest]:
    """Every request the viewer may see, with both goals and their owners."""
    return (
        permissions.visible_support_requests(viewer)
        .select_related(*permissions.SUPPORT_RELATED)
        .order_by("-created_at", "-pk")
    )


def waiting_for(viewer: ViewerLike) -> list[SupportRequest]:
    """The open requests the viewer may answer now (asked of their goals or their units')."""
    viewer = Viewer.of(viewer)
    rows = support_requests(viewer).filter(state__in=SupportRequest.OPEN)[:200]
    out = []
    for row in rows:
        row.actions = [a for a in permissions.support_actions(viewer, row) if a != "withdraw"]
        if row.actions:
            out.append(row)
    return out


def dependencies_at_risk(goal_ids, viewer: ViewerLike, *, today: dt.date) -> set[int]:
    """Of these goals, those a visible supporting goal lets down: the key result its agreement
    names (else any of its key results) is off track. Three queries."""
    goal_ids = list(goal_ids)
    if not goal_ids:
        return set()
    through = Goal.supports.through
    pairs = list(
        through.objects.filter(to_goal_id__in=goal_ids).values_list("from_goal_id", "to_goal_id")
    )
    if not pairs:
        return set()
    supporters = {
        g.pk: g
        for g in _with_krs(permissions.visible_goals(viewer).filter(pk__in={s for s, _ in pairs}))
    }
    accepted = {
        (r.supporting_goal_id, r.goal_id): r
        for r in SupportRequest.objects.filter(
            goal_id__in=goal_ids, state=SupportRequest.State.ACCEPTED
        ).order_by("decided_at", "pk")
    }
    settings = GoalSettings.load()
    flagged = set()
    for supporting_id, goal_id in pairs:
        supporting = supporters.get(supporting_id)
        if supporting is None:
            continue
        request = accepted.get((supporting_id, goal_id))
        if _health(supporting, request, today, settings) == Status.OFF_TRACK:
            flagged.add(goal_id)
    return flagged


@dataclass
class CardLinks:
    supported_by: int = 0
    supports: int = 0
    at_risk: bool = False


def card_links(goal_ids, viewer: ViewerLike, *, today: dt.date) -> dict[int, CardLinks]:
    """For goal cards (the board): how many visible goals support each and each supports, and
    whether a dependency is off track. Four queries whatever the number of cards."""
    goal_ids = list(goal_ids)
    out = {pk: CardLinks() for pk in goal_ids}
    if not goal_ids:
        return out
    through = Goal.supports.through
    visible = permissions.visible_goals(viewer)
    for from_id, to_id in through.objects.filter(
        Q(from_goal_id__in=goal_ids, to_goal__in=visible.values("pk"))
        | Q(to_goal_id__in=goal_ids, from_goal__in=visible.values("pk"))
    ).values_list("from_goal_id", "to_goal_id"):
        if from_id in out:
            out[from_id].supports += 1
        if to_id in out:
            out[to_id].supported_by += 1
    for pk in dependencies_at_risk(
        [pk for pk, c in out.items() if c.supported_by], viewer, today=today
    ):
        out[pk].at_risk = True
    return out
