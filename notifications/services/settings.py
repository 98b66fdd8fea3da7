"""A person's notification switches, reminder times and absences; organisation defaults."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from notifications.kinds import OTHER_KIND, REMINDER_KINDS, Channel, switchable
from notifications.models import Absence, NotificationPreference, ReminderSchedule
from notifications.permissions import require_reminder_admin
from org.models import Person

MAX_ABSENCE_DAYS = 366


def _check_kind(kind: str, *, allow_other: bool = False) -> None:
    allowed = [*REMINDER_KINDS, OTHER_KIND] if allow_other else REMINDER_KINDS
    if kind not in allowed:
        raise ValidationError({"kind": _("Unknown notification kind.")})


@transaction.atomic
def set_preference(
    *, person: Person, kind: str, channel: str, enabled: bool
) -> NotificationPreference:
    _check_kind(kind, allow_other=True)
    if channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel.")})
    if not switchable(kind, channel):
        raise ValidationError(
            {"channel": _("The inbox always keeps notifications that need your action.")}
        )
    row, _created = NotificationPreference.objects.update_or_create(
        person=person, kind=kind, channel=channel, defaults={"enabled": bool(enabled)}
    )
    return row


def _validate(weekday, time) -> None:
    errors = {}
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        errors["weekday"] = _("Choose a day from Monday (0) to Sunday (6).")
    if not isinstance(time, dt.time):
        errors["time"] = _("Enter a time such as 15:00.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def update_own_schedule(
    *,
    person: Person,
    kind: str,
    weekday: int | None = None,
    time: dt.time | None = None,
    enabled: bool | None = None,
    reset: bool = False,
) -> ReminderSchedule | None:
    """A person's override of one reminder; unchanged parts keep the organisation default.
    `reset` removes the override (back to the default)."""
    _check_kind(kind)
    if reset:
        ReminderSchedule.objects.filter(kind=kind, person=person).delete()
        return None
    current = (
        ReminderSchedule.objects.filter(kind=kind, person=person).first()
        or ReminderSchedule.objects.filter(kind=kind, person__isnull=True).first()
        or ReminderSchedule.builtin(kind)
    )
    weekday = current.weekday if weekday is None else weekday
    time = current.time if time is None else time
    enabled = current.enabled if enabled is None else enabled
    _validate(weekday, time)
    row, _created = ReminderSchedule.objects.update_or_create(
        kind=kind,
        person=person,
        defaults={"weekday": weekday, "time": time, "enabled": bool(enabled)},
    )
    return row


@transaction.atomic
def update_default_schedule(
    *,
    actor: Person,
    kind: str,
    weekday: int | None = None,
    time: dt.time | None = None,
    enabled: bool | None = None,
) -> ReminderSchedule:
    require_reminder_admin(actor)
    _check_kind(kind)
    current = ReminderSchedule.objects.filter(
        kind=kind, person__isnull=True
    ).first() or ReminderSchedule.builtin(kind)
    weekday = current.weekday if weekday is None else weekday
    time = current.time if time is None else time
    enabled = current.enabled if enabled is None else enabled
    _validate(weekday, time)
    row, _created = ReminderSchedule.objects.update_or_create(
        kind=kind,
        person=None,
        defaults={"weekday": weekday, "time": time, "enabled": bool(enabled)},
    )
    return row


@transaction.atomic
def add_absence(*, person: Person, start: dt.date, end: dt.date, note: str = "") -> Absence:
    if end < start:
        raise ValidationError({"end": _("An absence cannot end before it starts.")})
    if (end - start).days > MAX_ABSENCE_DAYS:
        raise ValidationError({"end": _("An absence can last at most a year.")})
    absence = Absence(person=person, start=start, end=end, note=note[:200])
    absence.full_clean()
    absence.save()
    return absence


@transaction.atomic
def delete_absence(*, person: Person, absence_id) -> None:
    deleted, _rows = Absence.objects.filter(person=person, pk=absence_id).delete()
    if not deleted:
        from django.http import Http404

        raise Http404
