"""Week-by-week series from check-ins, for the charts of the manager dashboard, the weekly
review and the company overview. Each is a fixed number of queries whatever the number of
people, key results or units."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from core import charts
from org.models import Person
from org.scopes import Viewer, subtree_q
from tracking.models import UnitWeekRollup, week_start


def weeks_up_to(week: dt.date, *, count: int = 12) -> list[dt.date]:
    """The `count` weeks (Mondays) ending with `week`'s, oldest first."""
    last = week_start(week)
    return [last - dt.timedelta(weeks=n) for n in range(count - 1, -1, -1)]


def _person_weeks(person_ids, weeks: list[dt.date]) -> dict[tuple[int, dt.date], tuple]:
    """Per person and week: (submitted check-ins, updates with a progress, progress sum) of
    the submitted check-ins, as the rollup counts them. One query."""
    if not person_ids:
        return {}
    from tracking.services.week_rollups import totals_by

    rows = totals_by("person_id", people=Q(pk__in=list(person_ids)), weeks=weeks)
    return {
        key: (v["submitted"], v["progress_updates"], v["progress_sum"]) for key, v in rows.items()
    }


def team_trend_from_rollup(*, team: list, manager, weeks: list[dt.date]) -> list[dict]:
    """Per week: how many of a manager's team (active people, the manager not among them)
    submitted a check-in, that share, and the average key-result progress they reported
    (None for a week without any), read from the unit × week rollup: the rows of the units
    the team's people belong to, whole when every active member of the unit is on the team
    (less the manager's own check-ins when they are a member), the people of the other units
    one by one. One query, two when some
    unit is shared with people outside the team (or with the manager)."""
    if not weeks:
        return []
    size = len(team)
    members: dict[int, list[int]] = defaultdict(list)
    for person in team:
        members[person.unit_id].append(person.pk)
    rows = list(
        UnitWeekRollup.objects.filter(unit_id__in=list(members), week__in=weeks).values_list(
            "unit_id", "week", "people", "submitted", "progress_updates", "progress_sum"
        )
    )
    headcount = {unit_id: people for unit_id, _w, people, *_rest in rows}
    manager_counts = manager is not None and manager.is_active
    whole, direct, less = set(), set(), set()
    for unit_id, people in headcount.items():
        with_manager = manager_counts and manager.unit_id == unit_id
        if people == len(members[unit_id]) + (1 if with_manager else 0):
            whole.add(unit_id)
            if with_manager:
                less.add(manager.pk)
        else:
            direct.update(members[unit_id])
    submitted: dict[dt.date, int] = defaultdict(int)
    with_progress: dict[dt.date, int] = defaultdict(int)
    progress: dict[dt.date, float] = defaultdict(float)
    for unit_id, week, _people, n, p, total in rows:
        if unit_id in whole:
            submitted[week] += n
            with_progress[week] += p
            progress[week] += total
    for (pk, week), (n, p, total) in _person_weeks(direct | less, weeks).items():
        sign = -1 if pk in less else 1
        submitted[week] += sign * n
        with_progress[week] += sign * p
        progress[week] += sign * total
    totals = {w: (submitted[w], with_progress[w], progress[w]) for w in submitted}
    return _trend_rows(totals, size=size, weeks=weeks)


def _trend_rows(totals: dict[dt.date, tuple], *, size: int, weeks: list[dt.date]) -> list[dict]:
    """Per week: check-ins submitted, their share of `size` people and the average progress
    reported (None for a week without any), from (submitted, updates with a progress,
    progress sum) per week."""
    rows = []
    for w in weeks:
        submitted, with_progress, progress = totals.get(w, (0, 0, 0.0))
        rows.append(
            {
                "week": w,
                "submitted": submitted,
                "rate": (submitted / size) if size else 0.0,
                "progress": (progress / with_progress) if with_progress else None,
            }
        )
    return rows


def managed_week_totals(viewer: Viewer, weeks: list[dt.date]) -> dict[dt.date, tuple]:
    """Per week: (submitted check-ins, updates with a progress, progress sum) of the active
    people `viewer` manages, read by their scope (`org.scopes.ManagedScope`): the unit × week
    rows of the subtrees summed by path (one grouped query, whatever the number of people),
    plus the few managed from outside those subtrees, less the viewer's own check-ins when
    they sit in one of them (one query for both, person by person). The same numbers as
    `team_trend_from_rollup` over the same team, without listing the team."""
    totals: dict[dt.date, list] = defaultdict(lambda: [0, 0, 0.0])
    if not weeks or viewer.person is None:
        return {}
    scope = viewer.managed_scope
    in_subtrees = subtree_q(scope.paths)
    if in_subtrees is not None:
        for week, n, p, total in (
            UnitWeekRollup.objects.filter(in_subtrees, week__in=weeks)
            .order_by()
            .values("week")
            .annotate(n=Sum("submitted"), p=Sum("progress_updates"), total=Sum("progress_sum"))
            .values_list("week", "n", "p", "total")
        ):
            totals[week] = [n or 0, p or 0, total or 0.0]
    # The people outside the subtrees, and the viewer when in one (no need to know where).
    person = viewer.person
    people = Q(pk__in=sorted(scope.extra)) if scope.extra else None
    if in_subtrees is not None:
        own = Q(pk=person.pk) & in_subtrees
        people = own if people is None else people | own
    if people is not None:
        from tracking.services.week_rollups import totals_by

        for (pk, week), v in totals_by("person_id", people=people, weeks=weeks).items():
            sign = -1 if pk == person.pk else 1
            row = totals[week]
            row[0] += sign * v["submitted"]
            row[1] += sign * v["progress_updates"]
            row[2] += sign * v["progress_sum"]
    return {week: tuple(row) for week, row in totals.items()}


def managed_trend(viewer: Viewer, *, size: int, weeks: list[dt.date]) -> list[dict]:
    """`team_trend_from_rollup`'s rows for the people `viewer` manages (`size` of them),
    from `managed_week_totals`."""
    return _trend_rows(managed_week_totals(viewer, weeks), size=size, weeks=weeks)


def team_trend_chart(rows: list[dict], *, size: int) -> charts.LineChart | None:
    """The team's reported progress and check-in rate, week by week."""
    if not rows:
        return None
    progress_name, rate_name = _("Average progress reported"), _("Checked in")
    return charts.line_chart(
        label=_("The team's progress and check-ins by week"),
        x_labels=[f"{r['week']:%V}" for r in rows],
        series=[
            (progress_name, "actual", [r["progress"] for r in rows]),
            (rate_name, "rate", [r["rate"] for r in rows]),
        ],
        dotted=("actual", "rate"),
        table=charts.Table(
            caption=_("The team's progress and check-ins by week"),
            headers=[_("Week"), progress_name, rate_name, _("Check-ins")],
            rows=[
                [
                    f"{r['week']:%G-W%V}",
                    charts.percent(r["progress"]),
                    charts.percent(r["rate"]),
                    f"{r['submitted']} / {size}",
                ]
                for r in rows
            ],
        ),
    )


def unit_check_in_rates(units, *, weeks: list[dt.date]) -> list[tuple[object, list[float]]]:
    """Per unit (each with its whole subtree) and week: the share of its active people who
    submitted a check-in that week, as the company overview counts this week's completion.
    Two queries whatever the number of units and people: the check-ins are read from the
    unit × week rollup (the people active now, as the denominator counts them)."""
    if not units or not weeks:
        return []

    def bucket(path: str):
        return next((u for u in units if path and path.startswith(u.path)), None)

    people: dict[int, int] = defaultdict(int)
    for r in Person.objects.filter(is_active=True).values("unit__path").annotate(n=Count("pk")):
        unit = bucket(r["unit__path"])
        if unit:
            people[unit.pk] += r["n"]
    done: dict[tuple[int, dt.date], int] = defaultdict(int)
    for path, week, n in UnitWeekRollup.objects.filter(week__in=weeks).values_list(
        "unit__path", "week", "submitted"
    ):
        unit = bucket(path)
        if unit:
            done[(unit.pk, week)] += n
    return [
        (u, [(done[(u.pk, w)] / people[u.pk]) if people[u.pk] else 0.0 for w in weeks])
        for u in units
    ]


def unit_heatmap(units, *, weeks: list[dt.date]) -> charts.Heatmap | None:
    """Units × weeks of check-in rates: red is few, green is most."""
    rows = unit_check_in_rates(units, weeks=weeks)
    if not rows:
        return None
    return charts.heatmap(
        label=_("Check-in rate by unit and week"),
        columns=[f"{w:%V}" for w in weeks],
        rows=[(u.name, values) for u, values in rows],
        table=charts.Table(
            caption=_("Check-in rate by unit and week"),
            headers=[_("Unit"), *[f"{w:%G-W%V}" for w in weeks]],
            rows=[[u.name, *[charts.percent(v) for v in values]] for u, values in rows],
        ),
    )
