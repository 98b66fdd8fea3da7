"""Numbers that follow from the measurements, recomputed from scratch: `manage.py check_numbers`.

Every stored number is derived from the measurements: a measured key result's current value is
its latest measurement (by `effective_at`, then by when it was recorded), a rolled-up key
result's is the aggregate of its contributors, each key result's progress follows from its
value, and each goal's from its key results (or, without any, its children). `NumbersCheck`
recomputes them all over plain rows (a handful of queries, whatever the size), reports every
difference and, asked to, repairs them in bulk. It takes the model classes, so the data
migration that introduced key-result links runs the same code over its historical models.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from goals import metrics

ROLLUP, RETURNED = "rollup", "returned"
QUANTUM = Decimal("0.0001")


@dataclass(slots=True)
class _KR:
    pk: int
    goal_id: int
    direction: str
    start: Decimal
    target: Decimal
    high: Decimal | None
    current: Decimal
    value_at: dt.datetime | None
    progress: float
    weight: Decimal
    source: str
    aggregation: str
    parent_id: int | None
    contribution_weight: Decimal
    latest: Decimal | None = None
    latest_at: dt.datetime | None = None


@dataclass
class Drift:
    """One stored number that differs from what the measurements say."""

    kind: str  # current_value | value_at | progress | goal_progress
    pk: int
    stored: object
    computed: object

    def __str__(self) -> str:
        what = "goal" if self.kind == "goal_progress" else "key result"
        return f"{self.kind} of {what} {self.pk}: {self.stored} → {self.computed}"


@dataclass
class NumbersCheck:
    """Recompute every number of the goals in `goals` (a queryset; all by default)."""

    KeyResult: type
    Measurement: type
    Goal: type
    goals: object = None
    drift: list[Drift] = field(default_factory=list)

    def run(self, *, fix: bool = False) -> list[Drift]:
        with transaction.atomic():
            krs = self._load_key_results()
            values = self._values(krs)
            kr_progress = self._key_result_progress(krs, values)
            goal_progress = self._goal_progress(krs, kr_progress)
            if fix:
                self._write(krs, values, kr_progress, goal_progress)
        return self.drift

    # Loading -----------------------------------------------------------------------------

    def _goal_qs(self):
        return self.Goal.objects.all() if self.goals is None else self.goals

    def _load_key_results(self) -> dict[int, _KR]:
        latest = self.Measurement.objects.filter(key_result=OuterRef("pk")).order_by(
            "-effective_at", "-recorded_at", "-pk"
        )
        qs = self.KeyResult.objects.all()
        if self.goals is not None:
            qs = qs.filter(goal__in=self.goals)
        rows = qs.annotate(
            latest=Subquery(latest.values("value")[:1]),
            latest_at=Subquery(latest.values("effective_at")[:1]),
        ).values_list(
            "pk",
            "goal_id",
            "direction",
            "start_value",
            "target_value",
            "target_high",
            "current_value",
            "value_at",
            "progress",
            "weight",
            "source",
            "aggregation",
            "contributes_to_id",
            "contribution_weight",
            "latest",
            "latest_at",
        )
        return {row[0]: _KR(*row) for row in rows.iterator(chunk_size=5000)}

    # Values --------------------------------------------------------------------------------

    def _values(self, krs: dict[int, _KR]) -> dict[int, tuple[Decimal, dt.datetime | None]]:
        """Each key result's value and its time, bottom-up through the rollups."""
        returned = set(self._goal_qs().filter(state=RETURNED).values_list("pk", flat=True))
        contributors: dict[int, list[_KR]] = defaultdict(list)
        for kr in krs.values():
            if kr.parent_id in krs and kr.goal_id not in returned:
                contributors[kr.parent_id].append(kr)
        values: dict[int, tuple[Decimal, dt.datetime | None]] = {}

        def value_of(root: _KR) -> None:
            stack = [(root, False)]
            while stack:  # iterative post-order: contributors first, safe for deep chains
                kr, expanded = stack.pop()
                if kr.pk in values:
                    continue
                below = contributors.get(kr.pk, []) if kr.source == ROLLUP else []
                if not expanded and below:
                    stack.append((kr, True))
                    stack.extend((c, False) for c in below if c.pk not in values)
                    continue
                contributed = [(values[c.pk][0], c.contribution_weight) for c in below]
                values[kr.pk] = self._value(kr, contributed)

        for kr in krs.values():
            value_of(kr)
        for kr in krs.values():
            value, at = values[kr.pk]
            if value != kr.current:
                self.drift.append(Drift("current_value", kr.pk, kr.current, value))
            elif kr.source != ROLLUP and at != kr.value_at:
                self.drift.append(Drift("value_at", kr.pk, kr.value_at, at))
        return values

    @staticmethod
    def _value(kr: _KR, contributed: list[tuple[Decimal, Decimal]]):
        if kr.source == ROLLUP:
            value = metrics.aggregate(contributed, kr.aggregation)
            if value is not None:
                return Decimal(value).quantize(QUANTUM), kr.value_at
        if kr.source != ROLLUP and kr.latest is not None:
            return kr.latest, kr.latest_at
        return kr.current, kr.value_at

    # Progress ------------------------------------------------------------------------------

    def _key_result_progress(self, krs, values) -> dict[int, float]:
        result = {}
        for kr in krs.values():
            progress = metrics.progress(
                values[kr.pk][0],
                start=kr.start,
                target=kr.target,
                direction=kr.direction,
                high=kr.high,
            )
            if abs(progress - kr.progress) > 1e-9:
                self.drift.append(Drift("progress", kr.pk, kr.progress, progress))
            result[kr.pk] = progress
        return result

    def _goal_progress(self, krs, kr_progress) -> dict[int, float]:
        by_goal: dict[int, list[tuple[float, Decimal]]] = defaultdict(list)
        for kr in krs.values():
            by_goal[kr.goal_id].append((kr_progress[kr.pk], kr.weight))
        goals = {
            pk: (parent_id, weight, state, progress)
            for pk, parent_id, weight, state, progress in self._goal_qs()
            .values_list("pk", "parent_id", "weight", "state", "progress")
            .iterator(chunk_size=5000)
        }
        children: dict[int, list[int]] = defaultdict(list)
        for pk, (parent_id, _w, state, _p) in goals.items():
            if parent_id in goals and state != RETURNED:
                children[parent_id].append(pk)
        computed: dict[int, float] = {}

        def compute(root: int) -> None:
            stack = [(root, False)]
            while stack:
                pk, expanded = stack.pop()
                if pk in computed:
                    continue
                below = children.get(pk, []) if pk not in by_goal else []
                if not expanded and below:
                    stack.append((pk, True))
                    stack.extend((c, False) for c in below if c not in computed)
                    continue
                rows = by_goal.get(pk) or [(computed[c], goals[c][1]) for c in below]
                computed[pk] = metrics.weighted_mean(rows)

        for pk in goals:
            compute(pk)
        for pk, progress in computed.items():
            if abs(progress - goals[pk][3]) > 1e-9:
                self.drift.append(Drift("goal_progress", pk, goals[pk][3], progress))
        return computed

    # Repair --------------------------------------------------------------------------------

    def _pace_field(self) -> list[str]:
        """The stored pace to mark stale, where the model has one (not yet in the data
        migration that first ran this check)."""
        names = {f.name for f in self.KeyResult._meta.concrete_fields}
        return ["pace_on"] if "pace_on" in names else []

    def _write(self, krs, values, kr_progress, goal_progress) -> None:
        """Write what drifted. A rolled-up value that changes gets its measurement (source
        rollup), as it would have on write."""
        now = timezone.now()
        wrong = {(d.kind, d.pk) for d in self.drift}
        rows, rollups = [], []
        for kr in krs.values():
            if not {("current_value", kr.pk), ("value_at", kr.pk), ("progress", kr.pk)} & wrong:
                continue
            value, at = values[kr.pk]
            if kr.source == ROLLUP and ("current_value", kr.pk) in wrong:
                at = now
                rollups.append(
                    self.Measurement(
                        key_result_id=kr.pk,
                        value=value,
                        effective_at=now,
                        recorded_at=now,
                        source=ROLLUP,
                    )
                )
            row = self.KeyResult(
                pk=kr.pk, current_value=value, value_at=at, progress=kr_progress[kr.pk]
            )
            row.pace_on = None  # the stored pace follows the new progress
            rows.append(row)
        self.Measurement.objects.bulk_create(rollups, batch_size=1000)
        self.KeyResult.objects.bulk_update(
            rows, ["current_value", "value_at", "progress", *self._pace_field()], batch_size=1000
        )
        goals = [
            self.Goal(pk=d.pk, progress=goal_progress[d.pk])
            for d in self.drift
            if d.kind == "goal_progress"
        ]
        self.Goal.objects.bulk_update(goals, ["progress"], batch_size=1000)


def check_numbers(*, goals=None, fix: bool = False) -> list[Drift]:
    """Recompute every number from the measurements; with `fix`, repair what drifted."""
    from goals.models import Goal, KeyResult, Measurement

    return NumbersCheck(KeyResult, Measurement, Goal, goals=goals).run(fix=fix)


def recompute_all(goals=None) -> list[Drift]:
    """Repair every number of `goals` (all by default) and return what had drifted."""
    return check_numbers(goals=goals, fix=True)
