"""Check-ins at scale for a synthetic organisation (seed_demo --employees N): bulk inserts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from demo.bulk import insert_rows, update_rows
from demo.seed.context import DemoContext
from demo.seed.tracking import DONE, PLANS, _people_with_key_results, _quantum, _value
from goals import metrics
from goals.models import Goal, GoalSettings, KeyResult, Measurement, Status
from goals.services import recompute_all
from tracking.models import CheckIn, KeyResultUpdate
from tracking.models import week_start as monday_of


def seed_synthetic(ctx: DemoContext) -> None:
    """Check-ins, updates and measurements in bulk for a synthetic organisation: every past
    week submitted, values on a noisy pace. Skipped when its check-ins already exist. Key
    results' current values and goal progress are left as the goals seeding made them."""
    # Each week's check-in updates the key results of the person's first goal (three of
    # the scale data's twelve per person).
    by_person = _people_with_key_results(ctx, first_goal_only=True)
    if not by_person or CheckIn.objects.filter(person_id__in=list(by_person)).exists():
        return
    rng = ctx.rng("tracking:synthetic")
    settings = GoalSettings.load()
    ops = connection.ops
    current = monday_of(ctx.today)
    weeks = [current - dt.timedelta(weeks=n) for n in range(ctx.weeks, 0, -1)]
    now = ops.adapt_datetimefield_value(timezone.now())
    dates = {week: ops.adapt_datefield_value(week) for week in weeks}
    stamp = {
        week: ops.adapt_datetimefield_value(
            timezone.make_aware(dt.datetime.combine(week + dt.timedelta(days=6), dt.time(18)))
        )
        for week in weeks
    }
    with transaction.atomic():
        insert_rows(
            CheckIn,
            [
                "person",
                "week",
                "state",
                "plan",
                "done",
                "deviation",
                "act",
                "blockers",
                "submitted_at",
                "amendments",
                "is_late",
                "created_at",
                "updated_at",
            ],
            [
                (
                    person_id,
                    dates[week],
                    CheckIn.State.SUBMITTED,
                    PLANS[(person_id + i) % len(PLANS)],
                    DONE[(person_id + i) % len(DONE)],
                    "",
                    "",
                    "",
                    stamp[week],
                    0,
                    False,
                    now,
                    now,
                )
                for person_id in by_person
                for i, week in enumerate(weeks)
            ],
        )
        ids = {
            (person_id, week): pk
            for pk, person_id, week in CheckIn.objects.filter(
                person_id__in=list(by_person), week__in=weeks
            ).values_list("pk", "person_id", "week")
        }
        decimal = ops.adapt_decimalfield_value
        updates, measurements = [], []
        latest: dict[int, tuple] = {}  # key result → (value, its time, progress) of the last week
        quanta = {kr.pk: _quantum(kr) for krs in by_person.values() for kr in krs}
        for person_id in sorted(by_person):
            previous: dict[int, Decimal] = {}
            for week in weeks:
                on = week + dt.timedelta(days=6)
                for kr in by_person[person_id]:
                    if not (kr.goal.cycle.starts_on <= on and week <= kr.goal.cycle.ends_on):
                        continue
                    expected = kr.expected_progress(on)
                    value = _value(
                        kr,
                        on,
                        rng.uniform(0.55, 1.15),
                        previous.get(kr.pk),
                        expected=expected,
                        quantum=quanta[kr.pk],
                    )
                    progress = kr.compute_progress(value)
                    before = previous.get(kr.pk, kr.start_value)
                    updates.append(
                        (
                            ids[person_id, week],
                            kr.pk,
                            decimal(value, 20, 4),
                            decimal(before, 20, 4),
                            Status.ON_TRACK,
                            settings.classify(progress, expected),
                            progress,
                            expected,
                            "",
                            "",
                        )
                    )
                    measurements.append(
                        (kr.pk, decimal(value, 20, 4), stamp[week], stamp[week], "check_in", "")
                    )
                    previous[kr.pk] = value
                    latest[kr.pk] = (value, stamp[week], progress)
        insert_rows(
            KeyResultUpdate,
            [
                "check_in",
                "key_result",
                "value",
                "previous_value",
                "confidence",
                "status",
                "progress",
                "expected_progress",
                "note",
                "action",
            ],
            updates,
        )
        insert_rows(
            Measurement,
            ["key_result", "value", "effective_at", "recorded_at", "source", "note"],
            measurements,
        )
        # The key results' current values are their latest check-in's: the numbers follow from
        # the measurements, as `check_numbers` verifies. Written here as rows (the values,
        # progress and today's pace of the key results, the progress of their goals), so the
        # recompute below finds only the unit goals above them to move, and the rollup
        # rebuild no stale pace: both would otherwise rewrite every row through bulk_update.
        _write_latest(ctx, by_person, latest, settings)
        cycles = {kr.goal.cycle_id for krs in by_person.values() for kr in krs}
        recompute_all(Goal.objects.filter(cycle_id__in=cycles))


def _write_latest(ctx: DemoContext, by_person: dict, latest: dict, settings) -> None:
    ops = connection.ops
    today = ops.adapt_datefield_value(ctx.today)
    kr_rows, by_goal = [], {}
    expected_of: dict[tuple, float] = {}  # (goal start, due) → today's expected share
    for krs in by_person.values():
        for kr in krs:
            value, at, progress = latest.get(kr.pk, (None, None, kr.progress))
            by_goal.setdefault(kr.goal_id, []).append((progress, kr.weight))
            if value is None:
                continue
            kr.progress = progress
            timing = (kr.goal.pace_start, kr.due)
            if timing not in expected_of:
                expected_of[timing] = kr.expected_progress(ctx.today)
            expected = expected_of[timing]
            kr_rows.append(
                (
                    kr.pk,
                    ops.adapt_decimalfield_value(value, 20, 4),
                    at,
                    progress,
                    expected,
                    settings.classify(progress, expected),
                    today,
                )
            )
    update_rows(
        KeyResult,
        ["current_value", "value_at", "progress", "pace_expected", "pace_status", "pace_on"],
        kr_rows,
    )
    update_rows(
        Goal, ["progress"], [(pk, metrics.weighted_mean(rows)) for pk, rows in by_goal.items()]
    )
