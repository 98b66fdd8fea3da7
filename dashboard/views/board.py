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
from django.views.decorators.vary import vary_on_headers

from core.db import replica_reads
from goals import permissions as goal_permissions
from goals import selectors_lists, selectors_support
from goals.models import Goal, GoalSettings, KeyResult, Status
from goals.services import pace
from org.models import Unit

from .common import chosen_cycle, cycles, expected_score

CARD_LIMIT = 200
COLUMNS = selectors_lists.BOARD_COLUMNS
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


def _board_scope(request: HttpRequest):
    """The cycle, the cycles and every unit for the filter, the unit chosen (or None); 404
    for unknown. A cycle of the filter's list costs no query of its own."""
    choices = cycles()
    raw_cycle = request.GET.get("cycle")
    cycle = next((c for c in choices if str(c.pk) == raw_cycle), None) if raw_cycle else None
    cycle = cycle or chosen_cycle(request)
    if cycle is None:
        raise Http404
    units = list(Unit.objects.order_by("path").only("pk", "name", "path"))
    unit = None
    raw = request.GET.get("unit")
    if raw:
        unit = next((u for u in units if str(u.pk) == raw), None)
        if unit is None:
            raise Http404
    return cycle, choices, units, unit


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        raise Http404 from None


def _decorate(cards: list, viewer, today) -> None:
    settings = GoalSettings.load()
    links = selectors_support.card_links([g.pk for g in cards], viewer, today=today)
    for g in cards:
        g.expected = expected_score(g, settings)
        g.links = links[g.pk]


def _more_url(request: HttpRequest, column: str, page: int) -> str:
    params = request.GET.copy()
    params["column"], params["page"] = column, page
    return f"{request.path}?{params.urlencode()}"


@login_required
@replica_reads
@vary_on_headers("HX-Request")
def board(request: HttpRequest) -> HttpResponse:
    """Goal cards in four columns (not agreed yet; agreed by their worst key result's pace),
    BOARD_PAGE cards per column, the next ones on demand: "more" loads the column's next page
    (htmx, into the column; without htmx, a page with that column's next cards). Counts per
    column from one aggregate; a fixed number of queries whatever the number of goals. The
    cards and the unit filter's options are written in Python (dashboard.board_markup): 200
    cards and 1,026 units through the template engine were most of the page's time."""
    viewer = request.person
    cycle, choices, units, unit = _board_scope(request)
    today = timezone.localdate()
    scope = KeyResult.objects.filter(goal__cycle=cycle).exclude(goal__state=Goal.State.CLOSED)
    if unit is not None:
        scope = scope.filter(goal__owner_path__startswith=unit.path)
    pace.refresh(scope, today)
    goals = selectors_lists.board_goals(viewer, cycle, unit.path if unit else None)
    column = request.GET.get("column")
    if column is not None and column not in COLUMNS:
        raise Http404
    page = _page_number(request.GET.get("page")) if column else 1
    per_page = selectors_lists.BOARD_PAGE
    if request.htmx and column:
        rows = selectors_lists.board_column_page(goals, column, page)
        _decorate(rows, viewer, today)
        more = len(rows) == per_page
        return render(
            request,
            "dashboard/_board_cards.html",
            {"goals": rows, "more_url": _more_url(request, column, page + 1) if more else None},
        )
    counts = selectors_lists.board_counts(goals)
    cards = selectors_lists.board_first_pages(goals)
    if column and page > 1:
        # Without htmx, "more" opens this page with the column's next cards in its place.
        cards[column] = selectors_lists.board_column_page(goals, column, page)
    _decorate([g for rows in cards.values() for g in rows], viewer, today)
    labels = {
        "not_agreed": _("Not agreed yet"),
        Status.ON_TRACK: Status.ON_TRACK.label,
        Status.AT_RISK: Status.AT_RISK.label,
        Status.OFF_TRACK: Status.OFF_TRACK.label,
    }
    columns = []
    for key in COLUMNS:
        rows = cards[key]
        shown = page if key == column else 1
        first = (shown - 1) * per_page
        columns.append(
            {
                "key": key,
                "label": labels[key],
                "goals": rows,
                "count": counts[key],
                "first": first + 1,
                "last": first + len(rows),
                "paged": first > 0,
                "more_url": _more_url(request, key, shown + 1)
                if counts[key] > first + len(rows)
                else None,
            }
        )
    return render(
        request,
        "dashboard/board.html",
        {
            "cycle": cycle,
            "cycles": choices,
            "units": units,
            "unit": unit,
            "allow_all_units": True,
            "columns": columns,
            "total": sum(counts.values()),
            "per_page": per_page,
        },
    )


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
