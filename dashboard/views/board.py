"""The OKR board (goal cards by status) and the timeline (Gantt-style bars of goals and key
results with milestones and today's line), filtered by unit and cycle, server-rendered."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.db import replica_reads
from goals import permissions as goal_permissions
from goals import selectors_support
from goals.models import Goal, GoalSettings, KeyResult, Status
from org.models import Unit

from .common import chosen_cycle, cycles, expected_score

CARD_LIMIT = 200
COLUMNS = ("not_agreed", Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)
WORST = [Status.OFF_TRACK, Status.AT_RISK, Status.ON_TRACK]


def _filtered(request: HttpRequest):
    viewer = request.person
    cycle = chosen_cycle(request)
    if cycle is None:
        raise Http404
    units = list(Unit.objects.order_by("path"))
    unit = None
    raw = request.GET.get("unit")
    if raw:
        unit = next((u for u in units if str(u.pk) == raw), None)
        if unit is None:
            raise Http404
    qs = goal_permissions.visible_goals(viewer).filter(cycle=cycle).exclude(state=Goal.State.CLOSED)
    if unit is not None:
        qs = qs.filter(Q(owner_path__startswith=unit.path))
    total = qs.count()
    goals = list(
        qs.select_related("cycle", "owner_person", "owner_unit")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "pk"))
        )
        .annotate(
            level_rank=Case(
                When(level=Goal.Level.COMPANY, then=Value(0)),
                When(level=Goal.Level.UNIT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .order_by("level_rank", "owner_path", "title", "pk")[:CARD_LIMIT]
    )
    today = timezone.localdate()
    settings = GoalSettings.load()
    for g in goals:
        g.expected = expected_score(g, settings)
        g.krs = list(g.key_results.all())
        for kr in g.krs:
            kr.current_status = kr.status(today, settings)
        g.current_status = min(
            (kr.current_status for kr in g.krs), key=WORST.index, default=Status.ON_TRACK
        )
    # Support agreements across units: counts both ways, and a dependency off track.
    links = selectors_support.card_links([g.pk for g in goals], viewer, today=today)
    for g in goals:
        g.links = links[g.pk]
    return {
        "cycle": cycle,
        "cycles": cycles(),
        "units": units,
        "unit": unit,
        "allow_all_units": True,
        "goals": goals,
        "total": total,
        "shown": len(goals),
        "today": today,
    }


@login_required
@replica_reads
def board(request: HttpRequest) -> HttpResponse:
    context = _filtered(request)
    columns = {key: [] for key in COLUMNS}
    for g in context["goals"]:
        agreed = g.state == Goal.State.AGREED
        columns[g.current_status if agreed else "not_agreed"].append(g)
    labels = {
        "not_agreed": _("Not agreed yet"),
        Status.ON_TRACK: Status.ON_TRACK.label,
        Status.AT_RISK: Status.AT_RISK.label,
        Status.OFF_TRACK: Status.OFF_TRACK.label,
    }
    context["columns"] = [(key, labels[key], columns[key]) for key in COLUMNS]
    return render(request, "dashboard/board.html", context)


def _pct(day: dt.date, start: dt.date, span: int) -> float:
    return round(max(0.0, min(100.0, (day - start).days / span * 100)), 2)


@login_required
@replica_reads
def timeline(request: HttpRequest) -> HttpResponse:
    context = _filtered(request)
    cycle = context["cycle"]
    start, end = cycle.starts_on, cycle.ends_on
    span = max((end - start).days, 1)
    rows = []
    for g in context["goals"]:
        g_start = max(g.cycle.starts_on, start)
        dues = [kr.due_on for kr in g.krs if kr.due_on] or [g.cycle.ends_on]
        g_end = min(max(dues), end)
        left = _pct(g_start, start, span)
        rows.append(
            {
                "kind": "goal",
                "obj": g,
                "left": left,
                "width": max(_pct(g_end, start, span) - left, 1),
                "progress": round(g.progress * 100),
                "status": g.current_status,
                "due": g_end,
                "stones": [],
            }
        )
        for kr in g.krs:
            k_end = min(kr.due_on or g.cycle.ends_on, end)
            stones = []
            for stone in kr.milestones or []:
                try:
                    day = dt.date.fromisoformat(str(stone["date"]))
                except (KeyError, ValueError):
                    continue
                stones.append(
                    {"left": _pct(day, start, span), "date": day, "value": stone.get("value")}
                )
            rows.append(
                {
                    "kind": "kr",
                    "obj": kr,
                    "left": left,
                    "width": max(_pct(k_end, start, span) - left, 1),
                    "progress": round(kr.progress * 100),
                    "status": kr.current_status,
                    "due": k_end,
                    "stones": stones,
                }
            )
    today = context["today"]
    context.update(
        {
            "rows": rows,
            "today_left": _pct(today, start, span) if start <= today <= end else None,
            "months": _months(start, end, span),
        }
    )
    return render(request, "dashboard/timeline.html", context)


def _months(start: dt.date, end: dt.date, span: int) -> list[dict]:
    marks, day = [], start.replace(day=1)
    while day <= end:
        if day >= start:
            marks.append({"left": _pct(day, start, span), "date": day})
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return marks
