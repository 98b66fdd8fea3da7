"""Scale data for a synthetic organisation (seed_demo --employees N): bulk inserts only."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from goals import services
from goals.demo import COMPANY_GOAL, seed_cycles
from goals.models import Cycle, Goal, KeyResult

D = Decimal


def seed_synthetic(ctx) -> None:
    """Cycles; then with bulk inserts a company goal, one goal per unit and four goals of three
    key results per person; then progress with one recompute. Deterministic, no per-row
    queries."""
    today = ctx.today
    _year, quarter, _previous = seed_cycles(today)
    root = ctx.units["company"]
    if Goal.objects.filter(cycle=quarter, owner_unit=root, level=Goal.Level.COMPANY).exists():
        return
    Cycle.objects.filter(pk=_previous.pk).update(state=Cycle.State.CLOSED)
    units = [u for key, u in ctx.units.items() if key != "company"]
    with transaction.atomic():
        company = Goal(
            kind=Goal.Kind.OBJECTIVE,
            level=Goal.Level.COMPANY,
            title=COMPANY_GOAL,
            owner_unit=root,
            cycle=quarter,
            state=Goal.State.AGREED,
            progress_source=Goal.ProgressSource.CHILDREN,
        )
        company.save()
        unit_goals = [
            Goal(
                kind=Goal.Kind.OBJECTIVE,
                level=Goal.Level.UNIT,
                title=f"{unit.name}: deliver its share of growth",
                owner_unit=unit,
                cycle=quarter,
                state=Goal.State.AGREED,
                progress_source=Goal.ProgressSource.CHILDREN,
            )
            for unit in units
        ]
        Goal.objects.bulk_create(unit_goals, batch_size=2000)
        goal_of_unit = {root.pk: company} | {g.owner_unit_id: g for g in unit_goals}
        unit_parent = {u.pk: u.parent_id for u in units}
        for goal in unit_goals:
            goal.parent_id = goal_of_unit[unit_parent[goal.owner_unit_id]].pk
        Goal.objects.bulk_update(unit_goals, ["parent"], batch_size=2000)

        people = sorted(ctx.people.values(), key=lambda p: p.pk)
        person_goals, krs_of = [], []
        for i, person in enumerate(people):
            for g, (title, key_results) in enumerate(PERSON_GOALS):
                krs = []
                for j, (name, metric, measure) in enumerate(key_results):
                    target = D(10 + (i * 7 + j * 13 + g * 29) % 90)
                    share = D((i * 37 + j * 11 + g * 17) % 120) / D(100)
                    kr = KeyResult(
                        name=name,
                        metric=metric,
                        unit=measure,
                        target_value=target,
                        current_value=(target * share).quantize(D("1")),
                        position=j,
                    )
                    kr.progress = kr.compute_progress()
                    krs.append(kr)
                krs_of.append(krs)
                person_goals.append(
                    Goal(
                        kind=Goal.Kind.OBJECTIVE,
                        level=Goal.Level.PERSON,
                        title=title,
                        owner_person=person,
                        cycle=quarter,
                        parent_id=goal_of_unit[person.unit_id].pk,
                        state=Goal.State.AGREED,
                        priority=Goal.Priority.CORE if g < 2 else Goal.Priority.SECONDARY,
                        # Progress known up front: the recompute below only moves unit goals.
                        progress=sum(kr.progress for kr in krs) / len(krs),
                    )
                )
        Goal.objects.bulk_create(person_goals, batch_size=2000)
        rows = []
        for goal, krs in zip(person_goals, krs_of, strict=True):
            for kr in krs:
                kr.goal_id = goal.pk
                rows.append(kr)
        _insert_key_results(rows)
        services.recompute_all(
            Goal.objects.filter(
                Q(owner_unit__path__startswith=root.path)
                | Q(owner_person__unit__path__startswith=root.path),
                cycle=quarter,
            )
        )


# Each person's four goals of three key results (the scale data's ~40,000 goals and ~120,000
# key results for 10,000 people); the first is the one the synthetic check-ins update weekly.
PERSON_GOALS = (
    (
        "Deliver my key results this quarter",
        (
            ("New qualified customers", "new-customers", "customers"),
            ("Tasks completed on time", "tasks-on-time", "%"),
            ("Process improvements", "improvements", "ideas"),
        ),
    ),
    (
        "Grow my accounts",
        (
            ("Account revenue", "account-revenue", "k CNY"),
            ("Upsell deals closed", "upsell-deals", "deals"),
            ("Renewals secured", "renewals", "contracts"),
        ),
    ),
    (
        "Serve customers well",
        (
            ("Customer satisfaction", "csat", "points"),
            ("Tickets resolved", "tickets-resolved", "tickets"),
            ("Customer visits", "customer-visits", "visits"),
        ),
    ),
    (
        "Learn and share",
        (
            ("Training hours", "training-hours", "h"),
            ("Knowledge articles written", "articles", "articles"),
            ("Peers coached", "peers-coached", "people"),
        ),
    ),
)

KR_COLUMNS = (
    "goal_id",
    "name",
    "metric",
    "unit",
    "direction",
    "start_value",
    "target_value",
    "current_value",
    "weight",
    "milestones",
    "position",
    "progress",
    "updated_at",
)


def _insert_key_results(rows: list[KeyResult]) -> None:
    """Tens of thousands of key results with one prepared INSERT (executemany): the ORM's
    bulk_create spends most of its time preparing each value, and SQLite caps its batches at
    999 parameters. Scale data only: no history rows, no signals."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table = connection.ops.quote_name(KeyResult._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in KR_COLUMNS)
    placeholders = ", ".join(["%s"] * len(KR_COLUMNS))
    params = [
        (
            kr.goal_id,
            kr.name,
            kr.metric,
            kr.unit,
            kr.direction,
            str(kr.start_value),
            str(kr.target_value),
            str(kr.current_value),
            str(kr.weight),
            "[]",
            kr.position,
            kr.progress,
            now,
        )
        for kr in rows
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",
                params[start : start + 5000],
            )
