"""Batch jobs timed by `make bench`: `python bench/jobs.py NAME` prints seconds and queries.

Each job calls the same service the product runs (no benchmark-only shortcuts)."""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# As `make bench` runs the jobs (bench/run.py): mail is built and handed to a backend that
# drops it, so a job times Keel, not the development console printing 11,000 MIME messages.
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402


def recompute() -> str:
    from goals.services import recompute_all

    drift = recompute_all()
    return f"{len(drift)} goals drifted"


def rollups() -> str:
    """The full rebuild of every read model (`manage.py rebuild_rollups`: person × cycle and
    unit × cycle rollups, alignment findings, unit × week check-ins): every row recomputed from
    its inputs and compared with what is stored."""
    from goals.services import rollups as service

    drift = service.rebuild_all()
    return f"{len(drift)} read-model rows differed (repaired)"


def incentives() -> str:
    """The quarterly tiered bonus of the synthetic company, evaluated for ~10,000 people."""
    from incentives.models import IncentiveRule
    from incentives.services import evaluate_rule

    rule = (
        IncentiveRule.objects.filter(kind=IncentiveRule.Kind.TIERED_BONUS, unit__parent=None)
        .filter(unit__name__startswith="Synthetic Co.")
        .order_by("pk")
        .first()
    )
    if rule is None:
        raise SystemExit("no synthetic tiered-bonus rule: seed the scale data first")
    # The current quarter, evaluated as the periodic task does on the day after it ends (an
    # open period can only be previewed, never saved).
    from incentives.rules import period_bounds

    day = timezone.localdate()
    _start, end = period_bounds(rule.period, day, rule.cycle)
    outcome = evaluate_rule(actor=None, rule=rule, day=day, today=end)
    return f"rule {rule.pk}: {len(outcome.people)} people, {len(outcome.proposals)} awards"


def prepare_reminders() -> None:
    """Untimed: the bench database's reminder log of the job's week is cleared (with its
    deliveries) so that every run sends again (exactly-once would otherwise, rightly, send
    nothing)."""
    from django.conf import settings

    from notifications.models import ReminderLog

    if "bench" not in settings.DATABASES["default"]["NAME"]:
        raise SystemExit("the reminders job clears reminder logs: run it on a *bench* database")
    ReminderLog.objects.filter(period__gte=_bench_friday() - dt.timedelta(days=7)).delete()


def _bench_friday() -> dt.date:
    today = timezone.localdate()
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=4)


def reminders() -> str:
    """Dispatch and send the Friday check-in nudges and whatever else is due then, for the
    whole synthetic company: Friday 20:30 UTC is past 15:00 local in both of its time zones
    (Saturday 04:30 in Shanghai, Friday 15:30 in New York), so all 10,000 are due. The week's
    reminder log was cleared before the timer started (`prepare_reminders`). Prints what was
    sent and skipped (with the reasons) and the deliveries per channel."""
    from collections import Counter

    from django.conf import settings
    from django.db.models import Count

    from notifications.models import Delivery, ReminderLog, ReminderRun
    from reminders.services import dispatch

    now = dt.datetime.combine(_bench_friday(), dt.time(20, 30), tzinfo=dt.UTC)
    started = timezone.now()
    # One dispatch sends the whole week's reminders (the Monday reviews and escalations too):
    # the expiry (settings.REMINDER_EXPIRY_HOURS) is lifted for the run, or Shanghai's nudges
    # of 15:00 (07:00 UTC) would be expired at 20:30 UTC, New York's not yet due before 20:00.
    settings.REMINDER_EXPIRY_HOURS = 24 * 7
    run = dispatch(now=now, trigger=ReminderRun.Trigger.COMMAND, inline=True)
    logs: Counter = Counter()
    for status, reason, n in (
        ReminderLog.objects.filter(run=run)
        .values_list("status", "reason")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        logs[(status, reason or "-")] += n
    sent = sum(n for (status, _r), n in logs.items() if status == ReminderLog.Status.SENT)
    skipped = ", ".join(
        f"{reason} {n}" for (status, reason), n in sorted(logs.items()) if status != "sent"
    )
    deliveries: Counter = Counter()
    for channel, status, n in (
        Delivery.objects.filter(created_at__gte=started)
        .values_list("channel", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        deliveries[f"{channel} {status}"] += n
    channels = ", ".join(f"{k} {n}" for k, n in sorted(deliveries.items()))
    return f"{run.due} due, {sent} sent, skipped: {skipped or 'none'}; deliveries: {channels}"


# Untimed set-up before a job's timer starts.
PREPARE = {"reminders": prepare_reminders}

JOBS = {
    "recompute": recompute,
    "incentives": incentives,
    "reminders": reminders,
    "rollups": rollups,
}


def main(name: str) -> None:
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    if name in PREPARE:
        PREPARE[name]()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        detail = JOBS[name]()
    print(f"{name}: {time.perf_counter() - started:.2f} s, {count[0]} queries; {detail}")


if __name__ == "__main__":
    main(sys.argv[1])
