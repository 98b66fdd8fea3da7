"""Values pushed by machines: a CRM or ERP sends one value or a bulk of up to 1,000.

A pushed value may carry the sender's own id for it (`external_id`), unique per origin (a
service account, or a person pushing with their own token): a value whose id is known records
nothing and answers the row that id made. `effective_at` back-dates a value; a value older than
the key result's newest joins the history only ("numbers tell the truth").

In a bulk push each row is answered on its own (created, duplicate, or error with a reason per
field); the valid rows are written in one transaction (`write_entries`): the chains they touch
are locked once, rolled up once per level and the goals recomputed once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import acting_as
from goals import permissions
from goals.models import Cycle, Goal, IdempotencyKey, KeyResult, Measurement
from goals.models.idempotency import KEPT as IDEMPOTENCY_KEPT
from org.models import Person, ServiceAccount
from org.scopes import Viewer

from .core import parse_value
from .measurements import Entry, _check_manual, check_writable, effective_time, write_entries

MAX_ROWS = 1000
NOT_FOUND = _("No key result you may write to matches.")


@dataclass
class PushResult:
    """The answer to one pushed row: `status` created | duplicate | error."""

    index: int
    status: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    measurement: Measurement | None = None

    def fail(self, errors: dict[str, list[str]]) -> None:
        self.status, self.errors = "error", errors


def origin_of(*, person: Person | None = None, account: ServiceAccount | None = None) -> str:
    """Who a pushed value's external id belongs to."""
    return f"account:{account.pk}" if account is not None else f"person:{person.pk}"


def _writer(person: Person | None, account: ServiceAccount | None) -> None:
    if (person is None) == (account is None):
        raise ValueError("push as exactly one of a person or a service account")


def _errors(exc: ValidationError, default: str) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    return {default: [str(m) for m in exc.messages]}


def _write(entries, *, source, person, account, origin, now) -> list[Measurement]:
    """Write the entries in one transaction, as the person or the service account."""
    with acting_as(account.user if account is not None else person), transaction.atomic():
        return write_entries(
            entries=entries,
            source=source,
            recorded_by=person,
            now=now,
            account=account,
            origin=origin,
        )


def push_measurement(
    *,
    key_result: KeyResult,
    value,
    note: str = "",
    effective_at: dt.datetime | None = None,
    external_id: str = "",
    recorded_by: Person | None = None,
    account: ServiceAccount | None = None,
) -> tuple[Measurement, bool]:
    """One pushed value for a key result the caller may write to (checked by the caller).
    Answers the measurement and whether it was made now (False: its external id was known)."""
    _writer(recorded_by, account)
    origin = origin_of(person=recorded_by, account=account)
    external_id = (external_id or "").strip()
    if external_id:
        known = Measurement.objects.filter(origin=origin, external_id=external_id).first()
        if known is not None:
            return known, False
    now = timezone.now()
    entry = Entry(
        key_result.pk,
        parse_value(value),
        note or "",
        effective_time(effective_at, now),
        external_id,
    )
    try:
        (measurement,) = _write(
            [entry],
            source=Measurement.Source.API,
            person=recorded_by,
            account=account,
            origin=origin,
            now=now,
        )
    except IntegrityError:  # the same id, pushed at the same moment by another request
        known = Measurement.objects.filter(origin=origin, external_id=external_id).first()
        if known is None:
            raise
        return known, False
    return measurement, True


def _resolve(rows, *, viewer: Viewer | None, account) -> tuple[dict, dict]:
    """The key results the rows name, by id and by (owner's username, name): two queries."""
    reachable = (
        permissions.account_key_results(account)
        if account is not None
        else permissions.visible_key_results(viewer)
    ).select_related("goal__cycle", "goal__owner_person__user", "goal__owner_unit")
    ids = {r["key_result"] for r in rows if r.get("key_result") is not None}
    by_id = {kr.pk: kr for kr in reachable.filter(pk__in=ids)} if ids else {}
    pairs = {(r["owner"], r["metric"]) for r in rows if r.get("key_result") is None}
    by_pair: dict[tuple[str, str], list[KeyResult]] = {}
    if pairs:
        found = (
            reachable.filter(
                goal__owner_person__user__username__in={o for o, _m in pairs},
            )
            .filter(
                Q(name__in={m for _o, m in pairs}) | Q(metric__in={m for _o, m in pairs}),
                goal__cycle__state=Cycle.State.ACTIVE,
            )
            .exclude(goal__state__in=[Goal.State.CLOSED, Goal.State.RETURNED])
        )
        for kr in found:
            owner = kr.goal.owner_person.user.username
            for label in {kr.name, kr.metric} - {""}:  # its name, or its metric's slug
                by_pair.setdefault((owner, label), []).append(kr)
    return by_id, by_pair


def _entry(row, result, by_id, by_pair, viewer, now, external_id) -> Entry | None:
    """The row as an entry to write, or None with the row's result failed."""
    if row.get("key_result") is not None:
        kr = by_id.get(row["key_result"])
    else:
        matches = by_pair.get((row.get("owner"), row.get("metric")), [])
        if len(matches) > 1:
            result.fail({"metric": [_("Several key results match; send the key result's id.")]})
            return None
        kr = matches[0] if matches else None
    if kr is None or (viewer is not None and not permissions.may_measure(viewer, kr.goal)):
        result.fail({"key_result": [NOT_FOUND]})
        return None
    try:
        check_writable(kr, field="key_result")
        _check_manual(kr, "key_result")
        return Entry(
            kr.pk,
            parse_value(row.get("value")),
            row.get("note") or "",
            effective_time(row.get("effective_at"), now),
            external_id,
        )
    except ValidationError as exc:
        result.fail(_errors(exc, "value"))
        return None


def push_bulk(
    *,
    rows: list[dict],
    recorded_by: Person | None = None,
    account: ServiceAccount | None = None,
    _retried: bool = False,
) -> list[PushResult]:
    """Up to MAX_ROWS values, each row `{"key_result": id}` or `{"owner": username, "metric":
    key-result name}` (a person's goal in an active cycle) with `value`, and optionally
    `effective_at`, `external_id`, `note`. Answers one result per row, in order."""
    _writer(recorded_by, account)
    if len(rows) > MAX_ROWS:
        raise ValidationError({"rows": _("At most %(n)s rows at once.") % {"n": MAX_ROWS}})
    viewer = Viewer.of(recorded_by) if recorded_by is not None else None
    origin = origin_of(person=recorded_by, account=account)
    results = [PushResult(index=i) for i in range(len(rows))]
    by_id, by_pair = _resolve(rows, viewer=viewer, account=account)
    external = {r.get("external_id") or "" for r in rows} - {""}
    known = {
        m.external_id: m
        for m in Measurement.objects.filter(origin=origin, external_id__in=external)
    }
    now = timezone.now()
    entries: list[Entry] = []
    written: list[int] = []  # the row index of each entry
    first_of: dict[str, int] = {}  # external id -> the row that writes it
    repeats: list[tuple[PushResult, int]] = []  # a row repeating an earlier row's id
    for result, row in zip(results, rows, strict=True):
        external_id = (row.get("external_id") or "").strip()
        if external_id in known:
            result.status, result.measurement = "duplicate", known[external_id]
            continue
        if external_id in first_of:
            result.status = "duplicate"
            repeats.append((result, first_of[external_id]))
            continue
        entry = _entry(row, result, by_id, by_pair, viewer, now, external_id)
        if entry is None:
            continue
        if external_id:
            first_of[external_id] = result.index
        entries.append(entry)
        written.append(result.index)
    if entries:
        try:
            measurements = _write(
                entries,
                source=Measurement.Source.API,
                person=recorded_by,
                account=account,
                origin=origin,
                now=now,
            )
        except IntegrityError:
            if _retried:
                raise
            # Another push wrote one of these ids meanwhile: answer again, seeing it.
            return push_bulk(rows=rows, recorded_by=recorded_by, account=account, _retried=True)
        for index, measurement in zip(written, measurements, strict=True):
            results[index].status, results[index].measurement = "created", measurement
        for result, first in repeats:
            result.measurement = results[first].measurement
    return results


def purge_idempotency_keys(*, now: dt.datetime | None = None) -> int:
    """Delete the Idempotency-Keys older than 24 hours (a repeat after that is a new
    request anyway); answers how many. Run by the periodic purge."""
    now = now or timezone.now()
    deleted, _by_model = IdempotencyKey.objects.filter(
        created_at__lt=now - IDEMPOTENCY_KEPT
    ).delete()
    return deleted
