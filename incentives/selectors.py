"""Reads over incentives, scoped through `incentives.permissions`."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, QuerySet

from goals.models import Cycle
from incentives import permissions
from incentives.models import Award, Evaluation
from org import scopes
from org.models import Person, Unit


def awards_for(*, viewer: Person) -> QuerySet[Award]:
    return permissions.visible_awards(viewer).order_by("-period_start", "rule__name", "pk")


def approval_queue(*, viewer: Person) -> QuerySet[Award]:
    """Awards waiting for the viewer's decision: proposed or approved-not-published, of the
    people they partner (admins: everyone), never their own."""
    qs = Award.objects.filter(state__in=[Award.State.PROPOSED, Award.State.APPROVED])
    if not scopes.is_admin(viewer):
        paths = scopes.Viewer.of(viewer).hrbp_paths
        if not paths:
            return Award.objects.none()
        q = Q()
        for path in paths:
            q |= Q(person__unit__path__startswith=path)
        qs = qs.filter(q)
    return (
        qs.exclude(person=viewer)
        .select_related("rule", "person", "person__unit")
        .order_by("state", "-period_start", "rule__name", "person__display_name", "pk")
    )


def person_history(*, viewer: Person, person: Person) -> dict:
    """A person's awards (as far as the viewer may see them) with totals by currency and their
    promotion points (approved, published and proposed alike; `granted_points` excludes
    proposals)."""
    awards = list(awards_for(viewer=viewer).filter(person=person))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    points = granted = Decimal("0")
    for award in awards:
        if award.amount:
            totals[award.currency] += award.amount
        points += award.points
        if award.state != Award.State.PROPOSED:
            granted += award.points
    return {"awards": awards, "totals": dict(totals), "points": points, "granted_points": granted}


def _median(values: list[Decimal]) -> Decimal | None:
    return statistics.median(sorted(values)) if values else None


def fairness(*, viewer: Person, cycle: Cycle | None) -> list[dict]:
    """Per unit and level: number and total of awards (money), points, the share of eligible
    people who were awarded, and the distribution of award amounts (min, median, max). Covers
    awards whose period starts within the cycle (all periods without one), of people in the
    units the viewer partners (admins: all)."""
    units = permissions.fairness_units(viewer)
    awards = Award.objects.filter(person__unit__in=units)
    evaluations = Evaluation.objects.all()
    if cycle is not None:
        awards = awards.filter(period_start__gte=cycle.starts_on, period_start__lte=cycle.ends_on)
        evaluations = evaluations.filter(
            period_start__gte=cycle.starts_on, period_start__lte=cycle.ends_on
        )
    people = {
        row[0]: (row[1], row[2])
        for row in Person.objects.filter(unit__in=units).values_list("pk", "unit_id", "level")
    }
    groups: dict[tuple[int, str], dict] = {}

    def group(person_id: int) -> dict | None:
        key = people.get(person_id)
        if key is None:
            return None
        return groups.setdefault(
            key,
            {
                "amounts": [],
                "count": 0,
                "points": Decimal("0"),
                "awarded": set(),
                "eligible": set(),
                "currencies": set(),
            },
        )

    for person_id, amount, points, currency in awards.values_list(
        "person_id", "amount", "points", "currency"
    ):
        row = group(person_id)
        row["count"] += 1
        row["points"] += points
        row["awarded"].add(person_id)
        if amount:
            row["amounts"].append(amount)
            row["currencies"].add(currency)
    for ids in evaluations.values_list("eligible_ids", flat=True):
        for person_id in ids:
            row = group(person_id)
            if row is not None:
                row["eligible"].add(person_id)
    names = dict(Unit.objects.filter(pk__in={k[0] for k in groups}).values_list("pk", "name"))
    labels = dict(Person.Level.choices)
    report = []
    for (unit_id, level), row in sorted(
        groups.items(), key=lambda i: (names.get(i[0][0], ""), i[0])
    ):
        eligible = row["eligible"] | row["awarded"]
        amounts = row["amounts"]
        report.append(
            {
                "unit": unit_id,
                "unit_name": names.get(unit_id, ""),
                "level": level,
                "level_label": str(labels.get(level, level)),
                "count": row["count"],
                "total": sum(amounts, Decimal("0")),
                "currencies": sorted(row["currencies"]),
                "points": row["points"],
                "awarded_people": len(row["awarded"]),
                "eligible_people": len(eligible),
                "share_awarded": (len(row["awarded"]) / len(eligible)) if eligible else 0.0,
                "min": min(amounts) if amounts else None,
                "median": _median(amounts),
                "max": max(amounts) if amounts else None,
            }
        )
    return report


def payroll(*, viewer: Person, start, end) -> list[Award]:
    """Approved and published awards with money whose period lies within [start, end] (days
    inclusive), of the people in the units the viewer partners (admins: all)."""
    units = permissions.fairness_units(viewer)
    return list(
        Award.objects.filter(
            person__unit__in=units,
            state__in=[Award.State.APPROVED, Award.State.PUBLISHED],
            period_start__gte=start,
            period_end__lte=end + dt.timedelta(days=1),
        )
        .exclude(amount=0)
        .select_related("person__user", "rule", "approved_by")
        .order_by("person__display_name", "person_id", "period_start", "rule__name", "pk")
    )


def incentive_budgets(*, viewer: Person, cycle: Cycle | None) -> list:
    """Incentive budgets of the units the viewer partners (admins: all), with what approved
    awards have committed against them: spend against budget for the fairness report."""
    from resources.models import Budget, BudgetCategory

    qs = Budget.objects.filter(
        category=BudgetCategory.INCENTIVES, unit__in=permissions.fairness_units(viewer)
    ).select_related("unit", "cycle")
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    return list(qs.order_by("cycle__starts_on", "unit__path"))
