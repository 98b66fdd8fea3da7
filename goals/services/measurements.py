"""Measurements and the values that follow from them.

A key result's current value is its measurement with the latest `effective_at` (ties: the
latest recorded): a late value is kept in the history and never replaces a newer one. A key
result whose source is `rollup` takes its value from the key results that contribute to it (a
cascade's split: sum, weighted mean, lowest or highest), recomputed in the same transaction as
the measurement below it and kept as a measurement of its own (source `rollup`), up the whole
chain: the chain is read with one recursive query, then each level reads its contributors and
writes the rolled-up key results that moved (their measurement and value). Every writer locks
the key results it may change, in id order, and then the goals (`refresh_progress`), so
concurrent check-ins whose chains meet wait for each other instead of deadlocking or losing an
update.

The signatures of `record_measurement` and `record_measurements` are a contract other apps
depend on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import records_actor
from core.querysets import upward_links
from goals import metrics
from goals.models import Goal, KeyResult, Measurement
from org.models import Person

from .core import parse_value
from .progress import refresh_progress

CLOSED_GOAL = _("This goal is closed; its key results can no longer change.")


@dataclass(frozen=True)
class Value:
    """One value to record: for a key result, a number, a note."""

    key_result: KeyResult
    value: object
    note: str = ""


def chain_ids(key_result_ids) -> list[list[int]]:
    """The key results and those they contribute to, level by level from the bottom: the first
    list is `key_result_ids` itself, each next one what the previous contributes to and no
    lower level holds (the distance from the nearest of them). One recursive query for the
    whole chain (UNION stops at a loop of links), split into levels here."""
    levels = [sorted(set(key_result_ids))]
    if not levels[0]:
        return []
    contributes_to = upward_links(KeyResult, "contributes_to", levels[0])
    seen = set(levels[0])
    while levels[-1]:
        above = {contributes_to[pk] for pk in levels[-1] if contributes_to.get(pk)} - seen
        seen |= above
        levels.append(sorted(above))
    return levels[:-1]


def lock_key_results(ids) -> dict[int, KeyResult]:
    """Lock the key results in one statement ordered by id (every writer takes them in the same
    order) and return them with their goal and cycle."""
    return {
        kr.pk: kr
        for kr in KeyResult.objects.select_for_update(of=("self",))
        .select_related("goal__cycle")
        .filter(pk__in=ids)
        .order_by("pk")
    }


def check_writable(key_result: KeyResult, *, field: str | None = None) -> None:
    """A key result of a closed goal or of a closed cycle refuses new values."""
    goal = key_result.goal
    if goal.cycle.is_closed:
        message = _("The cycle %(cycle)s is closed; its key results can no longer change.") % {
            "cycle": goal.cycle.name
        }
        raise ValidationError({field: message} if field else message)
    if goal.state == Goal.State.CLOSED:
        raise ValidationError({field: CLOSED_GOAL} if field else CLOSED_GOAL)


def _check_manual(key_result: KeyResult, field: str | None) -> None:
    if key_result.is_rollup:
        message = _(
            "“%(name)s” is rolled up from the key results that contribute to it; record "
            "their values instead."
        ) % {"name": key_result.name}
        raise ValidationError({field: message} if field else message)


def effective_time(at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """When a value was true: `at` (naive: the current time zone), now when not given; never
    more than a few minutes ahead."""
    return _effective(at, now)


def _effective(at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + dt.timedelta(minutes=5):
        raise ValidationError({"effective_at": _("A value cannot be effective in the future.")})
    return at


def _apply(key_result: KeyResult, measurement: Measurement) -> bool:
    """Make the measurement the key result's current value when it is the newest one;
    True when the value (or its time) changed."""
    if key_result.value_at is not None and measurement.effective_at < key_result.value_at:
        return False
    key_result.current_value = measurement.value
    key_result.value_at = measurement.effective_at
    key_result.progress = key_result.compute_progress()
    key_result.save(update_fields=["current_value", "value_at", "progress", "updated_at"])
    return True


def _roll_up(levels: list[list[int]], locked: dict[int, KeyResult], now: dt.datetime) -> set[int]:
    """Recompute the rolled-up key results above the changed ones, level by level (each level
    reads the level below as just written). Returns the ids of those whose value changed.

    The contributors are read once per level, not once for the chain with the values written
    here taken from memory: a value read back is the value as stored, and SQLite keeps 15
    significant digits of a decimal, so a large value in memory would not be the one read."""
    changed: set[int] = set()
    for level in levels[1:]:
        targets = [locked[pk] for pk in level if locked[pk].is_rollup]
        if not targets:
            continue
        values = contributor_values([kr.pk for kr in targets])
        for kr in targets:
            value = metrics.aggregate(values.get(kr.pk, []), kr.aggregation)
            if value is None:
                continue
            value = Decimal(value).quantize(Decimal("0.0001"))
            if value == kr.current_value and kr.value_at is not None:
                continue
            measurement = Measurement.objects.create(
                key_result=kr,
                value=value,
                effective_at=now,
                recorded_at=now,
                source=Measurement.Source.ROLLUP,
            )
            if _apply(kr, measurement):
                changed.add(kr.pk)
    return changed


def contributor_values(key_result_ids) -> dict[int, list[tuple[Decimal, Decimal]]]:
    """For each rolled-up key result, its contributors' (current value, contribution weight),
    leaving out contributions of returned goals (an assignment the owner did not take)."""
    values: dict[int, list[tuple[Decimal, Decimal]]] = {}
    rows = (
        KeyResult.objects.filter(contributes_to_id__in=key_result_ids)
        .exclude(goal__state=Goal.State.RETURNED)
        .order_by("pk")
        .values_list("contributes_to_id", "current_value", "contribution_weight")
    )
    for parent, value, weight in rows:
        values.setdefault(parent, []).append((value, weight))
    return values


@records_actor(param="recorded_by")
@transaction.atomic
def record_measurements(
    *,
    values: list[tuple[KeyResult, object, str]],
    source: str,
    recorded_by: Person | None = None,
    at: dt.datetime | None = None,
    recompute: bool = True,
    touched: set[int] | None = None,
) -> list[Measurement]:
    """Record values for several key results at once (a check-in's updates, an integration's
    batch). `at` is when the values were true (default now). The key results and everything
    they roll up into are locked in one query in id order; the measurements are inserted in
    one statement; each key result takes the value when it is its newest; the rolled-up key
    results above are recomputed once per level; and the goals touched are recomputed up the
    cascade once (`recompute=False` leaves that to the caller, which then calls
    `refresh_progress` last with the goal ids this call adds to `touched`, as a check-in
    does)."""
    if source not in Measurement.Source.values or source == Measurement.Source.ROLLUP:
        raise ValidationError({"source": _("Unknown source.")})
    now = timezone.now()
    effective = _effective(at, now)
    entries = [Entry(kr.pk, parse_value(value), note, effective) for kr, value, note in values]
    return write_entries(
        entries=entries,
        source=source,
        recorded_by=recorded_by,
        now=now,
        recompute=recompute,
        touched=touched,
    )


@dataclass(frozen=True)
class Entry:
    """One parsed value to write: key result id, value, note, when it was true and, for a
    machine's push, its own id for the value."""

    key_result_id: int
    value: Decimal
    note: str
    effective_at: dt.datetime
    external_id: str = ""


def write_entries(
    *,
    entries: list[Entry],
    source: str,
    recorded_by: Person | None,
    now: dt.datetime,
    recompute: bool = True,
    touched: set[int] | None = None,
    account=None,
    origin: str = "",
) -> list[Measurement]:
    """The writing half of `record_measurements`, for values each with its own effective time
    (an integration's bulk push): locks the chains once, inserts the rows in one statement,
    moves each key result to its newest value once, rolls up once per level and recomputes the
    goals touched once. Runs inside the caller's transaction."""
    levels = chain_ids(e.key_result_id for e in entries)
    locked = lock_key_results([pk for level in levels for pk in level])
    for e in entries:
        check_writable(locked[e.key_result_id])
        _check_manual(locked[e.key_result_id], None)
    measurements = Measurement.objects.bulk_create(
        Measurement(
            key_result=locked[e.key_result_id],
            value=e.value,
            effective_at=e.effective_at,
            recorded_at=now,
            source=source,
            note=e.note,
            recorded_by=recorded_by,
            recorded_by_account=account,
            origin=origin if e.external_id else "",
            external_id=e.external_id,
        )
        for e in entries
    )
    newest: dict[int, Measurement] = {}
    for m in measurements:  # the last of equal effective times wins, as if recorded in turn
        held = newest.get(m.key_result_id)
        if held is None or m.effective_at >= held.effective_at:
            newest[m.key_result_id] = m
    changed = {pk for pk, m in newest.items() if _apply(locked[pk], m)}
    if changed:
        changed |= _roll_up(levels, locked, now)
    goal_ids = {locked[pk].goal_id for pk in changed}
    if recompute:
        refresh_progress(goal_ids)
    if touched is not None:
        touched |= goal_ids
    return measurements


@records_actor(param="recorded_by")
@transaction.atomic
def record_measurement(
    *,
    key_result: KeyResult,
    value,
    source: str,
    recorded_by: Person | None = None,
    note: str = "",
    at: dt.datetime | None = None,
    recompute: bool = True,
) -> Measurement:
    """Record a value for one key result (`record_measurements` with one value): the history
    row, its current value when it is the newest, the rollups above it and the progress of its
    goal and every goal it aligns to."""
    (measurement,) = record_measurements(
        values=[(key_result, value, note)],
        source=source,
        recorded_by=recorded_by,
        at=at,
        recompute=recompute,
    )
    return measurement


@transaction.atomic
def roll_up(key_result_ids) -> set[int]:
    """Recompute the rolled-up key results `key_result_ids` and everything above them (after
    their contributors changed: a cascade added some, a goal was returned), and the goals
    touched. Returns the ids of the key results whose value changed."""
    ids = [pk for pk in key_result_ids if pk]
    if not ids:
        return set()
    levels = [[], *chain_ids(ids)]
    locked = lock_key_results([pk for level in levels for pk in level])
    changed = _roll_up(levels, locked, timezone.now())
    refresh_progress({locked[pk].goal_id for pk in changed})
    return changed
