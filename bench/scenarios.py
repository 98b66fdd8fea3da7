"""What `make bench` measures, resolved against the scale data (Django is set up)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count

from bench.client import Endpoint
from org.models import HRBPAssignment, Person, Unit

PASSWORD = settings.KEEL_DEMO_PASSWORD

# The spans of control measured: the manager dashboard of the heads of units of about this many
# people (the CEO's is the whole company), the alignment review of a team, a department and a
# division.
TEAM, DEPARTMENT, DIVISION = 8, 500, 2_000


def _synthetic_root(employees: int) -> Unit:
    return Unit.objects.get(name=f"Synthetic Co. {employees}/1", parent=None)


@dataclass(frozen=True)
class Span:
    """A unit of the scale data with the number of people below its head (its whole subtree,
    the head excluded: the people the head's manager dashboard shows)."""

    unit: Unit
    people: int


def spans(root: Unit) -> list[Span]:
    """Every unit under `root` (itself included) with the people below its head: two queries
    (the units, the active people per unit), summed up each unit's path in Python."""
    units = list(Unit.objects.filter(path__startswith=root.path).select_related("head__user"))
    per_unit = (
        Person.objects.filter(unit__path__startswith=root.path, is_active=True)
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    below: dict[int, int] = {}
    for unit_id, n in per_unit:
        below[unit_id] = below.get(unit_id, 0) + n
    path_of = {u.pk: u.path for u in units}
    totals = dict.fromkeys(path_of, 0)
    for unit_id, n in below.items():
        # A unit's path is "/root/.../itself/": every unit on it counts these people.
        for part in path_of[unit_id].strip("/").split("/"):
            if int(part) in totals:
                totals[int(part)] += n
    return [
        Span(unit=u, people=totals[u.pk] - (1 if u.head_id else 0))
        for u in units
        if u.head_id is not None
    ]


def closest(candidates: list[Span], size: int) -> Span:
    """The span whose people are closest to `size` (the shallowest, then the first made, on a
    tie): the same choice for the same data, whatever its size."""
    return min(candidates, key=lambda s: (abs(s.people - size), s.unit.depth, s.unit.pk))


def people(employees: int) -> dict[str, Person]:
    """The personas, found in the scale data by the size of what they lead (10,000 or 100,000
    people alike): the heads of units of ~8, ~500 and ~2,000 people and the CEO (the head of
    the company), an employee of the team of ~8, and for the alignment reviews the HRBP who
    covers a team, a department and a division of those sizes."""
    return personas(units(employees))


def personas(chosen: dict) -> dict[str, Person]:
    """`people()` from the units `units()` chose."""
    team = chosen["team_of_8"].unit
    employee = (
        Person.objects.filter(unit=team, level=Person.Level.FRONTLINE, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    found = {"employee": employee}
    for key in ("team_of_8", "head_of_500", "head_of_2000", "ceo"):
        found[key] = chosen[key].unit.head
    for key in ("review_team", "review_department", "review_division"):
        found[key] = chosen[key + "_hrbp"]
    # The names the rows used before (`team_lead`, `head_500`, `hrbp_2000`).
    found["team_lead"] = found["team_of_8"]
    found["head_500"] = found["head_of_500"]
    found["hrbp_2000"] = found["review_division"]
    return found


def units(employees: int) -> dict:
    """The units behind each row (`Span`s) and, for the alignment reviews, the HRBP covering
    each reviewed unit (`<row>_hrbp`)."""
    root = _synthetic_root(employees)
    all_spans = spans(root)
    below_root = [s for s in all_spans if s.unit.pk != root.pk] or all_spans
    chosen: dict = {
        "team_of_8": closest(below_root, TEAM),
        "head_of_500": closest(below_root, DEPARTMENT),
        "head_of_2000": closest(below_root, DIVISION),
        "ceo": next(s for s in all_spans if s.unit.pk == root.pk),
    }
    # Alignment reviews are for the HRBPs of a unit (and admins): the units some HRBP covers.
    assignments = list(
        HRBPAssignment.objects.filter(unit__path__startswith=root.path)
        .select_related("person__user", "unit")
        .order_by("pk")
    )
    if not assignments:
        raise SystemExit("the scale data has no HRBP: seed it with seed_demo --employees N")
    covered = [
        s for s in below_root if any(s.unit.path.startswith(a.unit.path) for a in assignments)
    ] or below_root
    for key, size in (
        ("review_team", TEAM),
        ("review_department", DEPARTMENT),
        ("review_division", DIVISION),
    ):
        span = closest(covered, size)
        chosen[key] = span
        chosen[key + "_hrbp"] = next(
            (a.person for a in assignments if span.unit.path.startswith(a.unit.path)),
            assignments[0].person,
        )
    return chosen


def _quarter():
    from django.utils import timezone

    from goals.models import Cycle

    today = timezone.localdate()
    return (
        Cycle.objects.filter(kind=Cycle.Kind.QUARTER, starts_on__lte=today, ends_on__gte=today)
        .order_by("pk")
        .first()
    )


def _five_key_results(employee: Person, quarter) -> list[int]:
    """The employee's bench goal with five key results (made once, through the service)."""
    from goals.models import Goal
    from goals.services import create_goal

    title = "Bench: five key results"
    goal = Goal.objects.filter(owner_person=employee, title=title).first()
    if goal is None:
        parent = Goal.objects.filter(owner_unit=employee.unit, cycle=quarter).first()
        goal = create_goal(
            actor=None,
            cycle=quarter,
            title=title,
            level=Goal.Level.PERSON,
            owner_person=employee,
            parent=parent,
            key_results=[
                {"name": f"Bench indicator {i}", "target_value": 100, "unit": "points"}
                for i in range(1, 6)
            ],
        )
        # Saved, not updated: the read models (rollups, alignment findings) follow the state.
        goal.state = Goal.State.AGREED
        goal.save()
    return list(goal.key_results.order_by("position").values_list("pk", flat=True))


def _check_in_id(employee: Person) -> int:
    from tracking.services import open_check_in

    check_in, _created = open_check_in(person=employee)
    return check_in.pk


def endpoints(*, employees: int) -> list[Endpoint]:
    from django.core.management import call_command

    from goals.models import Goal

    chosen = units(employees)
    p = personas(chosen)
    u = {k: v.user.username for k, v in p.items()}
    root = _synthetic_root(employees)
    quarter = _quarter()
    krs = _five_key_results(p["employee"], quarter)
    check_in = _check_in_id(p["employee"])
    submit = {
        "done": "Benchmark week.",
        "updates": [
            # Ahead of any pace, so no key result is off track (which would need a cause and
            # an action, a 400 without them): the submit is measured, not its refusal.
            {"key_result": pk, "value": str(95 + i), "confidence": "on_track"}
            for i, pk in enumerate(krs)
        ],
    }
    company_goal = Goal.objects.filter(owner_unit=root, level=Goal.Level.COMPANY).first()
    # A division's goal: its branch (departments, teams, people) is what an expand loads.
    division_goal = company_goal.children.order_by("pk").first()
    department = chosen["head_of_500"].unit
    one_goal = Goal.objects.filter(owner_person=p["employee"]).exclude(pk__in=[]).first()
    call_command("bench_lessons_search", count=50_000, repeat=1, stdout=open("/dev/null", "w"))  # noqa: SIM115
    q = f"cycle={quarter.pk}"

    def size(key: str) -> str:
        """The people the row's unit holds, after its nominal size in the row's name (the
        names stay the same from one data set to the next; the counts say what was found)."""
        return f"({chosen[key].people:,})"

    def review(key: str, label: str) -> Endpoint:
        unit = chosen[key].unit
        return Endpoint(
            f"alignment review, {label} {size(key)}",
            f"/dashboard/alignment/?unit={unit.pk}&{q}",
            user=u[key],
            limit=10,
        )

    return [
        # The floors: every other row's ratio is to one of them (docs/benchmarks.md).
        Endpoint("floor: minimal view", "/bench/floor", group="floor", limit=None),
        Endpoint(
            "floor: signed-in empty page", "/bench/page", user=u["employee"], group="floor", limit=3
        ),
        Endpoint(
            "floor: signed-in minimal API call",
            "/api/v1/bench/floor/",
            user=u["employee"],
            token=True,
            group="floor",
            limit=None,
        ),
        Endpoint("floor: /healthz", "/healthz", group="floor", limit=None),
        Endpoint("employee home", "/", user=u["employee"]),
        Endpoint("This week page", "/tracking/", user=u["employee"]),
        Endpoint(
            "check-in submit, 5 key results (API)",
            f"/api/v1/check-ins/{check_in}/submit/",
            user=u["employee"],
            method="POST",
            json=submit,
            token=True,
        ),
        Endpoint(
            f"manager dashboard, team of ~8 {size('team_of_8')}",
            f"/dashboard/team/?{q}",
            user=u["team_of_8"],
        ),
        Endpoint(
            f"manager dashboard, head of ~500 {size('head_of_500')}",
            f"/dashboard/team/?{q}",
            user=u["head_of_500"],
        ),
        Endpoint(
            f"manager dashboard, head of ~2,000 {size('head_of_2000')}",
            f"/dashboard/team/?{q}",
            user=u["head_of_2000"],
        ),
        Endpoint(
            f"manager dashboard, CEO {size('ceo')}",
            f"/dashboard/team/?{q}",
            user=u["ceo"],
        ),
        review("review_team", "team of ~8"),
        review("review_department", "department of ~500"),
        review("review_division", "division of ~2,000"),
        # The tree page shows every level: two open, each deeper branch on expand (the
        # page itself, then one expansion of a division's branch, are measured).
        Endpoint(
            "company goal tree (page, 2 levels open)",
            f"/goals/{company_goal.pk}/tree/",
            user=u["head_500"],
            limit=10,
        ),
        Endpoint(
            "company goal tree: expand a branch",
            f"/goals/{division_goal.pk}/tree/?children=1",
            user=u["head_500"],
            limit=10,
            htmx=True,
        ),
        Endpoint(
            "OKR board, one unit", f"/dashboard/board/?unit={department.pk}&{q}", user=u["head_500"]
        ),
        Endpoint("people directory page", "/people/", user=u["employee"]),
        Endpoint(
            "API goals list (page of 50)",
            "/api/v1/goals/?page_size=50",
            user=u["head_500"],
            token=True,
            group="api",
        ),
        Endpoint(
            "API key results of a goal",
            f"/api/v1/key-results/?goal={one_goal.pk}",
            user=u["employee"],
            token=True,
            group="api",
        ),
        Endpoint(
            "API people list (page of 50)",
            "/api/v1/people/",
            user=u["employee"],
            token=True,
            group="api",
        ),
        Endpoint(
            "API measurement push",
            f"/api/v1/key-results/{krs[0]}/measurements/",
            user=u["employee"],
            method="POST",
            json={"value": "42", "note": "bench"},
            token=True,
            group="api",
        ),
        Endpoint(
            "API lessons search (50,000 lessons)",
            "/api/v1/lessons/?search=短视频引流",
            user=u["employee"],
            token=True,
            group="api",
            target_ms=100,  # the lessons search answers within 100 ms
        ),
    ]


def jobs(*, employees: int) -> list[dict]:
    """The batch jobs `bench/jobs.py` runs, with their targets (issue 18: for 10,000 people)."""
    n = f"{employees:,}"
    return [
        {
            "name": f"reminder dispatch + send, {n} people",
            "argv": ["bench/jobs.py", "reminders"],
            "target_s": 5,
        },
        {"name": "full progress recompute", "argv": ["bench/jobs.py", "recompute"], "target_s": 30},
        {
            "name": f"incentive evaluation, one rule, {n} people",
            "argv": ["bench/jobs.py", "incentives"],
            "target_s": 3,
        },
        {"name": "full rollup rebuild", "argv": ["bench/jobs.py", "rollups"], "target_s": 10},
    ]
