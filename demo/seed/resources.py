"""Demo data for resources: budgets for the departments in the current quarter and a handful
of requests in every state, made through the services (so routing, priorities, commitments
and notifications are real). Idempotent: budgets are found by unit, cycle and category,
requests by requester and title. Does nothing before the goals demo has made a quarter.

The rest of resources is its own app now (`resources`); this file waits here for the demo code's
own move. `tracking/resources/` has no __init__.py on purpose: as a namespace package it never
hides the `resources` app, not even where the current directory is on sys.path ahead of the
project (Celery's Django fixup puts it there), e.g. for `makemessages` run inside tracking/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from demo.seed.context import DemoContext
from goals.models import Cycle, Goal, KeyResult
from org.models import Person, Unit
from resources import selectors, services
from resources.models import Budget, ResourceRequest

# unit key → {category: allocated CNY}
BUDGETS = {
    "sales": {"promotion": 200_000, "hiring": 150_000, "tools": 30_000, "training": 40_000},
    "marketing": {"promotion": 300_000, "tools": 50_000, "training": 20_000, "other": 20_000},
    "product": {"tools": 40_000, "training": 20_000},
    "rnd": {"hiring": 400_000, "tools": 120_000, "training": 60_000},
    "support": {"tools": 25_000, "training": 30_000},
    "hr": {"hiring": 50_000, "training": 80_000},
    "finance": {"tools": 15_000, "other": 10_000},
}


def _quarter(today: dt.date) -> Cycle | None:
    return Cycle.objects.filter(
        kind=Cycle.Kind.QUARTER, starts_on__lte=today, ends_on__gte=today
    ).first()


def _goal_for(requester: Person, cycle: Cycle, key_result: KeyResult | None) -> Goal | None:
    goals = selectors.servable_goals(viewer=requester).filter(cycle=cycle)
    if key_result is not None and goals.filter(pk=key_result.goal_id).exists():
        return key_result.goal
    own_line = goals.filter(
        Q(owner_person=requester) | Q(owner_unit_id__in=requester.unit.ancestor_ids)
    ).order_by("-owner_unit__depth", "pk")
    return own_line.first() or goals.first()


def _served(key_result: KeyResult | None, goal: Goal) -> KeyResult | None:
    return key_result if key_result is not None and key_result.goal_id == goal.pk else None


def _request(ctx: DemoContext, username: str, title: str, **kwargs) -> ResourceRequest | None:
    requester = ctx.people.get(username)
    if requester is None:
        return None
    existing = ResourceRequest.objects.filter(requester=requester, title=title).first()
    if existing is not None:
        return None
    return services.submit_request(requester=requester, title=title, **kwargs)


@transaction.atomic
def seed(ctx: DemoContext) -> None:
    if ctx.synthetic:
        seed_synthetic(ctx)
        return
    cycle = _quarter(ctx.today)
    if cycle is None or not Goal.objects.filter(cycle=cycle).exists():
        return
    for key, categories in BUDGETS.items():
        unit = ctx.units.get(key)
        if unit is None:
            continue
        for category, amount in categories.items():
            Budget.objects.get_or_create(
                unit=unit,
                cycle=cycle,
                category=category,
                defaults={"allocated": Decimal(amount), "currency": "CNY"},
            )
    sales, marketing = ctx.units.get("sales"), ctx.units.get("marketing")
    manager, employee = ctx.people.get("manager"), ctx.people.get("employee")
    if not (sales and marketing and manager and employee):
        return
    # The department's new-customer key result, else anyone's in the quarter.
    candidates = KeyResult.objects.filter(goal__cycle=cycle, metric="new-customers").select_related(
        "goal__cycle"
    )
    new_customers = (
        candidates.filter(goal__owner_unit=sales).order_by("pk").first()
        or candidates.order_by("pk").first()
    )
    soon = ctx.today + dt.timedelta(days=14)

    # 1. Promotion budget for the new-customer key result: waiting in the manager's inbox.
    goal = _goal_for(employee, cycle, new_customers)
    if goal is not None:
        _request(
            ctx,
            "employee",
            "Promotion budget for the new-customer campaign",
            goal=goal,
            key_result=new_customers
            if new_customers and new_customers.goal_id == goal.pk
            else None,
            kind=ResourceRequest.Kind.BUDGET,
            category="promotion",
            amount="20000",
            currency="CNY",
            unit=sales,
            needed_by=soon,
            justification=(
                "New customers are behind the expected pace. A two-week promotion with a "
                "first-order discount should bring in the missing sign-ups."
            ),
        )

    # 2. Cross-department: Sales asks Marketing for qualified leads.
    goal = _goal_for(manager, cycle, new_customers)
    if goal is not None:
        _request(
            ctx,
            "manager",
            "Qualified leads from the autumn campaign",
            goal=goal,
            key_result=new_customers
            if new_customers and new_customers.goal_id == goal.pk
            else None,
            kind=ResourceRequest.Kind.INFORMATION,
            quantity=200,
            unit=marketing,
            needed_by=soon,
            justification=(
                "Inside Sales has worked through its pipeline; 200 qualified leads from "
                "Marketing's campaign would keep the team calling this month."
            ),
        )

    # 3. Rejected: extra CRM seats, turned down with a reason.
    goal = _goal_for(employee, cycle, new_customers)
    rejected = (
        _request(
            ctx,
            "employee",
            "Five more CRM seats",
            goal=goal,
            kind=ResourceRequest.Kind.EQUIPMENT,
            category="tools",
            amount="6000",
            currency="CNY",
            unit=sales,
            justification="New hires share logins today.",
        )
        if goal is not None
        else None
    )
    if rejected is not None:
        services.reject_request(
            actor=manager,
            request=rejected,
            comment="Two seats free up when the contractors leave next week; use those first.",
        )

    # 4. Fulfilled: negotiation training, spent a little under what was granted.
    lead = ctx.people.get("sun.li")
    goal = _goal_for(lead, cycle, None) if lead else None
    trained = (
        _request(
            ctx,
            "sun.li",
            "Negotiation training for Key Accounts",
            goal=goal,
            kind=ResourceRequest.Kind.TRAINING,
            category="training",
            amount="8000",
            currency="CNY",
            unit=sales,
            justification="Renewal discounts are eroding margin; a two-day course for five people.",
        )
        if goal is not None
        else None
    )
    if trained is not None:
        trained = services.approve_request(actor=manager, request=trained, comment="Go ahead.")
        services.fulfil_request(actor=manager, request=trained, spent_amount="7200")

    # 5. Partly approved: hiring asked for three, granted two.
    goal = _goal_for(employee, cycle, None)
    hiring = (
        _request(
            ctx,
            "employee",
            "Three sales development reps",
            goal=goal,
            kind=ResourceRequest.Kind.PEOPLE,
            quantity=3,
            unit=sales,
            justification="Outbound capacity is the bottleneck for new customers.",
        )
        if goal is not None
        else None
    )
    if hiring is not None:
        services.approve_request(
            actor=manager, request=hiring, granted_amount="2", comment="Two now, one next quarter."
        )


# Scale data: every team and department gets budgets; every tenth team one request, decided
# through the services in a rotation of states (waiting, approved, rejected, fulfilled).
SYNTHETIC_BUDGETS = {
    Unit.Kind.DEPARTMENT: {
        "promotion": 200_000,
        "hiring": 300_000,
        "tools": 50_000,
        "training": 40_000,
    },
    Unit.Kind.TEAM: {"promotion": 20_000, "training": 8_000},
}


def seed_synthetic(ctx: DemoContext) -> None:
    cycle = _quarter(ctx.today)
    root = ctx.units.get("company")
    if cycle is None or root is None:
        return
    units = list(
        Unit.objects.filter(path__startswith=root.path, kind__in=list(SYNTHETIC_BUDGETS))
        .select_related("head")
        .order_by("pk")
    )
    if Budget.objects.filter(unit__in=units, cycle=cycle).exists():
        return
    Budget.objects.bulk_create(
        [
            Budget(
                unit=unit,
                cycle=cycle,
                category=category,
                allocated=Decimal(amount),
                currency="CNY",
            )
            for unit in units
            for category, amount in SYNTHETIC_BUDGETS[unit.kind].items()
        ],
        batch_size=2000,
    )
    # Every tenth team files a request, at most about a hundred of them (each goes through the
    # services, notifications and all: 1,000 at 100,000 people would be minutes of seeding).
    teams = [u for u in units if u.kind == Unit.Kind.TEAM and u.head_id]
    teams = teams[:: max(10, len(teams) // 100)]
    members = {}
    for person in Person.objects.filter(
        unit__in=teams, level=Person.Level.FRONTLINE, goals__cycle=cycle
    ).order_by("unit_id", "pk"):
        members.setdefault(person.unit_id, person)
    goals = {}
    for goal in Goal.objects.filter(owner_person__in=members.values(), cycle=cycle).order_by("pk"):
        goals.setdefault(goal.owner_person_id, goal)
    for i, team in enumerate(teams):
        requester = members.get(team.pk)
        goal = goals.get(requester.pk) if requester else None
        if goal is None:
            continue
        with transaction.atomic():
            request = services.submit_request(
                requester=requester,
                title=f"Promotion budget for {team.name}",
                goal=goal,
                kind=ResourceRequest.Kind.BUDGET,
                category="promotion",
                amount=str(2000 + (i * 370) % 6000),
                currency="CNY",
                unit=team,
                justification="A local promotion to close the gap to the expected pace.",
            )
            head = team.head
            if i % 4 == 1:
                services.approve_request(actor=head, request=request, comment="Approved.")
            elif i % 4 == 2:
                services.reject_request(actor=head, request=request, comment="Not this quarter.")
            elif i % 4 == 3:
                request = services.approve_request(actor=head, request=request)
                services.fulfil_request(
                    actor=head, request=request, spent_amount=str(request.amount * Decimal("0.9"))
                )
