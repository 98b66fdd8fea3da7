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
    check_ins = {
        ci.person_id: ci
        for ci in CheckIn.objects.filter(
            person_id__in=ids, week=week, state=CheckIn.State.SUBMITTED
        )
    }
    updates = list(
        KeyResultUpdate.objects.filter(
            check_in__person_id__in=ids,
            check_in__week__in=[week, previous],
            check_in__state=CheckIn.State.SUBMITTED,
        ).select_related("key_result__goal", "cause", "check_in__person")
    )
    this_week = [u for u in updates if u.check_in.week == week]
    last_by_kr = {u.key_result_id: u for u in updates if u.check_in.week == previous}
    flagged = sorted(
        (u for u in this_week if u.status in (Status.AT_RISK, Status.OFF_TRACK)),
        key=lambda u: (-RANK[u.status], u.check_in.person.display_name, u.key_result.name),
    )
    causes = Counter(u.cause for u in flagged if u.cause is not None)
    counts = Counter(u.status for u in this_week if u.status)
    last_counts = Counter(u.status for u in last_by_kr.values() if u.status)
    improved, worsened = [], []
    for u in this_week:
        before = last_by_kr.get(u.key_result_id)
        if before is None or not before.status or not u.status:
            continue
        u.before = before
        u.progress_change = (u.progress or 0.0) - (before.progress or 0.0)
        if RANK[u.status] < RANK[before.status]:
            improved.append(u)
        elif RANK[u.status] > RANK[before.status]:
            worsened.append(u)
    progress_changes = [
        (u.progress or 0.0) - (last_by_kr[u.key_result_id].progress or 0.0)
        for u in this_week
        if u.key_result_id in last_by_kr
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
