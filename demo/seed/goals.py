"""Demo goals: cycles, the company goal cascaded down to every sales rep, KPIs,
agreement in every state, one pending adjustment and one deliberate cascade gap (Sales'
qualified-customer target exceeds what its reps carry: the HRBP alignment review finds it).

Idempotent (a second run finds the company goal and stops) and deterministic (ctx.rng)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from goals import services
from goals.models import Cycle, Goal, GoalTemplate, KeyResult, Measurement
from org.models import Person

D = Decimal
COMPANY_GOAL = "Grow market share by 5 %"
REP_TARGET = D("45")  # 15 new qualified customers a month
CASCADE_GAP = D("50")  # what Sales expects beyond its reps' targets (a vacancy)
COMPANY_TARGET = D("800")  # qualified customers over the year


def _quarter_bounds(day: dt.date) -> tuple[int, dt.date, dt.date]:
    q = (day.month - 1) // 3 + 1
    start = dt.date(day.year, 3 * q - 2, 1)
    end_month = 3 * q
    end = (dt.date(day.year + (end_month == 12), end_month % 12 + 1, 1)) - dt.timedelta(days=1)
    return q, start, end


def _cycle(name, kind, start, end, state, parent=None) -> Cycle:
    cycle, _created = Cycle.objects.get_or_create(
        name=name,
        kind=kind,
        defaults={"starts_on": start, "ends_on": end, "state": state, "parent": parent},
    )
    return cycle


def seed_cycles(today: dt.date) -> tuple[Cycle, Cycle, Cycle]:
    """The year (active), its current quarter (active) and the previous quarter (closed)."""
    year = _cycle(
        str(today.year),
        Cycle.Kind.YEAR,
        dt.date(today.year, 1, 1),
        dt.date(today.year, 12, 31),
        Cycle.State.ACTIVE,
    )
    q, start, end = _quarter_bounds(today)
    quarter = _cycle(
        f"{today.year} Q{q}", Cycle.Kind.QUARTER, start, end, Cycle.State.ACTIVE, parent=year
    )
    pq, pstart, pend = _quarter_bounds(start - dt.timedelta(days=1))
    pyear = year
    if pstart.year != today.year:
        pyear = _cycle(
            str(pstart.year),
            Cycle.Kind.YEAR,
            dt.date(pstart.year, 1, 1),
            dt.date(pstart.year, 12, 31),
            Cycle.State.CLOSED,
        )
    previous = _cycle(
        f"{pstart.year} Q{pq}", Cycle.Kind.QUARTER, pstart, pend, Cycle.State.ACTIVE, parent=pyear
    )
    return year, quarter, previous


def seed(ctx) -> None:
    if ctx.synthetic:
        from demo.seed.goals_synthetic import seed_synthetic

        seed_synthetic(ctx)
        return
    with transaction.atomic():
        _seed_company(ctx)


def _kr(name, target, *, metric="", unit="", start="0", direction="increase", due=None):
    row = {
        "name": name,
        "metric": metric,
        "unit": unit,
        "start_value": D(start),
        "target_value": D(target),
        "direction": direction,
    }
    if due:
        row["due_on"] = due
    return row


def _set_state(goal: Goal, state: str, by: Person | None = None) -> None:
    fields = {"state": state}
    if state == Goal.State.AGREED:
        fields.update(agreed_at=timezone.now(), agreed_by=by)
    Goal.objects.filter(pk=goal.pk).update(**fields)
    goal.state = state


def _measure(kr: KeyResult, values: list[tuple[dt.date, Decimal]], by: Person | None) -> None:
    """A short value history (weekly check-ins) ending at the current value."""
    rows = [
        Measurement(
            key_result=kr,
            value=value,
            effective_at=dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC),
            recorded_at=dt.datetime.combine(day, dt.time(16, 0), tzinfo=dt.UTC),
            source=Measurement.Source.CHECK_IN,
            recorded_by=by,
        )
        for day, value in values
    ]
    Measurement.objects.bulk_create(rows)
    if values:
        kr.current_value, kr.value_at = values[-1][1], rows[-1].effective_at
        kr.progress = kr.compute_progress()
        KeyResult.objects.filter(pk=kr.pk).update(
            current_value=kr.current_value, value_at=kr.value_at, progress=kr.progress
        )


def _weekly(start: dt.date, today: dt.date, final: Decimal, begin: Decimal | None = None):
    begin = D("0") if begin is None else begin
    days = []
    day = start + dt.timedelta(days=(4 - start.weekday()) % 7)  # Fridays
    while day <= today:
        days.append(day)
        day += dt.timedelta(days=7)
    if not days:
        return []
    step = (final - begin) / len(days)
    return [(d, (begin + step * (i + 1)).quantize(D("1"))) for i, d in enumerate(days)]


def _templates() -> tuple[GoalTemplate, GoalTemplate]:
    new, _c = GoalTemplate.objects.get_or_create(
        name="New employee: ramp-up",
        defaults={
            "level": Person.Level.FRONTLINE,
            "max_tenure_months": 6,
            "category": "onboarding",
            "key_results": [
                {"name": "Onboarding tasks completed", "unit": "%", "target_value": "90"}
            ],
        },
    )
    experienced, _c = GoalTemplate.objects.get_or_create(
        name="Experienced: innovation",
        defaults={
            "level": Person.Level.FRONTLINE,
            "min_tenure_months": 6,
            "category": "innovation",
            "key_results": [
                {"name": "Process improvements implemented", "unit": "ideas", "target_value": "2"}
            ],
        },
    )
    return new, experienced


def _seed_company(ctx) -> None:
    today = ctx.today
    year, quarter, previous = seed_cycles(today)
    units = ctx.units
    if Goal.objects.filter(cycle=year, title=COMPANY_GOAL, owner_unit=units["company"]).exists():
        return
    rng = ctx.rng("goals")
    templates = _templates()
    reps = list(
        Person.objects.filter(unit__in=[units["sales-inside"], units["sales-key"]], is_active=True)
        .exclude(pk__in=[units["sales-inside"].head_id, units["sales-key"].head_id])
        .select_related("unit", "manager")
        .order_by("unit__path", "pk")
    )
    # The previous quarter first (its results are the history later splits and SMART use).
    _seed_previous_quarter(ctx, previous, reps, rng)
    company = _seed_company_goal(ctx, year)
    sales = _seed_departments(ctx, quarter, company, len(reps))
    teams = _seed_team_goals(ctx, quarter, sales, reps)
    _seed_rep_goals(ctx, quarter, teams, reps, rng, templates)
    _seed_pending_adjustment(ctx, quarter)
    _recompute_and_close(ctx, previous)


def _seed_previous_quarter(ctx, previous: Cycle, reps: list[Person], rng) -> None:
    """Last quarter's sales goal and every rep's, with their whole value history."""
    prev_sales = services.create_goal(
        actor=None,
        cycle=previous,
        title="Win 180 new customers",
        level=Goal.Level.UNIT,
        owner_unit=ctx.units["sales"],
        key_results=[_kr("New customers won", "180", metric="new-customers-won", unit="customers")],
        starts_on=previous.starts_on,
    )
    # Last quarter's goals were agreed before the quarter closed (incentives count them).
    _set_state(prev_sales, Goal.State.AGREED, ctx.people["manager"])
    for rep in reps:
        goal = services.create_goal(
            actor=None,
            cycle=previous,
            title="Win 45 new qualified customers",
            level=Goal.Level.PERSON,
            owner_person=rep,
            parent=prev_sales,
            key_results=[
                _kr("New qualified customers", "45", metric="new-customers", unit="customers")
            ],
            starts_on=previous.starts_on,
        )
        _set_state(goal, Goal.State.AGREED, ctx.people["manager"])
        final = D(rng.randint(24, 56))
        _measure(goal.key_results.get(), _weekly(previous.starts_on, previous.ends_on, final), rep)
    _measure(
        prev_sales.key_results.get(),
        _weekly(previous.starts_on, previous.ends_on, D("164")),
        ctx.people["manager"],
    )


def _seed_company_goal(ctx, year: Cycle) -> Goal:
    """The year's company goal, aligned to by the departments."""
    company = services.create_goal(
        actor=None,
        cycle=year,
        title=COMPANY_GOAL,
        level=Goal.Level.COMPANY,
        owner_unit=ctx.units["company"],
        description="Market share from 20 % to 25 % by the end of the year.",
        key_results=[
            _kr("Market share", "25", metric="market-share", unit="%", start="20"),
            _kr(
                "New qualified customers", COMPANY_TARGET, metric="new-customers", unit="customers"
            ),
        ],
        starts_on=year.starts_on,
    )
    _measure(
        company.key_results.get(metric="market-share"),
        _weekly(year.starts_on, ctx.today, D("22"), D("20")),
        ctx.people["admin"],
    )
    return company


def _seed_departments(ctx, quarter: Cycle, company: Goal, reps: int) -> Goal:
    """The departments' agreed goals of the quarter; returns Sales', which heads the cascade."""
    today, units, admin = ctx.today, ctx.units, ctx.people["admin"]
    qualified_target = REP_TARGET * reps + CASCADE_GAP
    sales = services.create_goal(
        actor=None,
        cycle=quarter,
        title="200 new customers",
        level=Goal.Level.UNIT,
        owner_unit=units["sales"],
        parent=company,
        weight=D("3"),
        category="sales",
        key_results=[
            _kr("New customers won", "200", metric="new-customers-won", unit="customers"),
            _kr(
                "New qualified customers",
                qualified_target,
                metric="new-customers",
                unit="customers",
            ),
        ],
        starts_on=quarter.starts_on,
    )
    # Sales' qualified customers are part of the company's: a rep's check-in moves them both.
    _contributes(sales, company, "new-customers")
    marketing = services.create_goal(
        actor=None,
        cycle=quarter,
        title="Brand exposure +30 %",
        kind=Goal.Kind.KPI,
        level=Goal.Level.UNIT,
        owner_unit=units["marketing"],
        parent=company,
        weight=D("2"),
        category="online promotion",
        key_results=[_kr("Brand exposure growth", "30", metric="brand-exposure", unit="%")],
        starts_on=quarter.starts_on,
    )
    product = services.create_goal(
        actor=None,
        cycle=quarter,
        title="Customer satisfaction score 90",
        level=Goal.Level.UNIT,
        owner_unit=units["product"],
        parent=company,
        weight=D("1"),
        key_results=[
            _kr("Satisfaction score", "90", metric="satisfaction", unit="points", start="82")
        ],
        starts_on=quarter.starts_on,
    )
    support = services.create_goal(
        actor=None,
        cycle=quarter,
        title="Keep customer satisfaction (CSAT) above 4.5",
        kind=Goal.Kind.KPI,
        level=Goal.Level.UNIT,
        owner_unit=units["support"],
        parent=product,
        key_results=[_kr("CSAT", "4.5", metric="csat", unit="of 5", direction="stay_above")],
        starts_on=quarter.starts_on,
    )
    for goal in (company, sales, marketing, product, support):
        _set_state(goal, Goal.State.AGREED, admin)
    manager = ctx.people["manager"]
    _measure(sales.key_results.all()[0], _weekly(quarter.starts_on, today, D("71")), manager)
    _measure(marketing.key_results.get(), _weekly(quarter.starts_on, today, D("11")), None)
    _measure(product.key_results.get(), _weekly(quarter.starts_on, today, D("85"), D("82")), None)
    _measure(support.key_results.get(), _weekly(quarter.starts_on, today, D("4.3"), D("4.4")), None)
    return sales


def _contributes(child: Goal, parent: Goal, metric: str) -> None:
    """The child's key result for `metric` contributes to the parent's, whose value from then
    on is the sum of its contributors' (as a cascade's split does)."""
    below = child.key_results.get(metric=metric)
    above = parent.key_results.get(metric=metric)
    KeyResult.objects.filter(pk=below.pk).update(contributes_to=above)
    KeyResult.objects.filter(pk=above.pk).update(
        source=KeyResult.Source.ROLLUP, aggregation=KeyResult.Aggregation.SUM
    )


def _seed_team_goals(ctx, quarter: Cycle, sales: Goal, reps: list[Person]) -> dict[int, Goal]:
    """Sales' qualified-customer target split to its two teams (each carries its reps' share;
    Sales expects CASCADE_GAP more than they carry). Returns each team unit's goal by unit id."""
    teams = {}
    for key in ("sales-inside", "sales-key"):
        unit = ctx.units[key]
        count = sum(1 for rep in reps if rep.unit_id == unit.pk)
        goal = services.create_goal(
            actor=None,
            cycle=quarter,
            title=f"{unit.name}: {REP_TARGET * count} new qualified customers",
            level=Goal.Level.UNIT,
            owner_unit=unit,
            parent=sales,
            category="sales",
            key_results=[
                _kr(
                    "New qualified customers",
                    REP_TARGET * count,
                    metric="new-customers",
                    unit="customers",
                )
            ],
            starts_on=quarter.starts_on,
        )
        _set_state(goal, Goal.State.AGREED, ctx.people["manager"])
        _contributes(goal, sales, "new-customers")
        teams[unit.pk] = goal
    return teams


def _seed_rep_goals(ctx, quarter: Cycle, teams: dict[int, Goal], reps, rng, templates) -> None:
    """Down to every sales rep: 15 new qualified customers a month, with the template that fits
    their tenure; values somewhere plausible, some behind; agreement in every state. Each rep's
    qualified customers contribute to their team's."""
    today, manager = ctx.today, ctx.people["manager"]
    new_template, experienced_template = templates
    expected = (today - quarter.starts_on).days / max((quarter.ends_on - quarter.starts_on).days, 1)
    for index, rep in enumerate(reps):
        template = new_template if new_template.matches(rep, today) else experienced_template
        goal = services.create_goal(
            actor=manager,
            cycle=quarter,
            title="Win 45 new qualified customers",
            level=Goal.Level.PERSON,
            owner_person=rep,
            parent=teams[rep.unit_id],
            category="sales",
            key_results=[
                _kr(
                    "New qualified customers", REP_TARGET, metric="new-customers", unit="customers"
                ),
                *[{**row, "target_value": D(row["target_value"])} for row in template.key_results],
            ],
            starts_on=quarter.starts_on,
        )
        _contributes(goal, teams[rep.unit_id], "new-customers")
        pace = D(str(rng.choice([0.45, 0.7, 0.85, 0.95, 1.0, 1.1, 1.25])))
        final = (REP_TARGET * D(str(expected)) * pace).quantize(D("1"))
        krs = list(goal.key_results.all())
        _measure(krs[0], _weekly(quarter.starts_on, today, final), rep)
        _seed_agreement_state(goal, index, len(reps), rep, manager)


def _seed_agreement_state(goal: Goal, index: int, count: int, rep: Person, manager) -> None:
    """Rep goals in every agreement state: proposed, returned, assigned, else agreed."""
    if index == 1:  # proposed by the rep, waiting for the manager
        services.propose_goal(actor=rep, goal=goal)
    elif index == 2:  # proposed and returned with a comment
        services.propose_goal(actor=rep, goal=goal)
        services.return_goal(
            actor=manager,
            goal=goal,
            comment="Add a key result for the key-account pipeline, then propose again.",
        )
    elif index in (3, count - 1):  # assigned by the manager, not yet accepted
        services.propose_goal(actor=manager, goal=goal)
    else:
        _set_state(goal, Goal.State.AGREED, manager)


def _seed_pending_adjustment(ctx, quarter: Cycle) -> None:
    """The demo employee asks for a lower target after a market change."""
    employee = ctx.people["employee"]
    employee_goal = Goal.objects.filter(
        cycle=quarter, owner_person=employee, state=Goal.State.AGREED
    ).first()
    if employee_goal is not None:
        services.request_adjustment(
            actor=employee,
            key_result=employee_goal.key_results.order_by("position").first(),
            new_target="36",
            reason="market",
            evidence="Our largest competitor cut prices by 20 % in October; inbound leads fell "
            "by a third (CRM report attached to the weekly review).",
        )


def _recompute_and_close(ctx, previous: Cycle) -> None:
    """Recompute the organisation's progress, then close the previous quarter with its scores."""
    root = ctx.units["company"]
    services.recompute_all(Goal.objects.filter(Q(owner_path__startswith=root.path)))
    Cycle.objects.filter(pk=previous.pk).update(state=Cycle.State.CLOSED, closed_at=timezone.now())
    for goal in Goal.objects.filter(cycle=previous):
        score = round(goal.progress, 2)
        Goal.objects.filter(pk=goal.pk).update(
            state=Goal.State.CLOSED,
            closed_with_cycle=True,
            self_score=score,
            manager_score=score,
            score=score,
            scored_at=timezone.now(),
        )
