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
their own absence), the reminder is skipped for that week (logged as skipped), not moved.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache, partial
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from notifications.calendar import WorkCalendar
from notifications.kinds import Channel, ReminderKind
from notifications.models import Delivery, Notification, ReminderLog, ReminderRun, ReminderSchedule
from notifications.services.delivery import (
    active_webhooks,
    build_deliveries,
    channel_enabled,
    enqueue_deliveries,
    preference_map,
)
from org.models import Person, Unit
from tracking.models import CheckIn
from tracking.models.checkins import week_start

CHUNK_SIZE = 500
STALE_SENDING = dt.timedelta(minutes=15)
STALE_PENDING = dt.timedelta(minutes=10)


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_period(now: dt.datetime, timezone_name: str) -> dt.date:
    return week_start(now.astimezone(zone(timezone_name)).date())


def due_at(period: dt.date, schedule: ReminderSchedule, timezone_name: str) -> dt.datetime:
    day = period + dt.timedelta(days=schedule.weekday)
    return dt.datetime.combine(day, schedule.time, tzinfo=zone(timezone_name))


@dataclass(frozen=True)
class Due:
    person_id: int
    kind: str
    period: dt.date


class Schedules:
    """Organisation defaults and per-person overrides, loaded in one query."""

    def __init__(self, person_ids=None):
        rows = ReminderSchedule.objects.all()
        if person_ids is not None:
            rows = rows.filter(Q(person__isnull=True) | Q(person_id__in=list(person_ids)))
        self.defaults: dict[str, ReminderSchedule] = {}
        self.overrides: dict[tuple[str, int], ReminderSchedule] = {}
        for row in rows:
            if row.person_id is None:
                self.defaults[row.kind] = row
            else:
                self.overrides[(row.kind, row.person_id)] = row

    def for_person(self, kind: str, person_id: int) -> ReminderSchedule:
        return (
            self.overrides.get((kind, person_id))
            or self.defaults.get(kind)
            or ReminderSchedule.builtin(kind)
        )


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
    current week and that has no log row yet. Five queries, whatever the headcount."""
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
    found: list[Due] = []
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
                found.append(Due(pk, kind, period))
    return found


def _chunks(due: list[Due]):
    groups: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for item in due:
        groups[(item.kind, item.period)].append(item.person_id)
    for (kind, period), ids in sorted(groups.items()):
        for start in range(0, len(ids), CHUNK_SIZE):
            yield kind, period, ids[start : start + CHUNK_SIZE]


def _enqueue_batch(run_id: int, kind: str, period: dt.date, ids: list[int]) -> None:
    from notifications import tasks

    tasks.send_reminder_batch.delay(run_id, kind, period.isoformat(), ids)


def sweep(now: dt.datetime) -> None:
    """Deliveries a dead worker left in "sending" are failed (resending could duplicate);
    pending ones whose task was lost (broker down at commit) are enqueued again."""
    Delivery.objects.filter(
        status=Delivery.Status.SENDING, updated_at__lt=now - STALE_SENDING
    ).update(
        status=Delivery.Status.FAILED,
        last_error="Interrupted while sending; not resent so that it is never sent twice.",
        updated_at=now,
    )
    lost = list(
        Delivery.objects.filter(
            status=Delivery.Status.PENDING, updated_at__lt=now - STALE_PENDING
        ).values_list("pk", flat=True)[:5000]
    )
    enqueue_deliveries(lost)


def dispatch(
    *, now: dt.datetime | None = None, trigger: str = ReminderRun.Trigger.BEAT, inline=False
) -> ReminderRun:
    """One dispatch. `inline` runs the batches here (the operators' command) instead of
    through the broker."""
    now = now or timezone.now()
    sweep(timezone.now())  # real time, even when an operator dispatches "as of" another instant
    due = find_due(now)
    run = ReminderRun.objects.create(now=now, trigger=trigger, due=len(due))
    batches = 0
    for kind, period, ids in _chunks(due):
        batches += 1
        if inline:
            send_reminder_batch(run_id=run.pk, kind=kind, period=period, person_ids=ids, now=now)
        else:
            transaction.on_commit(partial(_enqueue_batch, run.pk, kind, period, ids), robust=True)
    ReminderRun.objects.filter(pk=run.pk).update(batches=batches)
    run.batches = batches
    return run


@dataclass
class Plan:
    person: Person
    send: bool
    reason: str = ""
    subject: str = ""
    body: str = ""
    url: str = ""


def _url(name: str, fallback: str, query: str = "") -> str:
    try:
        path = reverse(name)
    except NoReverseMatch:
        path = fallback
    return f"{path}?{query}" if query else path


def _date(day: dt.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def _plan_check_in(person: Person, period: dt.date, submitted: set[int]) -> Plan:
    if person.pk in submitted:
        return Plan(person, False, "submitted")
    return Plan(
        person,
        True,
        subject=_("Your weekly check-in is due"),
        body=_(
            "Please submit your check-in for the week of %(week)s: what you did, how your "
            "key results moved and what you plan next."
        )
        % {"week": _date(period)},
        url=_url("tracking:this-week", "/tracking/this-week/"),
    )


def _plan_review(person: Person, period: dt.date, summary) -> Plan:
    week = period - dt.timedelta(days=7)
    if summary is None or not summary.total:
        return Plan(person, False, "no_team")
    body = _(
        "Your team's week of %(week)s: %(submitted)s of %(total)s check-ins submitted; "
        "%(at_risk)s key results at risk and %(off_track)s off track; %(approvals)s approvals "
        "waiting for you."
    ) % {
        "week": _date(week),
        "submitted": summary.submitted,
        "total": summary.total,
        "at_risk": summary.at_risk,
        "off_track": summary.off_track,
        "approvals": summary.pending_approvals,
    }
    return Plan(
        person,
        True,
        subject=_("Time for your weekly review"),
        body=body,
        url=_url("tracking:weekly-review", "/tracking/weekly-review/", f"week={week}"),
    )


def _plan_escalation(person: Person, period: dt.date, silent: list[str]) -> Plan:
    if not silent:
        return Plan(person, False, "nothing_to_report")
    weeks = [period - dt.timedelta(days=14), period - dt.timedelta(days=7)]
    return Plan(
        person,
        True,
        subject=_("Missed check-ins in your team"),
        body=_("No check-in for the weeks of %(first)s and %(second)s: %(names)s.")
        % {"first": _date(weeks[0]), "second": _date(weeks[1]), "names": ", ".join(silent)},
        url=_url(
            "tracking:weekly-review", "/tracking/weekly-review/", f"week={weeks[1].isoformat()}"
        ),
    )


def _silent_reports(managers: list[Person], period: dt.date) -> dict[int, list[str]]:
    """Per manager: their reports who missed both of the two weeks before `period` (a week
    counts as missed only when it had a working day the person was not on leave)."""
    weeks = [period - dt.timedelta(days=14), period - dt.timedelta(days=7)]
    ids = [m.pk for m in managers]
    reports = Person.objects.filter(is_active=True).filter(
        Q(manager_id__in=ids) | Q(manager__isnull=True, unit__head_id__in=ids)
    )
    rows = list(
        reports.values_list(
            "pk", "display_name", "timezone", "manager_id", "unit__head_id", "hired_on"
        )
    )
    if not rows:
        return {}
    submitted = set(
        CheckIn.objects.filter(
            person__in=reports, week__in=weeks, state=CheckIn.State.SUBMITTED
        ).values_list("person_id", "week")
    )
    calendar = WorkCalendar(
        person_ids=[r[0] for r in rows], start=weeks[0], end=weeks[1] + dt.timedelta(days=6)
    )
    found: dict[int, list[str]] = defaultdict(list)
    for pk, name, tz, manager_id, head_id, hired_on in rows:
        boss = manager_id or head_id
        if boss == pk:
            continue

        def missed(week: dt.date, pk=pk, tz=tz, hired_on=hired_on) -> bool:
            if (pk, week) in submitted or (hired_on and hired_on > week):
                return False
            days = (week + dt.timedelta(days=offset) for offset in range(7))
            return any(calendar.available(person_id=pk, timezone_name=tz, day=d) for d in days)

        if all(missed(week) for week in weeks):
            found[boss].append(name)
    return {boss: sorted(names) for boss, names in found.items()}


def plan_batch(*, kind: str, period: dt.date, people: list[Person], now: dt.datetime) -> list[Plan]:
    """What to do for each person of a batch; reads only, a fixed number of queries."""
    if not people:
        return []
    schedules = Schedules(person_ids=[p.pk for p in people])
    calendar = WorkCalendar(
        person_ids=[p.pk for p in people], start=period, end=period + dt.timedelta(days=6)
    )
    submitted: set[int] = set()
    silent: dict[int, list[str]] = {}
    summaries: dict = {}
    if kind == ReminderKind.CHECK_IN:
        submitted = set(
            CheckIn.objects.filter(
                person_id__in=[p.pk for p in people], week=period, state=CheckIn.State.SUBMITTED
            ).values_list("person_id", flat=True)
        )
    elif kind == ReminderKind.ESCALATION:
        silent = _silent_reports(people, period)
    elif kind == ReminderKind.WEEKLY_REVIEW:
        from notifications.selectors import team_summaries

        # Expected pace is judged on the review's day (the same calendar day everywhere
        # within a batch of one local week).
        summaries = team_summaries(
            managers=people, week=period - dt.timedelta(days=7), on=now.date()
        )
    plans = []
    for person in people:
        schedule = schedules.for_person(kind, person.pk)
        day = period + dt.timedelta(days=schedule.weekday)
        if not calendar.is_workday(timezone_name=person.timezone, day=day):
            plans.append(Plan(person, False, "holiday"))
            continue
        if calendar.is_absent(person.pk, day):
            plans.append(Plan(person, False, "absent"))
            continue
        with translation.override(person.language or None):
            if kind == ReminderKind.CHECK_IN:
                plan = _plan_check_in(person, period, submitted)
            elif kind == ReminderKind.WEEKLY_REVIEW:
                plan = _plan_review(person, period, summaries.get(person.pk))
            else:
                plan = _plan_escalation(person, period, silent.get(person.pk, []))
            plan.subject, plan.body = str(plan.subject), str(plan.body)
        plans.append(plan)
    return plans


def send_reminder_batch(
    *,
    run_id: int | None,
    kind: str,
    period: dt.date,
    person_ids: list[int],
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Decide, claim and create the notifications and deliveries of one batch (see the module
    docstring). Safe to run any number of times. Returns counts of what this call claimed."""
    now = now or timezone.now()
    people = list(
        Person.objects.filter(pk__in=person_ids, is_active=True).select_related("user", "unit")
    )
    plans = plan_batch(kind=kind, period=period, people=people, now=now)
    prefs = preference_map(p.pk for p in people)
    for plan in plans:
        if plan.send and not any(
            channel_enabled(prefs, plan.person.pk, kind, channel) for channel in Channel.values
        ):
            plan.send, plan.reason = False, "opted_out"
    token = uuid.uuid4().hex
    counts = {"sent": 0, "skipped": 0}
    with transaction.atomic():
        ReminderLog.objects.bulk_create(
            [
                ReminderLog(
                    person=plan.person,
                    kind=kind,
                    period=period,
                    status=ReminderLog.Status.SENT if plan.send else ReminderLog.Status.SKIPPED,
                    reason=plan.reason,
                    run_id=run_id,
                    claim=token,
                )
                for plan in plans
            ],
            ignore_conflicts=True,
        )
        mine = {
            log.person_id: log
            for log in ReminderLog.objects.filter(claim=token).only("pk", "person_id", "status")
        }
        to_send = [p for p in plans if p.send and p.person.pk in mine]
        counts["skipped"] = sum(1 for log in mine.values() if log.status == "skipped")
        counts["sent"] = len(to_send)
        if not to_send:
            return counts
        webhooks = active_webhooks()
        notifications = Notification.objects.bulk_create(
            [
                Notification(recipient=p.person, kind=kind, text=p.body, url=p.url)
                for p in to_send
                if channel_enabled(prefs, p.person.pk, kind, Channel.IN_APP)
            ]
        )
        by_person = {n.recipient_id: n for n in notifications}
        rows: list[Delivery] = []
        for plan in to_send:
            links = {"reminder_log": mine[plan.person.pk], "run_id": run_id}
            notification = by_person.get(plan.person.pk)
            if notification is not None:
                rows.append(
                    Delivery(
                        recipient=plan.person,
                        kind=kind,
                        channel=Channel.IN_APP,
                        subject=plan.subject[:300],
                        body=plan.body,
                        url=plan.url,
                        status=Delivery.Status.SENT,
                        attempts=1,
                        sent_at=now,
                        notification=notification,
                        **links,
                    )
                )
            rows += build_deliveries(
                person=plan.person,
                kind=kind,
                subject=plan.subject,
                body=plan.body,
                url=plan.url,
                prefs=prefs,
                webhooks=webhooks,
                notification=notification,
                **links,
            )
        created = Delivery.objects.bulk_create(rows)
        enqueue_deliveries(d.pk for d in created if d.status == Delivery.Status.PENDING)
    return counts


def preview(*, now: dt.datetime) -> list[tuple[Due, Plan]]:
    """What a dispatch at `now` would do, without writing anything (the --dry-run)."""
    due = find_due(now)
    result = []
    for kind, period, ids in _chunks(due):
        people = list(Person.objects.filter(pk__in=ids).select_related("user", "unit"))
        for plan in plan_batch(kind=kind, period=period, people=people, now=now):
            result.append((Due(plan.person.pk, kind, period), plan))
    return result
