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


def endpoints(*, employees: int) -> list[Endpoint]:
    p = people(employees)
    u = {k: v.user.username for k, v in p.items()}
    return [
        Endpoint("floor: minimal view", "/bench/floor", group="floor"),
        Endpoint("floor: /healthz", "/healthz", group="floor"),
        Endpoint("employee home", "/", user=u["employee"]),
        Endpoint("manager home (team of 8)", "/", user=u["team_lead"]),
        Endpoint("people directory page", "/people/", user=u["employee"]),
        Endpoint(
            "API people list (page of 50)",
            "/api/v1/people/",
            user=u["employee"],
            token=True,
            group="api",
        ),
    ]


def jobs() -> list[dict]:
    return [
        {"name": "full progress recompute", "argv": ["bench/jobs.py", "recompute"], "target_s": 30},
        {
            "name": "incentive evaluation, one rule, 10k people",
            "argv": ["bench/jobs.py", "incentives"],
            "target_s": 20,
        },
    ]
