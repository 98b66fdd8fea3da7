"""Reminder dispatch: exactly once per (person, kind, period), in each person's local time.

dispatch(now) finds everyone whose reminder time has passed in their current local week and
who has no ReminderLog row yet (a fixed number of queries whatever the headcount) and hands
them to `send_reminder_batch` in chunks. A batch decides per person (holiday, leave, check-in
already submitted, nothing to report ...), then claims its log rows with one
insert-or-ignore against the unique (person, kind, period) constraint, tagged with a fresh
claim token; only the rows carrying its token are its own, and only those get a notification
and deliveries, in the same transaction. So a duplicated beat, a retried batch or a batch that
died halfway never sends twice (a rolled-back batch claimed nothing and is redone), and a beat
missed while the broker was down is caught up by the next dispatch, as long as the local week
of the reminder has not ended.

The period is the recipient's local ISO week (its Monday). When the scheduled day is not a
working day for the recipient (public holiday, a weekend that is not a make-up workday, or
their own absence), the reminder goes out on their next working day of that week at the same
local time; with none left it is skipped for that week (logged as skipped). A reminder more
than settings.REMINDER_EXPIRY_HOURS past its moment (a beat missed for that long, a backlog)
is not sent: its log row says expired, and the batch counts and logs it
(reminders.services.planning).

Chat groups get no message per person: each group gets one digest per dispatch once all its
batches have finished (reminders.services.digests). The apps above hear of each batch's
reminders through `reminders.signals.reminders_sent` (integrations: direct chat messages).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from coordination.services import remind_overdue_actions
from core.queue import enqueue
from core.rows import insert_new_rows, insert_rows
from notifications.calendar import WorkCalendar
from notifications.kinds import Channel, ReminderKind
from notifications.models import Delivery, Notification, ReminderLog, ReminderRun, ReminderSchedule
from notifications.services.delivery import (
    MAX_ATTEMPTS,
    channel_enabled,
    enqueue_deliveries,
    preference_map,
)
from org.models import Person, Unit
from reminders.services.digests import finish_batch, sweep_digests
from reminders.services.planning import (
    NOT_DUE,
    Plan,
    Schedules,
    moment_on,
    plan_batch,
    send_day,
    zone,
)
from reminders.signals import reminders_sent
from tracking.models.checkins import week_start

CHUNK_SIZE = 500
STALE_SENDING = dt.timedelta(minutes=15)
STALE_PENDING = dt.timedelta(minutes=10)
SWEEP_LIMIT = 5000  # rows recovered per dispatch (every five minutes)

logger = logging.getLogger(__name__)


def local_period(now: dt.datetime, timezone_name: str) -> dt.date:
    return week_start(now.astimezone(zone(timezone_name)).date())


def due_at(period: dt.date, schedule: ReminderSchedule, timezone_name: str) -> dt.datetime:
    """The scheduled moment, before any move to the next working day."""
    return moment_on(period + dt.timedelta(days=schedule.weekday), schedule, timezone_name)


@dataclass(frozen=True)
class Due:
    person_id: int
    kind: str
    period: dt.date


def manager_ids() -> set[int]:
    """Heads of units and people with active direct reports (two queries)."""
    heads = Unit.objects.filter(head__isnull=False, head__is_active=True).values_list(
        "head_id", flat=True
    )
    bosses = (
        Person.objects.filter(is_active=True, manager__isnull=False)
        .values_list("manager_id", flat=True)
        .distinct()
    )
    return set(heads) | set(bosses)


def find_due(now: dt.datetime) -> list[Due]:
    """Every (person, kind, period) whose local reminder time has passed in the person's
    current week and that has no log row yet. Seven queries, whatever the headcount.

    The time is the scheduled one, moved to the person's next working day when that day is
    not one (planning.send_day); with no working day left in the week it is due at once (the
    batch logs it as skipped). Expired ones are due too: the batch logs them as expired."""
    schedules = Schedules()
    people = list(Person.objects.filter(is_active=True).values_list("pk", "timezone"))
    managers = manager_ids()
    periods = {tz: local_period(now, tz) for tz in {tz for _pk, tz in people}}
    logged = set(
        ReminderLog.objects.filter(period__in=set(periods.values())).values_list(
            "person_id", "kind", "period"
        )
    )
    due_cache: dict[tuple, dt.datetime] = {}
    # Past their scheduled moment (a move to a later working day only delays it).
    passed: list[tuple[int, str, str, dt.date, ReminderSchedule]] = []
    for kind in ReminderKind.values:
        for pk, tz in people:
            if kind != ReminderKind.CHECK_IN and pk not in managers:
                continue
            schedule = schedules.for_person(kind, pk)
            if not schedule.enabled:
                continue
            period = periods[tz]
            key = (tz, period, schedule.weekday, schedule.time)
            moment = due_cache.get(key)
            if moment is None:
                moment = due_cache[key] = due_at(period, schedule, tz)
            if now >= moment and (pk, kind, period) not in logged:
                passed.append((pk, tz, kind, period, schedule))
    if not passed:
        return []
    calendar = WorkCalendar(
        person_ids={item[0] for item in passed},
        start=min(periods.values()),
        end=max(periods.values()) + dt.timedelta(days=6),
    )
    found: list[Due] = []
    for pk, tz, kind, period, schedule in passed:
        day, _why = send_day(
            calendar, person_id=pk, timezone_name=tz, period=period, weekday=schedule.weekday
        )
        if day is None or now >= moment_on(day, schedule, tz):
            found.append(Due(pk, kind, period))
    return found


def _chunks(due: list[Due]):
    groups: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for item in due:
        groups[(item.kind, item.period)].append(item.person_id)
    for (kind, period), ids in sorted(groups.items()):
        for start in range(0, len(ids), CHUNK_SIZE):
            yield kind, period, ids[start : start + CHUNK_SIZE]


def sweep(now: dt.datetime) -> dict[str, int]:
    """Recover what a dead worker or an unreachable broker left behind:

    - deliveries "sending" for longer than STALE_SENDING belong to a worker that died between
      claiming them and recording the result: they go back to pending and are sent again
      (failed instead once their attempts are used up). STALE_SENDING is far longer than a
      live batch takes, so a row a live worker still holds is not taken from it;
    - deliveries pending for longer than STALE_PENDING lost their task (the broker was down
      when it was to be sent, or the message was lost): they are enqueued again.

    Sending twice is then possible only for a message the channel accepted in the instant
    before its worker died (see notifications.services.delivery)."""
    stale = list(
        Delivery.objects.filter(
            status=Delivery.Status.SENDING, updated_at__lt=now - STALE_SENDING
        ).values_list("pk", "attempts")[:SWEEP_LIMIT]
    )
    exhausted = [pk for pk, attempts in stale if attempts >= MAX_ATTEMPTS]
    resend = [pk for pk, attempts in stale if attempts < MAX_ATTEMPTS]
    for ids, status, error in (
        (exhausted, Delivery.Status.FAILED, "Interrupted while sending, and no attempts left."),
        (resend, Delivery.Status.PENDING, "Interrupted while sending (worker lost); sent again."),
    ):
        if ids:
            Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENDING).update(
                status=status, last_error=error, updated_at=now
            )
    lost = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, updated_at__lt=now - STALE_PENDING
        ).values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    enqueue_deliveries([*resend, *lost])
    from reminders import tasks

    digest_runs = sweep_digests(now, stale_sending=STALE_SENDING, stale_pending=STALE_PENDING)
    for run_id in digest_runs:
        enqueue(tasks.send_group_digests, run_id, True)
    return {
        "failed": len(exhausted),
        "resent": len(resend),
        "requeued": len(lost),
        "digests": len(digest_runs),
    }


def dispatch(
    *, now: dt.datetime | None = None, trigger: str = ReminderRun.Trigger.BEAT, inline=False
) -> ReminderRun:
    """One dispatch. `inline` runs the batches here (the operators' command) instead of
    through the broker."""
    from reminders import tasks

    now = now or timezone.now()
    sweep(timezone.now())  # real time, even when an operator dispatches "as of" another instant
    due = find_due(now)
    chunks = list(_chunks(due))
    # The number of batches is known before any runs: the last one to finish sends the
    # run's group digests (reminders.services.digests).
    run = ReminderRun.objects.create(now=now, trigger=trigger, due=len(due), batches=len(chunks))
    for index, (kind, period, ids) in enumerate(chunks):
        if inline:
            send_reminder_batch(
                run_id=run.pk, kind=kind, period=period, person_ids=ids, now=now, index=index
            )
        else:
            enqueue(tasks.send_reminder_batch, run.pk, kind, period.isoformat(), ids, index)
    # What meetings decided and is now overdue: each owner is reminded once a day.
    remind_overdue_actions(today=timezone.localdate(now))
    # Review steps owed before their deadline: each person once per step and deadline.
    from reminders.services.review_steps import remind_review_steps

    remind_review_steps(now=now, run_id=run.pk)
    return run


def batch_now(run_id: int | None) -> dt.datetime:
    """The instant a queued batch plans for: its dispatch's `now` plus the time since that
    dispatch ran (the wait in the queue). A beat's batch so plans for the real time, and one
    that waited past REMINDER_EXPIRY_HOURS expires; the batch of a dispatch "as of" another
    instant (the operators' command, the tests) plans for that instant. Real time without a
    run."""
    real = timezone.now()
    run = (
        ReminderRun.objects.filter(pk=run_id).values_list("now", "started_at").first()
        if run_id is not None
        else None
    )
    if run is None:
        return real
    as_of, started = run
    return as_of + max(real - started, dt.timedelta(0))


def send_reminder_batch(
    *,
    run_id: int | None,
    kind: str,
    period: dt.date,
    person_ids: list[int],
    now: dt.datetime | None = None,
    index: int | None = None,
) -> dict[str, int]:
    """Decide, claim and create the notifications and deliveries of one batch (see the module
    docstring). Safe to run any number of times. Returns counts of what this call claimed.

    Chat groups get no message per person: batch `index` of a run records that it finished,
    and the run's last batch to finish has its group digests sent (one per group)."""
    now = now or timezone.now()
    # In id order, so that two batches racing for the same people insert their log rows in
    # the same order (one waits for the other instead of deadlocking).
    people = list(
        Person.objects.filter(pk__in=person_ids, is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    plans = plan_batch(kind=kind, period=period, people=people, now=now)
    return deliver(run_id=run_id, kind=kind, period=period, plans=plans, now=now, index=index)


def deliver(
    *,
    run_id: int | None,
    kind: str,
    period: dt.date,
    plans: list[Plan],
    now: dt.datetime,
    index: int | None = None,
) -> dict[str, int]:
    """Claim the send-log rows of `plans` (one kind and period) and create the notifications
    and deliveries of those this call claimed, in one transaction. The plans' people need
    `user` loaded. `index`: the run's batch this is (weekly reminders), recorded as
    finished so that the last one sends the run's group digests. Returns counts of what this
    call claimed."""
    from reminders import tasks

    prefs = preference_map(p.person.pk for p in plans)
    for plan in plans:
        if plan.send and not any(
            channel_enabled(prefs, plan.person.pk, kind, channel) for channel in Channel.values
        ):
            plan.send, plan.reason = False, "opted_out"
    token = uuid.uuid4().hex
    counts = {"sent": 0, "skipped": 0, "expired": 0}
    with transaction.atomic():
        # The send log's rows, inserted or ignored against the unique (person, kind, period):
        # those this statement inserted (its claim token) are this call's to send.
        written = timezone.now()
        claimed = insert_new_rows(
            ReminderLog,
            ("person_id", "kind", "period", "status", "reason", "run_id", "claim", "created_at"),
            [
                (plan.person.pk, kind, period, plan.log_status, plan.reason, run_id, token, written)
                for plan in plans
                if plan.reason != NOT_DUE  # a later dispatch takes it
            ],
            returning=("person_id", "id", "status"),
        )
        mine = {person_id: (log_id, status) for person_id, log_id, status in claimed}
        if run_id is not None and index is not None:
            finish_batch(run_id=run_id, index=index)
            enqueue(tasks.send_group_digests, run_id)
        to_send = [p for p in plans if p.send and p.person.pk in mine]
        for status in (ReminderLog.Status.SKIPPED, ReminderLog.Status.EXPIRED):
            counts[status] = sum(1 for _log, logged in mine.values() if logged == status)
        counts["sent"] = len(to_send)
        if counts["expired"]:
            logger.warning(
                "Reminder batch %s %s (run %s): %d expired, not sent (over %s hours late); "
                "%d sent, %d skipped.",
                kind,
                period,
                run_id,
                counts["expired"],
                settings.REMINDER_EXPIRY_HOURS,
                counts["sent"],
                counts["skipped"],
            )
        if not to_send:
            return counts
        _write_messages(kind=kind, run_id=run_id, plans=to_send, mine=mine, prefs=prefs, now=now)
    return counts


# The columns of the rows a batch writes (core.rows: field attribute names, every column).
NOTIFICATION_COLUMNS = (
    "recipient_id",
    "kind",
    "text",
    "message",
    "url",
    "content_type_id",
    "object_id",
    "created_at",
    "read_at",
)
DELIVERY_COLUMNS = (
    "recipient_id",
    "kind",
    "channel",
    "config_id",
    "notification_id",
    "reminder_log_id",
    "run_id",
    "subject",
    "body",
    "url",
    "status",
    "attempts",
    "last_error",
    "claim",
    "created_at",
    "updated_at",
    "sent_at",
)


def _write_messages(
    *, kind: str, run_id: int | None, plans: list[Plan], mine: dict, prefs: dict, now
) -> None:
    """The inbox items, their in-app deliveries (sent) and the email deliveries (pending, sent
    after commit) of the claimed `plans`, written as rows (core.rows), in the batch's
    transaction. Chat groups get one digest per dispatch instead of a delivery per person;
    apps above hear of the reminders through `reminders_sent`."""
    written = timezone.now()
    # A Message's JSON is the same for everyone of a batch with the same words: made once.
    messages: dict[tuple, dict] = {}

    def message_json(plan: Plan):
        message = plan.message
        if message is None:
            return None
        try:
            key = (message.msgid, tuple(sorted(message.params.items())))
            hash(key)
        except TypeError:
            return message.to_json()
        if key not in messages:
            messages[key] = message.to_json()
        return messages[key]

    inbox = [p for p in plans if channel_enabled(prefs, p.person.pk, kind, Channel.IN_APP)]
    note_ids = insert_rows(
        Notification,
        NOTIFICATION_COLUMNS,
        [
            (p.person.pk, kind, p.body, message_json(p), p.url, None, None, written, None)
            for p in inbox
        ],
    )
    by_person = dict(zip((p.person.pk for p in inbox), note_ids, strict=True))
    rows: list[tuple] = []
    for plan in plans:
        pk = plan.person.pk
        note = by_person.get(pk)
        common = (pk, kind)
        links = (None, note, mine[pk][0], run_id, plan.subject[:300], plan.body, plan.url)
        if note is not None:
            rows.append(
                (*common, Channel.IN_APP, *links, Delivery.Status.SENT, 1, "", "")
                + (written, written, now)
            )
        if channel_enabled(prefs, pk, kind, Channel.EMAIL) and plan.person.user.email:
            rows.append(
                (*common, Channel.EMAIL, *links, Delivery.Status.PENDING, 0, "", "")
                + (written, written, None)
            )
    ids = insert_rows(Delivery, DELIVERY_COLUMNS, rows)
    status_at = DELIVERY_COLUMNS.index("status")
    enqueue_deliveries(
        pk for pk, row in zip(ids, rows, strict=True) if row[status_at] == Delivery.Status.PENDING
    )
    reminders_sent.send(
        sender=send_reminder_batch,
        reminders=[
            {
                "log": mine[plan.person.pk][0],
                "person": plan.person.pk,
                "text": "\n".join(t for t in (plan.subject, plan.body) if t),
                "url": plan.url,
            }
            for plan in plans
            if channel_enabled(prefs, plan.person.pk, kind, Channel.WEBHOOK)
        ],
    )


def preview(*, now: dt.datetime) -> list[tuple[Due, Plan]]:
    """What a dispatch at `now` would do, without writing anything (the --dry-run)."""
    due = find_due(now)
    result = []
    for kind, period, ids in _chunks(due):
        people = list(Person.objects.filter(pk__in=ids).select_related("user", "unit"))
        for plan in plan_batch(kind=kind, period=period, people=people, now=now):
            result.append((Due(plan.person.pk, kind, period), plan))
    from reminders.services.review_steps import plan_review_steps

    for (kind, due_on), plans in plan_review_steps(now).items():
        result += [(Due(plan.person.pk, kind, due_on), plan) for plan in plans]
    return result
