"""Scale data for a synthetic organisation (seed_demo --employees N): bulk inserts only."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from demo.bulk import defaults, insert_rows
from demo.seed.goals import COMPANY_GOAL, seed_cycles
from goals import metrics, services
from goals.models import Cycle, Goal, GoalSettings, KeyResult

D = Decimal
ZERO = D(0)


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
        )
        company.save()
        unit_goals = [
            Goal(
                kind=Goal.Kind.OBJECTIVE,
                level=Goal.Level.UNIT,
                title=f"{unit.name}: deliver its share of growth",
                owner_unit=unit,
                owner_path=unit.path,
                cycle=quarter,
                state=Goal.State.AGREED,
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
        path_of = {root.pk: root.path} | {u.pk: u.path for u in units}
        created = timezone.now()
        now = connection.ops.adapt_datetimefield_value(created)
        increase = KeyResult.Direction.INCREASE
        # The stored pace (goals.services.pace) of today, as the rollup rebuild would write it:
        # every key result here is linear from the same start to the quarter's end, so one
        # expected share for all, and the rebuild finds nothing stale to rewrite.
        expected = KeyResult(
            goal=Goal(cycle=quarter, created_at=created),
            direction=increase,
            start_value=ZERO,
            target_value=D(100),
        ).expected_progress(today)
        goal_settings = GoalSettings.load()
        pace_on = connection.ops.adapt_datefield_value(today)
        goal_rows, krs_of = [], {}
        for i, person in enumerate(people):
            for g, (title, key_results) in enumerate(PERSON_GOALS):
                krs = []  # (name, metric, unit, target, current, position, progress)
                for j, (name, metric, measure) in enumerate(key_results):
                    target = D(10 + (i * 7 + j * 13 + g * 29) % 90)
                    share = D((i * 37 + j * 11 + g * 17) % 120) / D(100)
                    current = (target * share).quantize(D("1"))
                    progress = metrics.progress(
                        current, start=ZERO, target=target, direction=increase
                    )
                    krs.append((name, metric, measure, target, current, j, progress))
                krs_of[person.pk, title] = krs
                priority = Goal.Priority.CORE if g < 2 else Goal.Priority.SECONDARY
                # Progress known up front: the recompute below only moves unit goals.
                progress = sum(kr[-1] for kr in krs) / len(krs)
                goal_rows.append(
                    (person.pk, title, goal_of_unit[person.unit_id].pk, priority, progress,
                     path_of[person.unit_id])
                )  # fmt: skip
        goal_defaults = defaults(Goal, GOAL_DEFAULTED)
        insert_rows(
            Goal,
            GOAL_COLUMNS + GOAL_DEFAULTED,
            [
                (Goal.Kind.OBJECTIVE, Goal.Level.PERSON, title, person_id, quarter.pk, parent_id,
                 priority, Goal.State.AGREED, progress, path, now, now,
                 *goal_defaults)
                for person_id, title, parent_id, priority, progress, path in goal_rows
            ],
        )  # fmt: skip
        goal_ids = (
            Goal.objects.filter(cycle=quarter, level=Goal.Level.PERSON)
            .order_by("pk")
            .values_list("pk", "owner_person_id", "title")
        )
        kr_defaults = defaults(KeyResult, KR_DEFAULTED)
        insert_rows(
            KeyResult,
            KR_COLUMNS + KR_DEFAULTED,
            [
                (goal_id, name, metric, unit, increase, str(ZERO), str(target), str(current),
                 position, progress, now, expected, goal_settings.classify(progress, expected),
                 pace_on, *kr_defaults)
                for goal_id, person_id, title in goal_ids.iterator(chunk_size=5000)
                if (person_id, title) in krs_of
                for name, metric, unit, target, current, position, progress in krs_of[
                    person_id, title
                ]
            ],
        )  # fmt: skip
        services.recompute_all(
            Goal.objects.filter(
                Q(owner_path__startswith=root.path),
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

# The columns the scale data sets; the others (`*_DEFAULTED`) take the model's defaults.
GOAL_COLUMNS = (
    "kind",
    "level",
    "title",
    "owner_person_id",
    "cycle_id",
    "parent_id",
    "priority",
    "state",
    "progress",
    "owner_path",
    "created_at",
    "updated_at",
)
GOAL_DEFAULTED = (
    "description",
    "category",
    "commitment",
    "weight",
    "visibility",
    "version",
    "return_comment",
    "score_comment",
    "closed_with_cycle",
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
    "position",
    "progress",
    "updated_at",
    "pace_expected",
    "pace_status",
    "pace_on",
)
KR_DEFAULTED = (
    "weight",
    "milestones",
    "source",
    "aggregation",
    "contribution_weight",
)
