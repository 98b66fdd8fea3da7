"""What `make bench` measures, resolved against the scale data (Django is set up)."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count

from bench.client import Endpoint
from org.models import HRBPAssignment, Person, Unit

PASSWORD = settings.KEEL_DEMO_PASSWORD


def _synthetic_root(employees: int) -> Unit:
    return Unit.objects.get(name=f"Synthetic Co. {employees}/1", parent=None)


def people(employees: int) -> dict[str, Person]:
    """The personas: an employee, the head of a team of ~8–10, the head of a ~500-person unit,
    the HRBP of a ~2,000-person unit."""
    root = _synthetic_root(employees)
    units = Unit.objects.filter(path__startswith=root.path)
    team = (
        units.filter(kind=Unit.Kind.TEAM, head__isnull=False)
        .annotate(n=Count("members"))
        .filter(n__gte=8)
        .order_by("pk")
        .first()
    )
    department = units.filter(kind=Unit.Kind.DEPARTMENT).order_by("pk").first()
    employee = Person.objects.filter(unit=team, level=Person.Level.FRONTLINE).order_by("pk")[0]
    hrbp = HRBPAssignment.objects.filter(unit__path__startswith=root.path).first().person
    return {
        "employee": employee,
        "team_lead": team.head,
        "head_500": department.head,
        "hrbp_2000": hrbp,
    }


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
        Goal.objects.filter(pk=goal.pk).update(state=Goal.State.AGREED)
    return list(goal.key_results.order_by("position").values_list("pk", flat=True))


def _check_in_id(employee: Person) -> int:
    from tracking.services import open_check_in

    check_in, _created = open_check_in(person=employee)
    return check_in.pk


def endpoints(*, employees: int) -> list[Endpoint]:
    from django.core.management import call_command

    from goals.models import Goal

    p = people(employees)
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
    division = p["hrbp_2000"].hrbp_assignments.first().unit
    department = p["head_500"].headed_units.order_by("depth").first()
    one_goal = Goal.objects.filter(owner_person=p["employee"]).exclude(pk__in=[]).first()
    call_command("bench_lessons_search", count=50_000, repeat=1, stdout=open("/dev/null", "w"))  # noqa: SIM115
    q = f"cycle={quarter.pk}"
    return [
        Endpoint("floor: minimal view", "/bench/floor", group="floor"),
        Endpoint("floor: /healthz", "/healthz", group="floor"),
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
        Endpoint("manager dashboard, team of 8", f"/dashboard/team/?{q}", user=u["team_lead"]),
        Endpoint("manager dashboard, head of 500", f"/dashboard/team/?{q}", user=u["head_500"]),
        Endpoint(
            "HRBP alignment review, 2,000 people",
            f"/dashboard/alignment/?unit={division.pk}&{q}",
            user=u["hrbp_2000"],
            limit=30,
        ),
        # The tree page shows every level: two open, each deeper branch on expand (the
        # page itself, then one expansion of a division's branch, are measured).
        Endpoint(
            "company goal tree (page, 2 levels open)",
            f"/goals/{company_goal.pk}/tree/",
            user=u["head_500"],
            limit=30,
        ),
        Endpoint(
            "company goal tree: expand a branch",
            f"/goals/{division_goal.pk}/tree/?children=1",
            user=u["head_500"],
            limit=30,
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


def jobs() -> list[dict]:
    return [
        {
            "name": "reminder dispatch + send, 10k people",
            "argv": ["bench/jobs.py", "reminders"],
            "target_s": 5,
        },
        {"name": "full progress recompute", "argv": ["bench/jobs.py", "recompute"], "target_s": 30},
        {
            "name": "incentive evaluation, one rule, 10k people",
            "argv": ["bench/jobs.py", "incentives"],
            "target_s": 3,
        },
        {"name": "full rollup rebuild", "argv": ["bench/jobs.py", "rollups"], "target_s": 10},
    ]
