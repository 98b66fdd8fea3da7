"""Reads for managers: the team's check-ins for a week and the weekly review summary."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Prefetch

from goals.models import Status
from org import scopes
from org.models import Person
from tracking.models import (
    CheckIn,
    Feedback,
    KeyResultUpdate,
    WeeklyReview,
    local_today,
    week_start,
)


def default_review_week(today: dt.date | None = None, *, manager: Person | None = None) -> dt.date:
    """The week a weekly review looks at by default: check-ins are due by Friday, so from
    Friday on it is this week, before that the week just ended (the Monday reminder)."""
    today = today or local_today(manager)
    current = week_start(today)
    return current if today.weekday() >= 4 else current - dt.timedelta(weeks=1)


RANK = {Status.ON_TRACK: 0, Status.AT_RISK: 1, Status.OFF_TRACK: 2}


def _team(manager: Person) -> list[Person]:
    return list(
        scopes.managed_people(manager)
        .filter(is_active=True)
        .select_related("unit")
        .order_by("display_name", "pk")
    )


def team_check_ins(*, manager: Person, week: dt.date) -> list[dict]:
    """Each person the manager manages with their check-in of the week (or None), its updates
    and feedback: a fixed number of queries for any team size."""
    week = week_start(week)
    team = _team(manager)
    check_ins = {
        ci.person_id: ci
        for ci in CheckIn.objects.filter(
            person__in=[p.pk for p in team], week=week
        ).prefetch_related(
            Prefetch(
                "updates",
                queryset=KeyResultUpdate.objects.select_related("key_result", "cause"),
            ),
            Prefetch(
                "feedback",
                queryset=Feedback.objects.select_related("author", "update__key_result"),
            ),
        )
    }
    return [{"person": p, "check_in": check_ins.get(p.pk)} for p in team]


def weekly_review_summary(*, manager: Person, week: dt.date, today: dt.date | None = None) -> dict:
    """The team's week for the manager's review: submitted X of Y and who is missing, every
    at-risk and off-track key result with its cause and action, the top cause tags,
    week-over-week movement, and the saved review (decisions) if any."""
    week = week_start(week)
    previous = week - dt.timedelta(weeks=1)
    team = _team(manager)
    ids = [p.pk for p in team]
    # One row per submitted check-in of the two weeks and update (None for a check-in without
    # updates), as plain values: the counts and the movement are computed from these, and only
    # the updates the page lists become objects (a second query), whatever the team's size.
    rows = list(
        CheckIn.objects.filter(
            person_id__in=ids, week__in=[week, previous], state=CheckIn.State.SUBMITTED
        )
        .order_by()
        .values_list(
            "person_id",
            "week",
            "updates__pk",
            "updates__key_result_id",
            "updates__status",
            "updates__progress",
        )
    )
    check_ins = {person_id for person_id, w, *_rest in rows if w == week}
    this_week = [
        (pk, kr, status, progress)
        for _p, w, pk, kr, status, progress in rows
        if w == week and pk is not None
    ]
    last_by_kr = {
        kr: (status, progress)
        for _p, w, pk, kr, status, progress in rows
        if w == previous and pk is not None
    }
    flagged_ids = {
        pk for pk, _kr, status, _pr in this_week if status in (Status.AT_RISK, Status.OFF_TRACK)
    }
    moved_ids = set()
    for pk, kr, status, _progress in this_week:
        before = last_by_kr.get(kr)
        if before is None or not before[0] or not status:
            continue
        if RANK[status] != RANK[before[0]]:
            moved_ids.add(pk)
    listed = (
        list(
            KeyResultUpdate.objects.filter(pk__in=flagged_ids | moved_ids).select_related(
                "key_result__goal", "cause", "check_in__person"
            )
        )
        if flagged_ids or moved_ids
        else []
    )
    flagged = sorted(
        (u for u in listed if u.pk in flagged_ids),
        key=lambda u: (-RANK[u.status], u.check_in.person.display_name, u.key_result.name),
    )
    causes = Counter(u.cause for u in flagged if u.cause is not None)
    counts = Counter(status for _pk, _kr, status, _pr in this_week if status)
    last_counts = Counter(status for status, _pr in last_by_kr.values() if status)
    improved, worsened = [], []
    for u in listed:
        if u.pk not in moved_ids:
            continue
        status, progress = last_by_kr[u.key_result_id]
        u.before = KeyResultUpdate(status=status, progress=progress)
        u.progress_change = (u.progress or 0.0) - (progress or 0.0)
        if RANK[u.status] < RANK[status]:
            improved.append(u)
        else:
            worsened.append(u)
    progress_changes = [
        (progress or 0.0) - (last_by_kr[kr][1] or 0.0)
        for _pk, kr, _status, progress in this_week
        if kr in last_by_kr
    ]
    statuses = [Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK]
    return {
        "manager": manager,
        "week": week,
        "is_current": week == week_start(today or local_today(manager)),
        "team": team,
        "expected_count": len(team),
        "submitted_count": len(check_ins),
        "submitted": [p for p in team if p.pk in check_ins],
        "missing": [p for p in team if p.pk not in check_ins],
        "flagged": flagged,
        "top_causes": causes.most_common(5),
        "counts": {s: counts.get(s, 0) for s in statuses},
        "movement": [
            {
                "status": s,
                "label": Status(s).label,
                "count": counts.get(s, 0),
                "change": counts.get(s, 0) - last_counts.get(s, 0),
            }
            for s in statuses
        ],
        "improved": improved,
        "worsened": worsened,
        "average_progress_change": (
            sum(progress_changes) / len(progress_changes) if progress_changes else None
        ),
        "review": WeeklyReview.objects.filter(manager=manager, week=week).first(),
    }
