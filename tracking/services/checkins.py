"""Opening, drafting and submitting the weekly check-in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.events import publish
from core.history import records_actor
from goals.models import GoalSettings, KeyResult, Status
from goals.services import record_measurements, refresh_progress
from notifications.kinds import ReminderKind
from notifications.services import resolve_reminders
from org.models import Person
from tracking.models import CheckIn, KeyResultUpdate, local_today, week_start, zone_of

from . import week_rollups
from .checkin_input import TEXT_FIELDS, _apply_fields, _parse_updates, _upsert


@records_actor(param="person")
@transaction.atomic
def open_check_in(
    *, person: Person, week: dt.date | None = None, today: dt.date | None = None
) -> tuple[CheckIn, bool]:
    """This week's (or a past week's) check-in of the person: the existing one, or a new
    draft. Never two for one week, even when two requests race; future weeks are refused."""
    today = today or local_today(person)
    week = week_start(week or today)
    if week > week_start(today):
        raise ValidationError({"week": _("You cannot check in for a future week.")})
    window = GoalSettings.load().late_check_in_weeks
    too_old = week < week_start(today) - dt.timedelta(weeks=window)
    if too_old and not CheckIn.objects.filter(person=person, week=week).exists():
        raise ValidationError(
            {
                "week": ngettext(
                    "A check-in for a past week is accepted up to %(n)s week back.",
                    "A check-in for a past week is accepted up to %(n)s weeks back.",
                    window,
                )
                % {"n": window}
            }
        )
    try:
        with transaction.atomic():
            return CheckIn.objects.get_or_create(person=person, week=week)
    except IntegrityError:
        # Another request created it between our read and our insert.
        return CheckIn.objects.get(person=person, week=week), False


def _classify(update: KeyResultUpdate, on: dt.date, settings: GoalSettings) -> None:
    kr = update.key_result
    update.progress = kr.compute_progress(update.value)
    update.expected_progress = kr.expected_progress(on)
    update.status = settings.classify(update.progress, update.expected_progress)


def _number(value: Decimal) -> str:
    text = format(Decimal(value).normalize(), "f")
    return text


def deviation_text(updates: list[KeyResultUpdate]) -> str:
    """One line per key result, e.g. "New customers: 9 of 15 expected (60 %)", in the active
    language."""
    lines = []
    for update in updates:
        kr = update.key_result
        expected = update.expected_progress or 0.0
        if kr.direction in (KeyResult.Direction.INCREASE, KeyResult.Direction.DECREASE):
            expected_value = kr.start_value + (kr.target_value - kr.start_value) * Decimal(
                str(expected)
            )
        else:
            expected_value = kr.target_value
        expected_value = expected_value.quantize(Decimal("0.01"))
        if expected > 0:
            ratio = round(100 * (update.progress or 0.0) / expected)
            lines.append(
                _("%(name)s: %(value)s of %(expected)s expected (%(ratio)s %%)")
                % {
                    "name": kr.name,
                    "value": _number(update.value),
                    "expected": _number(expected_value),
                    "ratio": ratio,
                }
            )
        else:
            lines.append(
                _("%(name)s: %(value)s (target %(target)s)")
                % {
                    "name": kr.name,
                    "value": _number(update.value),
                    "target": _number(kr.target_value),
                }
            )
    return "\n".join(lines)


def _filled_deviation(check_in: CheckIn, updates) -> str:
    """The deviation as filled from the numbers, in the author's language."""
    ordered = sorted(updates, key=lambda u: (u.key_result.position, u.key_result_id))
    with translation.override(check_in.person.language):
        return deviation_text([u for u in ordered if u.progress is not None]).strip()


def _require_author(actor: Person, check_in: CheckIn) -> None:
    if actor is None or actor.pk != check_in.person_id:
        raise PermissionDenied(_("Only the author can change a check-in."))


@records_actor
@transaction.atomic
def save_check_in_draft(
    *,
    actor: Person,
    check_in: CheckIn,
    fields: dict | None = None,
    updates: list | None = None,
    today: dt.date | None = None,
) -> CheckIn:
    """Save work in progress (the page's autosave): PDCA fields and any key result values
    typed so far. Values are validated; nothing is measured until the check-in is submitted."""
    _require_author(actor, check_in)
    check_in = CheckIn.objects.select_for_update().select_related("person").get(pk=check_in.pk)
    if check_in.is_submitted:
        raise ValidationError(_("This check-in is already submitted; submit it again to amend it."))
    _apply_fields(check_in, fields)
    if updates:
        parsed, _allowed = _parse_updates(check_in=check_in, updates=updates, strict=False)
        existing = {
            u.key_result_id: u
            for u in KeyResultUpdate.objects.filter(
                check_in=check_in, key_result_id__in=[p.key_result.pk for p in parsed]
            )
        }
        for u in existing.values():
            u.check_in = check_in  # known to the rollup's receiver: no query
        today = today or local_today(check_in.person)
        on = min(today, check_in.week_end)
        settings = GoalSettings.load()
        for update in _upsert(check_in, parsed, existing).values():
            _classify(update, on, settings)
            update.save()
    check_in.save()
    return check_in


def _entered(row) -> tuple:
    """What the author entered: on a check-in, or on one key result update."""
    if isinstance(row, CheckIn):
        return (*(getattr(row, name) for name in TEXT_FIELDS), row.confidence)
    return (row.value, row.confidence, row.note, row.cause_id, row.action)


def _effective_at(check_in: CheckIn) -> dt.datetime:
    """When a check-in's values were true: now during its week; a late check-in's belong to
    its week's end (the last moment of its Sunday in the author's time zone)."""
    end = dt.datetime.combine(check_in.week_end, dt.time(23, 59, 59))
    return min(timezone.make_aware(end, zone_of(check_in.person)), timezone.now())


def _require_causes(to_process, parsed, on: dt.date, settings: GoalSettings) -> None:
    """Classify each update against its pace; an off-track one needs a cause and a corrective
    action, reported under the update's own field names."""
    index_of = {p.key_result.pk: p.index for p in parsed}
    errors: dict[str, list[str]] = {}
    for update in to_process:
        _classify(update, on, settings)
        if not update.confidence:
            update.confidence = update.status
        if Status.OFF_TRACK not in (update.status, update.confidence):
            continue
        index = index_of.get(update.key_result_id)
        prefix = f"updates.{index}" if index is not None else "updates"
        name = update.key_result.name
        if update.cause is None:
            errors.setdefault(f"{prefix}.cause", []).append(
                _("“%(name)s” is off track: choose a cause.") % {"name": name}
            )
        if not update.action.strip():
            errors.setdefault(f"{prefix}.action", []).append(
                _("“%(name)s” is off track: describe a corrective action.") % {"name": name}
            )
    if errors:
        raise ValidationError(errors)


def _measure(actor: Person, check_in: CheckIn, to_process, old_values, amending: bool) -> set:
    """Save the updates and record the values that are new (all of them on the first
    submission; the changed ones on an amendment) in one write. Returns the goals whose
    progress is to be rolled up."""
    measured, touched = [], set()
    for update in sorted(to_process, key=lambda u: (u.key_result.position, u.key_result_id)):
        kr_id = update.key_result_id
        if update.previous_value is None:
            update.previous_value = update.key_result.current_value
        update.save()
        if not amending or old_values.get(kr_id) != update.value or kr_id not in old_values:
            measured.append((update.key_result, update.value, update.note))
    if measured:
        # Key results locked in id order; the goals' progress rolls up last (the caller).
        record_measurements(
            values=measured,
            source="check_in",
            recorded_by=actor,
            at=_effective_at(check_in),
            recompute=False,
            touched=touched,
        )
    return touched


def _mark_submitted(check_in: CheckIn, today: dt.date, amending: bool) -> None:
    if amending:
        check_in.amendments += 1
    else:
        check_in.state = CheckIn.State.SUBMITTED
        check_in.submitted_at = timezone.now()
        check_in.is_late = today > check_in.week_end


@records_actor
@transaction.atomic
@week_rollups.batched()
def submit_check_in(
    *,
    actor: Person,
    check_in: CheckIn,
    fields: dict | None = None,
    updates: list | None = None,
    today: dt.date | None = None,
) -> CheckIn:
    """Submit (or, during its week, amend) a check-in in one transaction: validate every
    value, classify each key result against its expected pace, require a cause and a corrective
    action for every off-track one, write the Measurements (effective at the check-in's week;
    the rollups and progress follow) and fill the deviation from the numbers when the author
    left it empty. Amending keeps the earlier values in the history and counts the amendment.
    A check-in for a past week (within the organisation's window) is flagged late."""
    _require_author(actor, check_in)
    today = today or local_today(actor)
    check_in = CheckIn.objects.select_for_update().select_related("person").get(pk=check_in.pk)
    amending = check_in.is_submitted
    if amending and not check_in.is_open_on(today):
        raise ValidationError(_("A submitted check-in can only be amended during its own week."))
    fields_before = _entered(check_in)
    _apply_fields(check_in, fields)
    parsed, _allowed = _parse_updates(check_in=check_in, updates=updates or [], strict=True)
    existing = {
        u.key_result_id: u
        for u in KeyResultUpdate.objects.filter(check_in=check_in).select_related(
            "key_result__goal__cycle", "cause"
        )
    }
    for u in existing.values():
        u.check_in = check_in  # known to the rollup's receiver: no query
    old_values = {kr_id: u.value for kr_id, u in existing.items()}
    entered_before = {kr_id: _entered(u) for kr_id, u in existing.items()}
    # An amendment refreshes a deviation that was filled from the numbers (and left as is).
    filled_before = _filled_deviation(check_in, existing.values()) if amending else None
    changed = _upsert(check_in, parsed, existing)
    # The first submission takes every update, including values saved as a draft.
    to_process = list((changed if amending else {**existing, **changed}).values())
    on = min(today, check_in.week_end)
    settings = GoalSettings.load()
    _require_causes(to_process, parsed, on, settings)
    if (
        amending
        and _entered(check_in) == fields_before
        and all(entered_before.get(pk) == _entered(u) for pk, u in changed.items())
    ):  # the same submission again (a double click, a retried request): nothing to amend
        return check_in
    touched = _measure(actor, check_in, to_process, old_values, amending)
    current = check_in.deviation.strip()
    if to_process and (not current or current == filled_before):
        for update in changed.values():
            if update.progress is None:
                _classify(update, on, settings)
        check_in.deviation = _filled_deviation(check_in, {**existing, **changed}.values())
    _mark_submitted(check_in, today, amending)
    check_in.save()
    publish(
        "check_in.submitted",
        check_in=check_in.pk,
        person=check_in.person_id,
        week=check_in.week.isoformat(),
        amended=bool(amending),
    )
    # The week's check-in reminders are done with: they no longer show as new.
    resolve_reminders(
        person=check_in.person, kind=ReminderKind.CHECK_IN, sent_until=check_in.week_end
    )
    # Progress rolls up once, last: the goals near the top are shared by everyone checking in
    # and stay locked until the commit.
    refresh_progress(touched)
    return check_in
