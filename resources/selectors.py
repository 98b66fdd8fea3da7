"""Reads over resource requests and budgets, scoped to the viewer. The dashboard uses
`approval_inbox`, `waiting_requests`, `budgets_near_limit` and `budget_utilisation`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Value
from django.utils import timezone

from goals import permissions as goal_permissions
from goals.models import Cycle, Goal
from org import scopes
from org.models import Person, Unit
from resources import permissions
from resources.models import Budget, ResourceRequest, ResourceSettings

State = ResourceRequest.State

REQUEST_RELATED = (
    "requester__unit",
    "unit",
    "goal__cycle",
    "key_result",
    "approver",
    "decided_by",
    "budget",
)


def servable_goals(*, viewer: Person) -> QuerySet[Goal]:
    """Goals a person may ask resources for: those they may see (the goals app's scope) that
    are not closed."""
    return (
        goal_permissions.visible_goals(viewer)
        .exclude(state=Goal.State.CLOSED)
        .select_related("cycle", "owner_unit", "owner_person")
        .order_by("-cycle__starts_on", "title", "pk")
    )


def resource_requests(*, viewer: Person | None) -> QuerySet[ResourceRequest]:
    """Every request the viewer may see, with what a list row shows."""
    return permissions.visible_resource_requests(viewer).select_related(*REQUEST_RELATED)


def approval_inbox(*, viewer: Person) -> QuerySet[ResourceRequest]:
    """Submitted requests this viewer may decide, highest priority first."""
    return (
        resource_requests(viewer=viewer)
        .filter(permissions.decidable_requests_q(viewer), state=State.SUBMITTED)
        .order_by("-priority_score", F("needed_by").asc(nulls_last=True), "created_at", "pk")
    )


def to_fulfil(*, viewer: Person) -> QuerySet[ResourceRequest]:
    """Approved requests this viewer may mark fulfilled."""
    return (
        resource_requests(viewer=viewer)
        .filter(
            permissions.decidable_requests_q(viewer),
            state__in=ResourceRequest.GRANTED_STATES,
        )
        .order_by(F("needed_by").asc(nulls_last=True), "decided_at", "pk")
    )


def my_requests(*, viewer: Person) -> QuerySet[ResourceRequest]:
    return (
        ResourceRequest.objects.filter(requester=viewer)
        .select_related(*REQUEST_RELATED)
        .order_by("-created_at", "-pk")
    )


def waiting_requests(
    *, viewer: Person, days: int | None = None, now: dt.datetime | None = None
) -> QuerySet[ResourceRequest]:
    """Requests the viewer may decide that have waited longer than `days` (the configured
    number by default), oldest first."""
    days = ResourceSettings.load().waiting_days if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    return approval_inbox(viewer=viewer).filter(created_at__lte=cutoff).order_by("created_at")


def current_cycle(*, today: dt.date | None = None) -> Cycle | None:
    """The quarter containing today, else the shortest cycle containing it, else the latest."""
    today = today or timezone.localdate()
    containing = Cycle.objects.filter(starts_on__lte=today, ends_on__gte=today)
    quarter = containing.filter(kind=Cycle.Kind.QUARTER).first()
    if quarter is not None:
        return quarter
    shortest = sorted(containing, key=lambda c: c.ends_on - c.starts_on)
    return shortest[0] if shortest else Cycle.objects.first()


def writable_units(*, viewer: Person) -> QuerySet[Unit]:
    """Units whose budgets the viewer may set: all for admins, else the units they head and
    the units below them."""
    if scopes.is_admin(viewer):
        return Unit.objects.all()
    q = Q(pk__in=[])
    for path in scopes.Viewer.of(viewer).headed_paths:
        q |= Q(path__startswith=path)
    return Unit.objects.filter(q)


def budgets(*, viewer: Person, cycle: Cycle | None = None) -> QuerySet[Budget]:
    qs = permissions.visible_budgets(viewer).select_related("unit__head", "cycle")
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return qs.order_by("unit__path", "category")


def budgets_near_limit(
    *, viewer: Person, cycle: Cycle | None = None, ratio: float | None = None
) -> QuerySet[Budget]:
    """Budgets at or above the alert ratio (90 % by default) committed or spent."""
    ratio = ResourceSettings.load().budget_alert_ratio if ratio is None else ratio
    return (
        budgets(viewer=viewer, cycle=cycle)
        .annotate(used_total=F("committed") + F("spent"))
        .filter(allocated__gt=0, used_total__gte=F("allocated") * Value(Decimal(str(ratio))))
    )


def _row(values: dict) -> dict:
    allocated, committed, spent = values["allocated"], values["committed"], values["spent"]
    used = committed + spent
    values["remaining"] = allocated - used
    values["utilisation"] = round(float(used / allocated), 4) if allocated > 0 else 0.0
    values["spent_share"] = round(float(spent / allocated), 4) if allocated > 0 else 0.0
    return values


def budget_utilisation(*, viewer: Person, cycle: Cycle) -> dict:
    """Utilisation per unit and category, and totals per unit (and currency): allocated,
    committed, spent, remaining and (committed + spent) / allocated. One query."""
    scoped = budgets(viewer=viewer, cycle=cycle)
    rows = [
        _row(values)
        for values in scoped.values(
            "unit",
            "category",
            "currency",
            "allocated",
            "committed",
            "spent",
            unit_name=F("unit__name"),
        )
    ]
    sums: dict[tuple, dict] = {}
    for row in rows:
        key = (row["unit"], row["currency"])
        total = sums.setdefault(
            key,
            {
                "unit": row["unit"],
                "unit_name": row["unit_name"],
                "currency": row["currency"],
                "allocated": Decimal("0"),
                "committed": Decimal("0"),
                "spent": Decimal("0"),
            },
        )
        for field in ("allocated", "committed", "spent"):
            total[field] += row[field]
    totals = [_row(total) for total in sums.values()]
    return {"cycle": cycle, "rows": rows, "units": totals}


def budgets_with_room(*, cycle_ids) -> list[Budget]:
    """The budgets with money left in the given cycles (unit and category only are shown to a
    requester, never the amounts): what a money request can be addressed to and approved
    against. One query."""
    return list(
        Budget.objects.filter(cycle_id__in=list(cycle_ids))
        .filter(allocated__gt=F("committed") + F("spent"))
        .select_related("unit")
        .order_by("cycle_id", "unit__name", "category")
    )
