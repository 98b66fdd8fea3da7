"""Deciding, per person of a batch, whether a reminder goes out and what it says: working
calendar and absences, the check-in already submitted, the manager's team summary, the
reports who fell silent. Reads only, a fixed number of queries per batch.

Escalation: a manager hears about each direct report (or, for people without a manager, the
head of their unit) who has no submitted check-in for both of the two weeks before the
current one; a week counts as missed only if it had a working day on which the person was not
away, and not before their hire date. It repeats each week while the silence lasts.

When: a reminder goes out on its scheduled weekday and time in the person's local week, or,
when that day is not a working day for them (public holiday, weekend, the organisation's day
off, their absence), on the next one that is, at the same time, within the same week (none
left: skipped for that week, the next week's reminder takes over). One that could not go out
within settings.REMINDER_EXPIRY_HOURS of that moment is expired: logged, never sent."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Q
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from notifications.calendar import WorkCalendar
from notifications.kinds import ReminderKind
from notifications.messages import Message
from notifications.models import ReminderLog, ReminderSchedule
from org.models import Person
from reminders.selectors import team_summaries
from tracking.models import CheckIn

# Plan reasons with a meaning of their own: not due yet (no log row is written, a later
# dispatch takes it), and too late to send (logged as expired).
NOT_DUE = "not_due"
EXPIRED = "expired"


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def expiry() -> dt.timedelta:
    return dt.timedelta(hours=settings.REMINDER_EXPIRY_HOURS)


def send_day(
    calendar: WorkCalendar, *, person_id: int, timezone_name: str, period: dt.date, weekday: int
) -> tuple[dt.date | None, str]:
    """The local day a reminder goes out: its scheduled day, or the next working day of the
    person after it within the week of `period`; (None, why) when the week has none left."""
    for offset in range(weekday, 7):
        day = period + dt.timedelta(days=offset)
        if calendar.available(person_id=person_id, timezone_name=timezone_name, day=day):
            return day, ""
    scheduled = period + dt.timedelta(days=weekday)
    if not calendar.is_workday(timezone_name=timezone_name, day=scheduled):
        return None, "holiday"
    return None, "absent"


def moment_on(day: dt.date, schedule: ReminderSchedule, timezone_name: str) -> dt.datetime:
    return dt.datetime.combine(day, schedule.time, tzinfo=zone(timezone_name))


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


@dataclass
class Plan:
    person: Person
    send: bool
    reason: str = ""
    subject: str = ""
    body: str = ""
    url: str = ""
    # The body's source text and parameters: the inbox words it in the reader's language.
    message: Message | None = None

    @property
    def log_status(self) -> str:
        if self.send:
            return ReminderLog.Status.SENT
        return ReminderLog.Status.EXPIRED if self.reason == EXPIRED else ReminderLog.Status.SKIPPED


def _url(name: str, query: str = "") -> str:
    path = _reverse(name, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())
    return f"{path}?{query}" if query else path


@lru_cache(maxsize=64)
def _reverse(name: str, _root: str, urlconf, _prefix: str) -> str:
    """reverse(), once per URL configuration (a batch names the same few pages thousands of
    times)."""
    return reverse(name, urlconf=urlconf)


def _plan_check_in(person: Person, period: dt.date, submitted: set[int]) -> Plan:
    if person.pk in submitted:
        return Plan(person, False, "submitted")
    return Plan(
        person,
        True,
        subject=_("Your weekly check-in is due"),
        body=Message(
            gettext_noop(
                "Please submit your check-in for the week of %(week)s: what you did, how your "
                "key results moved and what you plan next."
            ),
            week=period,
        ),
        url=_url("tracking:this-week"),
    )


def _plan_review(person: Person, period: dt.date, summary) -> Plan:
    week = period - dt.timedelta(days=7)
    if summary is None or not summary.total:
        return Plan(person, False, "no_team")
    body = Message(
        gettext_noop(
            "Your team's week of %(week)s: %(submitted)s of %(total)s check-ins submitted; "
            "%(at_risk)s key results at risk and %(off_track)s off track; %(approvals)s "
            "approvals waiting for you."
        ),
        week=week,
        submitted=summary.submitted,
        total=summary.total,
        at_risk=summary.at_risk,
        off_track=summary.off_track,
        approvals=summary.pending_approvals,
    )
    return Plan(
        person,
        True,
        subject=_("Time for your weekly review"),
        body=body,
        url=_url("tracking:weekly-review", f"week={week}"),
    )


def _plan_escalation(person: Person, period: dt.date, silent: list[str]) -> Plan:
    if not silent:
        return Plan(person, False, "nothing_to_report")
    weeks = [period - dt.timedelta(days=14), period - dt.timedelta(days=7)]
    return Plan(
        person,
        True,
        subject=_("Missed check-ins in your team"),
        body=Message(
            gettext_noop("No check-in for the weeks of %(first)s and %(second)s: %(names)s."),
            first=weeks[0],
            second=weeks[1],
            names=", ".join(silent),
        ),
        url=_url("tracking:weekly-review", f"week={weeks[1].isoformat()}"),
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


def _text(body, texts: dict[tuple, str]) -> str:
    """`str(body)` in the active language, remembered in `texts` for a Message with the same
    text and parameters."""
    if not isinstance(body, Message):
        return str(body)
    try:
        key = (translation.get_language(), body.msgid, tuple(sorted(body.params.items())))
        hash(key)
    except TypeError:
        return str(body)
    text = texts.get(key)
    if text is None:
        text = texts[key] = str(body)
    return text


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
        # Key results behind pace as the rollups hold them today (the stored pace of the
        # day, kept by the rollups' refresh: not re-classified for each reminder).
        summaries = team_summaries(managers=people, week=period - dt.timedelta(days=7))
    late = expiry()
    plans: list[Plan | None] = []
    # Who is due, by language: each language is switched to once per batch, and the same
    # sentence in the same language is put into words once (a check-in nudge's text is the
    # same for everyone of a week and language).
    due: dict[str | None, list[tuple[int, Person]]] = defaultdict(list)
    for person in people:
        schedule = schedules.for_person(kind, person.pk)
        day, why = send_day(
            calendar,
            person_id=person.pk,
            timezone_name=person.timezone,
            period=period,
            weekday=schedule.weekday,
        )
        if day is None:
            plans.append(Plan(person, False, why))
            continue
        moment = moment_on(day, schedule, person.timezone)
        if now < moment:
            plans.append(Plan(person, False, NOT_DUE))
            continue
        if now - moment > late:
            plans.append(Plan(person, False, EXPIRED))
            continue
        due[person.language or None].append((len(plans), person))
        plans.append(None)  # worded below, in the person's language

    def plan_for(person: Person) -> Plan:
        if kind == ReminderKind.CHECK_IN:
            return _plan_check_in(person, period, submitted)
        if kind == ReminderKind.WEEKLY_REVIEW:
            return _plan_review(person, period, summaries.get(person.pk))
        return _plan_escalation(person, period, silent.get(person.pk, []))

    _word(plans, due, plan_for)
    return plans


def _word(plans: list, due: dict, plan_for) -> None:
    """Put `plan_for(person)` of each due person in its place of `plans`, worded in the
    person's language (`due`: language → (place, person))."""
    texts: dict[tuple, str] = {}
    for language, items in due.items():
        with translation.override(language):
            for at, person in items:
                plan = plan_for(person)
                plan.message = plan.body if isinstance(plan.body, Message) else None
                plan.subject, plan.body = str(plan.subject), _text(plan.body, texts)
                plans[at] = plan
