"""Run one reminder dispatch now, synchronously.

    python manage.py send_reminders                      # dispatch for the current time
    python manage.py send_reminders --now 2026-11-27T07:30:00Z
    python manage.py send_reminders --dry-run            # print what would be sent, write nothing

The batches run in this process; the deliveries go to the Celery worker when REDIS_URL is set,
and run in this process too otherwise (the embedded default)."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from notifications.models import ReminderLog, ReminderRun
from reminders import services


def parse_now(value: str | None) -> dt.datetime:
    if not value:
        return timezone.now()
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise CommandError(f"--now: not an ISO-8601 date and time: {value!r}") from None
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=dt.UTC)
    return moment


class Command(BaseCommand):
    help = "Run one reminder dispatch synchronously and print what was (or would be) sent."

    def add_arguments(self, parser):
        parser.add_argument("--now", help="Dispatch as if it were this instant (ISO-8601).")
        parser.add_argument("--dry-run", action="store_true", help="Print only; write nothing.")
        parser.add_argument("--quiet-list", action="store_true", help="Print totals only.")

    def handle(self, *args, now=None, dry_run=False, quiet_list=False, **options):
        moment = parse_now(now)
        started = time.perf_counter()
        if dry_run:
            plans = services.preview(now=moment)
            for due, plan in plans if not quiet_list else []:
                verdict = "would send" if plan.send else f"would skip ({plan.reason})"
                self.stdout.write(f"{due.period} {due.kind} {plan.person.display_name}: {verdict}")
            sending = sum(1 for _due, plan in plans if plan.send)
            expired = sum(1 for _due, plan in plans if plan.log_status == "expired")
            self.stdout.write(
                f"Dry run at {moment.isoformat()}: {sending} would be sent, "
                f"{len(plans) - sending - expired} skipped, {expired} expired "
                f"({time.perf_counter() - started:.1f}s)."
            )
            return
        run = services.dispatch(now=moment, trigger=ReminderRun.Trigger.COMMAND, inline=True)
        logs = (
            ReminderLog.objects.filter(run=run)
            .select_related("person")
            .order_by("kind", "person__display_name")
        )
        counts = dict.fromkeys(ReminderLog.Status.values, 0)
        for log in logs.iterator(chunk_size=2000):
            counts[log.status] += 1
            if not quiet_list:
                verdict = "sent" if log.status == "sent" else f"{log.status} ({log.reason})"
                self.stdout.write(f"{log.period} {log.kind} {log.person.display_name}: {verdict}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Dispatch at {moment.isoformat()}: {run.due} due, {counts['sent']} sent, "
                f"{counts['skipped']} skipped, {counts['expired']} expired (over "
                f"{settings.REMINDER_EXPIRY_HOURS} hours late), {run.batches} batches "
                f"({time.perf_counter() - started:.1f}s)."
            )
        )
