"""Time the evaluation of one rule for a large synthetic organisation.

    python manage.py bench_incentives --people 10000 [--seed 7]

Builds (once, idempotently) a synthetic organisation with `demo.seed.org_synthetic`, one agreed
goal with two measured key results per person and a submitted check-in for this week, then
evaluates a tiered bonus and a recognition rule for this week (dry run, save, save again) and
prints the time and the number of queries of each run. Bulk inserts are used for the synthetic
goals: this is benchmark data, not a business action."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from demo.seed import org_synthetic
from goals.models import Cycle, Goal, KeyResult, Measurement
from incentives import services
from incentives.models import IncentiveRule
from org.models import Person
from tracking.models import CheckIn

TIERS = [
    {"threshold": 1, "amount": 1000},
    {"threshold": 1.2, "amount": 2000},
    {"threshold": 1.5, "amount": 3000},
]


class Command(BaseCommand):
    help = "Benchmark rule evaluation on a synthetic organisation."

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, default=10000)
        parser.add_argument("--seed", type=int, default=7)

    @transaction.atomic
    def _data(self, people: int, seed: int):
        ctx = org_synthetic.seed_synthetic(employees=people, seed=seed)
        root = ctx.units["company"]
        today = timezone.localdate()
        week = today - dt.timedelta(days=today.weekday())
        cycle, _created = Cycle.objects.get_or_create(
            name=f"Bench {root.pk}",
            defaults={
                "kind": Cycle.Kind.QUARTER,
                "starts_on": week - dt.timedelta(days=60),
                "ends_on": week + dt.timedelta(days=60),
                "state": Cycle.State.ACTIVE,
            },
        )
        if Goal.objects.filter(cycle=cycle).exists():
            return root, week
        members = list(
            Person.objects.filter(unit__path__startswith=root.path).values_list("pk", flat=True)
        )
        now = timezone.now()
        goals = Goal.objects.bulk_create(
            [
                Goal(
                    kind=Goal.Kind.OBJECTIVE,
                    level=Goal.Level.PERSON,
                    title=f"Goal {pk}",
                    owner_person_id=pk,
                    cycle=cycle,
                    state=Goal.State.AGREED,
                    agreed_at=now,
                )
                for pk in members
            ],
            batch_size=2000,
        )
        if goals[0].pk is None:
            goals = list(Goal.objects.filter(cycle=cycle).order_by("pk"))
        krs = KeyResult.objects.bulk_create(
            [
                KeyResult(
                    goal=goal,
                    name=f"KR {i}",
                    metric="new-customers" if i == 0 else "",
                    target_value=Decimal("100"),
                    current_value=Decimal((goal.pk * 37 + i * 11) % 170),
                    position=i,
                )
                for goal in goals
                for i in range(2)
            ],
            batch_size=2000,
        )
        if krs[0].pk is None:
            krs = list(KeyResult.objects.filter(goal__cycle=cycle).order_by("pk"))
        at = timezone.make_aware(dt.datetime.combine(week + dt.timedelta(days=2), dt.time(9)))
        Measurement.objects.bulk_create(
            [
                Measurement(
                    key_result=kr,
                    value=kr.current_value,
                    effective_at=at,
                    recorded_at=at,
                    source="api",
                )
                for kr in krs
            ],
            batch_size=2000,
        )
        CheckIn.objects.bulk_create(
            [
                CheckIn(person_id=pk, week=week, state="submitted", submitted_at=at)
                for pk in members
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        return root, week

    def handle(self, *args, people: int, seed: int, **options):
        started = time.perf_counter()
        root, week = self._data(people, seed)
        self.stdout.write(f"data ready in {time.perf_counter() - started:.1f}s")
        specs = [
            ("tiered_bonus", {"tiers": TIERS}),
            ("recognition", {"metric": "attainment", "top_n": 3, "title": "Weekly champion"}),
        ]
        for kind, params in specs:
            rule, _created = IncentiveRule.objects.get_or_create(
                name=f"Bench {kind}",
                unit=root,
                defaults={"kind": kind, "period": "week", "params": params},
            )
            for label, dry_run in (("dry run", True), ("save", False), ("save again", False)):
                with CaptureQueriesContext(connection) as queries:
                    begin = time.perf_counter()
                    outcome = services.evaluate_rule(
                        actor=None, rule=rule, day=week, dry_run=dry_run
                    )
                    elapsed = time.perf_counter() - begin
                self.stdout.write(
                    f"{kind:13} {label:10} people={people} eligible={len(outcome.eligible_ids)} "
                    f"awards={len(outcome.proposals)} created={outcome.created} "
                    f"unchanged={outcome.unchanged} time={elapsed:.2f}s "
                    f"queries={len(queries.captured_queries)}"
                )
