"""Check-in input: the PDCA fields and key result updates as sent by the page, the API or
the demo, validated as a whole (every problem under its own field name, e.g.
`updates.2.value`) and applied onto unsaved rows. No writes here; tracking/services/checkins.py
saves."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from goals.models import KeyResult, Status
from goals.services import parse_value
from tracking.models import CauseTag, CheckIn, KeyResultUpdate
from tracking.selectors import active_key_results

TEXT_FIELDS = ("plan", "done", "deviation", "act", "blockers")


@dataclass
class _Update:
    index: int
    key_result: KeyResult
    value: Decimal | None
    confidence: str | None
    note: str | None
    cause: CauseTag | None
    cause_given: bool
    action: str | None


def _cause_lookup() -> dict[str, CauseTag]:
    lookup: dict[str, CauseTag] = {}
    for tag in CauseTag.objects.filter(is_active=True):
        lookup[tag.slug] = tag
        lookup[str(tag.pk)] = tag
    return lookup


def _text(raw, field: str, errors: dict) -> str | None:
    if raw is None:
        return None
    if not isinstance(raw, str):
        errors[field] = [_("Enter text.")]
        return None
    return raw.strip()


def _parse_value(raw, kr: KeyResult, prefix: str, strict: bool, errors: dict):
    """The update's value, or None: absent (unchanged), or with its error in `errors`."""
    raw_value = raw.get("value")
    if raw_value is None or (isinstance(raw_value, str) and not raw_value.strip()):
        if strict:
            errors[f"{prefix}.value"] = [_("Enter a value.")]
        return None
    if isinstance(raw_value, bool):
        errors[f"{prefix}.value"] = [_("Enter a number.")]
        return None
    try:
        value = parse_value(raw_value, field=f"{prefix}.value")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None
    if value < 0 <= min(kr.start_value, kr.target_value):
        errors[f"{prefix}.value"] = [_("The value cannot be negative for this key result.")]
    return value


def _parse_cause(raw, prefix: str, causes: dict, errors: dict):
    if raw.get("cause") in (None, ""):
        return None
    cause_raw = raw["cause"]
    cause = cause_raw if isinstance(cause_raw, CauseTag) else causes.get(str(cause_raw))
    if cause is None:
        errors[f"{prefix}.cause"] = [_("Unknown cause.")]
    return cause


def _key_result_of(raw, allowed: dict, seen: set, prefix: str, errors: dict, person_id: int):
    kr_raw = raw.get("key_result")
    kr_id = kr_raw.pk if isinstance(kr_raw, KeyResult) else kr_raw
    try:
        kr = allowed.get(int(kr_id))
    except (TypeError, ValueError):
        kr = None
    if kr is None:
        errors[f"{prefix}.key_result"] = [_not_yours(kr_id, person_id)]
        return None
    if kr.pk in seen:
        errors[f"{prefix}.key_result"] = [_("This key result is updated twice.")]
        return None
    seen.add(kr.pk)
    return kr


def _not_yours(kr_id, person_id: int) -> str:
    """Why a key result cannot be checked in on: its cycle is closed, its value is rolled
    up from others, or it is not one of the author's."""
    kr = (
        KeyResult.objects.filter(pk=kr_id, goal__owner_person_id=person_id)
        .select_related("goal__cycle")
        .first()
        if isinstance(kr_id, int) or (isinstance(kr_id, str) and kr_id.isdigit())
        else None
    )
    if kr is not None and kr.goal.cycle.is_closed:
        return _("The cycle %(cycle)s is closed; its key results can no longer change.") % {
            "cycle": kr.goal.cycle.name
        }
    if kr is not None and kr.is_rollup:
        return _(
            "“%(name)s” is rolled up from the key results that contribute to it; record "
            "their values instead."
        ) % {"name": kr.name}
    return _("This is not one of your active key results.")


def _parse_updates(
    *, check_in: CheckIn, updates: list, strict: bool
) -> tuple[list[_Update], dict[int, KeyResult]]:
    """Validate the submitted updates as a whole; every problem is reported under its own
    field name (`updates.2.value`). `strict` (submitting) requires a value for each."""
    allowed = {kr.pk: kr for kr in active_key_results(person=check_in.person, week=check_in.week)}
    if not isinstance(updates, list | tuple):
        raise ValidationError({"updates": [_("Send a list of key result updates.")]})
    causes = _cause_lookup() if any(isinstance(u, dict) and u.get("cause") for u in updates) else {}
    errors: dict[str, list[str]] = {}
    parsed: list[_Update] = []
    seen: set[int] = set()
    for index, raw in enumerate(updates):
        prefix = f"updates.{index}"
        if not isinstance(raw, dict):
            errors[prefix] = [_("Each update is an object with a key result and a value.")]
            continue
        kr = _key_result_of(raw, allowed, seen, prefix, errors, check_in.person_id)
        if kr is None:
            continue
        value = _parse_value(raw, kr, prefix, strict, errors)
        # Absent: unchanged; empty: "as the numbers say" (filled with the status on submit).
        confidence = raw.get("confidence")
        if confidence not in (None, "") and confidence not in Status.values:
            errors[f"{prefix}.confidence"] = [_("Choose on_track, at_risk or off_track.")]
        parsed.append(
            _Update(
                index=index,
                key_result=kr,
                value=value,
                confidence=confidence,
                note=_text(raw.get("note"), f"{prefix}.note", errors),
                cause=_parse_cause(raw, prefix, causes, errors),
                cause_given="cause" in raw,
                action=_text(raw.get("action"), f"{prefix}.action", errors),
            )
        )
    if errors:
        raise ValidationError(errors)
    return parsed, allowed


def _apply_fields(check_in: CheckIn, fields: dict | None) -> None:
    if not fields:
        return
    errors: dict[str, list[str]] = {}
    for name in TEXT_FIELDS:
        if name in fields:
            value = _text(fields[name], name, errors)
            if value is not None:
                setattr(check_in, name, value)
    if "confidence" in fields:
        raw = fields["confidence"]
        if raw in (None, ""):
            check_in.confidence = None
        else:
            try:
                confidence = int(raw)
                if isinstance(raw, bool) or str(confidence) != str(raw).strip():
                    raise ValueError
            except (TypeError, ValueError):
                errors["confidence"] = [_("Enter a whole number from 0 to 10.")]
            else:
                if not 0 <= confidence <= 10:
                    errors["confidence"] = [_("Enter a whole number from 0 to 10.")]
                else:
                    check_in.confidence = confidence
    if errors:
        raise ValidationError(errors)


def _upsert(
    check_in: CheckIn, parsed: list[_Update], existing: dict[int, KeyResultUpdate]
) -> dict[int, KeyResultUpdate]:
    """Apply the parsed input onto (new or existing) unsaved update rows; returns them by
    key result."""
    changed: dict[int, KeyResultUpdate] = {}
    for item in parsed:
        kr = item.key_result
        update = existing.get(kr.pk) or KeyResultUpdate(
            check_in=check_in, key_result=kr, value=kr.current_value
        )
        update.key_result = kr
        if item.value is not None:
            update.value = item.value
        if item.confidence is not None:
            update.confidence = item.confidence
        if item.note is not None:
            update.note = item.note
        if item.cause_given:
            update.cause = item.cause
        if item.action is not None:
            update.action = item.action
        changed[kr.pk] = update
    return changed
