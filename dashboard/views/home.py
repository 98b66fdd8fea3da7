"""The role-aware home page: everyone's own goals, this week's check-in and notifications, with
the way into the team dashboard, the alignment review and the company overview by role."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch, Q, Sum, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from coordination.selectors import home_task_forces
from goals.models import Goal, GoalSettings, KeyResult
from goals.selectors import current_cycle
from incentives.models import Award
from notifications.models import Notification
from org import scopes
from tracking.models import CheckIn, Feedback, local_today, week_start

from .common import expected_score


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


@login_required
def home(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    if viewer is None:
        return render(request, "dashboard/no_person.html", status=403)
    role_list = scopes.roles(viewer)
    today = timezone.localdate()
    cycle = current_cycle(today)
    settings = GoalSettings.load()
    goals = list(
        Goal.objects.filter(
            owner_person=viewer, cycle__starts_on__lte=today, cycle__ends_on__gte=today
        )
        .exclude(state=Goal.State.CLOSED)
        .select_related("cycle")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "pk"))
        )
        .order_by("cycle__ends_on", "title", "pk")
    )
    off_track = []
    for g in goals:
        g.expected = expected_score(g, settings)
        g.krs = []
        for kr in g.key_results.all():
            kr.current_status = kr.status(today, settings)
            g.krs.append(kr)
            if kr.current_status != "on_track":
                off_track.append(kr)
        g.current_status = min(
            (kr.current_status for kr in g.krs),
            key=["off_track", "at_risk", "on_track"].index,
            default="on_track",
        )
    # The check-in's week is the person's own (as on the check-in page); pace and cycle are the
    # organisation's day, as on the goal page and in the API.
    this_week = week_start(local_today(viewer))
    check_in = CheckIn.objects.filter(person=viewer, week=this_week).first()
    feedback = list(
        Feedback.objects.filter(check_in__person=viewer)
        .select_related("author", "check_in")
        .order_by("-created_at", "-pk")[:5]
    )
    # The person's own awards (always theirs to see), the first five with the points of all
    # granted ones (a window over all of them: one query); the same for the notifications
    # and how many are unread.
    awards = list(
        Award.objects.filter(person=viewer)
        .select_related("rule")
        .annotate(
            points_total=Window(
                Sum("points", filter=~Q(state=Award.State.PROPOSED)),
                output_field=Award._meta.get_field("points"),
            )
        )
        .order_by("-period_start", "rule__name", "pk")[:5]
    )
    points = awards[0].points_total if awards else 0
    notifications = list(
        Notification.objects.filter(recipient=viewer)
        .annotate(unread_total=Window(Count("pk", filter=Q(read_at__isnull=True))))
        .order_by("-created_at")[:6]
    )
    unread = notifications[0].unread_total if notifications else 0
    context = {
        "roles": role_list,
        "cycle": cycle,
        "goals": goals,
        "off_track": off_track,
        "check_in": check_in,
        "week": this_week,
        "this_week_url": _url("tracking:this-week"),
        "notifications": notifications,
        "feedback": feedback,
        "awards": awards,
        "points": points or 0,
        "unread": unread,
        "inbox_url": _url("notifications:inbox"),
        "similar_url": _url("retros:similar"),
        "lesson_targets": off_track[:3],
        "is_manager": "manager" in role_list,
        "can_review": "hrbp" in role_list or "admin" in role_list,
        "is_admin": "admin" in role_list,
        "hrbp_units": viewer.hrbp_assignments.select_related("unit") if "hrbp" in role_list else [],
        # The task forces the person is in, with their progress from the rollups.
        "task_forces": home_task_forces(viewer),
    }
    return render(request, "dashboard/home.html", context)
