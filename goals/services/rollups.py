"""The person × cycle and unit × cycle read models (`goals.models.rollups`), maintained on write.

Every write that moves a goal's state, weight, progress, owner or cycle, or a key result's
value or pace, recomputes the rows of the goals it touched in the same transaction
(`touch_goals`): progress refreshes (`progress.refresh_progress`, which measurements, check-ins
and roll-ups end with) touch the whole chain they recomputed; goal and key-result saves touch
through signals (`goals.receivers`); bulk writes (cascade, carry-over) call `touch_goals`.

A touched row is recomputed, not incremented: its inputs (one person's goals, or the goals
whose owner path is one unit's) are few, and recomputing cannot accumulate error. Lock order,
the same for every writer: the goals' chains (id order, `progress.lock_goal_chains`), then the
person rows, then the unit rows (each in id order), then the row is computed from what is
committed (READ COMMITTED: the statement after the lock sees the other writer's commit). The
stored pace is brought to the day before any rollup row is locked. A unit's row holds only its
own goals, so a subtree's totals are summed at read time and no root row is written by all.

`refresh` brings rows of an earlier day (their key-result status counts follow the calendar)
to the day before a page sums them; `rebuild` recomputes every row from scratch in a handful
of queries, reports the rows that differed and repairs them (`manage.py rebuild_rollups`, the
hourly task for open cycles, `check_numbers`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from goals.models import Cycle, Goal, KeyResult, PersonCycleRollup, Status, UnitCycleRollup
from goals.models.rollups import FIELDS, PACE_FIELDS
from org.models import Unit

from . import pace

OPEN_CYCLES = (Cycle.State.PLANNING, Cycle.State.ACTIVE, Cycle.State.SCORING)
_STATE_FIELD = {
    Goal.State.DRAFT: "goals_draft",
    Goal.State.PROPOSED: "goals_proposed",
    Goal.State.AGREED: "goals_agreed",
    Goal.State.RETURNED: "goals_returned",
    Goal.State.CLOSED: "goals_closed",
}
_STATUS_FIELD = {
    Status.ON_TRACK: "on_track",
    Status.AT_RISK: "at_risk",
    Status.OFF_TRACK: "off_track",
}

PersonKey = tuple[int, int]  # (person id, cycle id)
UnitKey = tuple[str, int]  # (unit path, cycle id)


def _zero() -> dict:
    return dict.fromkeys(FIELDS, 0)


# --- computing ------------------------------------------------------------------------------


def _goal_filter(person_ids, paths, cycle_ids, prefix: str = "") -> Q | None:
    """Goals owned by these people or whose owner path is one of these (None: every goal)."""
    if person_ids is None and paths is None:
        return Q(**{f"{prefix}cycle_id__in": cycle_ids}) if cycle_ids is not None else Q()
    q = Q(**{f"{prefix}owner_person_id__in": list(person_ids or [])}) | Q(
        **{f"{prefix}owner_path__in": list(paths or [])}
    )
    if cycle_ids is not None:
        q &= Q(**{f"{prefix}cycle_id__in": list(cycle_ids)})
    return q


def compute(
    *, person_ids=None, paths=None, cycle_ids=None, models=(Goal, KeyResult)
) -> tuple[dict[PersonKey, dict], dict[UnitKey, dict]]:
    """The totals of these people's and owner paths' goals in these cycles (None: all), as
    stored now: two grouped queries. Key-result counts read the stored pace as it is; bring it
    to the day first (`_bring_pace`). `models`: the goal and key-result classes (the migration
    that created the tables passes its historical ones)."""
    goal_model, kr_model = models
    people: dict[PersonKey, dict] = defaultdict(_zero)
    units: dict[UnitKey, dict] = defaultdict(_zero)

    def targets(person_id, path, cycle_id):
        if person_id is not None and (person_ids is None or person_id in person_ids):
            yield people[(person_id, cycle_id)]
        if path and (paths is None or path in paths):
            yield units[(path, cycle_id)]

    goal_rows = (
        goal_model.objects.filter(_goal_filter(person_ids, paths, cycle_ids))
        .order_by()
        .values("owner_person_id", "owner_path", "cycle_id", "state")
        .annotate(
            n=Count("pk"),
            sum_weight=Sum("weight"),
            sum_progress=Sum("progress"),
            sum_weighted=Sum(F("progress") * Cast("weight", FloatField())),
        )
    )
    for r in goal_rows:
        for row in targets(r["owner_person_id"], r["owner_path"], r["cycle_id"]):
            row[_STATE_FIELD[r["state"]]] += r["n"]
            if r["state"] != Goal.State.CLOSED:
                row["open_goals"] += r["n"]
                row["open_weight"] += r["sum_weight"] or 0
                row["open_progress"] += r["sum_progress"] or 0.0
                row["open_weighted_progress"] += r["sum_weighted"] or 0.0
    kr_rows = (
        kr_model.objects.filter(_goal_filter(person_ids, paths, cycle_ids, prefix="goal__"))
        .exclude(goal__state=Goal.State.CLOSED)
        .order_by()
        .values("goal__owner_person_id", "goal__owner_path", "goal__cycle_id", "goal__state")
        .annotate(n=Count("pk"))
        .values_list(
            "goal__owner_person_id",
            "goal__owner_path",
            "goal__cycle_id",
            "goal__state",
            "pace_status",
            "n",
        )
    )
    for person_id, path, cycle_id, state, status, n in kr_rows:
        for row in targets(person_id, path, cycle_id):
            row[f"krs_{_STATUS_FIELD[status]}"] += n
            if state == Goal.State.AGREED:
                row[f"agreed_{_STATUS_FIELD[status]}"] += n
    return people, units


def _bring_pace(person_ids, paths, cycle_ids, on: dt.date) -> None:
    pace.refresh(
        KeyResult.objects.filter(_goal_filter(person_ids, paths, cycle_ids, prefix="goal__")), on
    )


def _same(stored, computed: dict, *, pace_too: bool) -> bool:
    for name in FIELDS:
        if not pace_too and name in PACE_FIELDS:
            continue
        a, b = getattr(stored, name) if stored is not None else 0, computed.get(name, 0)
        if isinstance(a, float) or isinstance(b, float):
            if abs(float(a) - float(b)) > 1e-6:
                return False
        elif a != b:
            return False
    return True


# --- maintaining on write -------------------------------------------------------------------


def keys_of(goals: Iterable) -> tuple[set[PersonKey], set[UnitKey]]:
    """The rows goals count in: (owner, cycle) and (owner path, cycle); each goal an object or
    a (owner_person_id, owner_path, cycle_id) tuple."""
    people, units = set(), set()
    for g in goals:
        person_id, path, cycle_id = (
            g if isinstance(g, tuple) else (g.owner_person_id, g.owner_path, g.cycle_id)
        )
        if person_id:
            people.add((person_id, cycle_id))
        if path:
            units.add((path, cycle_id))
    return people, units


@transaction.atomic(savepoint=False)
def touch_goals(goal_ids, *, chains_locked: bool = False, also=None) -> None:
    """Recompute the rows these goals count in (plus `also`: extra (person, path, cycle)
    tuples, e.g. where a goal was before it moved), in the caller's transaction. The goals'
    chains are locked first unless the caller holds them (`chains_locked`)."""
    ids = sorted({pk for pk in goal_ids if pk})
    extra = list(also or [])
    if not ids and not extra:
        return
    if ids and not chains_locked:
        from .progress import lock_goal_chains

        lock_goal_chains(ids)
    rows = list(
        Goal.objects.filter(pk__in=ids).values_list("owner_person_id", "owner_path", "cycle_id")
    )
    recompute(*keys_of([*rows, *extra]))


@transaction.atomic(savepoint=False)
def recompute(person_keys: set[PersonKey], unit_keys: set[UnitKey], on=None) -> None:
    """Recompute these rows from the goals as committed, with the rows locked first."""
    on = on or timezone.localdate()
    if not person_keys and not unit_keys:
        return
    person_ids = {p for p, _c in person_keys}
    paths = {p for p, _c in unit_keys}
    cycle_ids = {c for _p, c in person_keys} | {c for _p, c in unit_keys}
    _bring_pace(person_ids, paths, cycle_ids, on)
    unit_of = dict(Unit.objects.filter(path__in=paths).values_list("path", "pk"))
    unit_keys = {k for k in unit_keys if k[0] in unit_of}
    locked_people = _lock(
        PersonCycleRollup, "person_id", {(p, c) for p, c in person_keys}, person_ids, cycle_ids
    )
    locked_units = _lock(
        UnitCycleRollup,
        "unit_id",
        {(unit_of[p], c) for p, c in unit_keys},
        set(unit_of.values()),
        cycle_ids,
    )
    people, units = compute(person_ids=person_ids, paths=paths, cycle_ids=cycle_ids)
    _write(locked_people, {k: people.get(k, _zero()) for k in person_keys}, on)
    _write(
        locked_units,
        {(unit_of[p], c): units.get((p, c), _zero()) for p, c in unit_keys},
        on,
    )


def _lock(model, key_field: str, keys: set, key_ids: set, cycle_ids: set) -> dict:
    """Make sure the rows exist and lock them in id order."""
    if not keys:
        return {}
    model.objects.bulk_create(
        [model(**{key_field: k, "cycle_id": c}) for k, c in sorted(keys)],
        ignore_conflicts=True,
    )
    rows = (
        model.objects.select_for_update()
        .filter(**{f"{key_field}__in": key_ids, "cycle_id__in": cycle_ids})
        .order_by("pk")
    )
    return {
        (getattr(r, key_field), r.cycle_id): r
        for r in rows
        if (getattr(r, key_field), r.cycle_id) in keys
    }


def _write(locked: dict, computed: dict, on: dt.date) -> None:
    changed = []
    for key, values in computed.items():
        row = locked[key]
        if row.as_of == on and _same(row, values, pace_too=True):
            continue
        for name in FIELDS:
            setattr(row, name, values.get(name, 0))
        row.as_of = on
        changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, [*FIELDS, "as_of"])


# --- reading --------------------------------------------------------------------------------


def refresh(queryset: QuerySet, on: dt.date | None = None) -> int:
    """Bring the rows of `queryset` (person or unit rollups) whose key-result counts are of
    another day (or stale) to `on`. One query when they are current."""
    on = on or timezone.localdate()
    model = queryset.model
    stale = queryset.filter(Q(as_of__isnull=True) | ~Q(as_of=on))
    if model is PersonCycleRollup:
        keys = set(stale.values_list("person_id", "cycle_id"))
        if keys:
            recompute(keys, set(), on)
    else:
        keys = set(stale.values_list("unit__path", "cycle_id"))
        if keys:
            recompute(set(), keys, on)
    return len(keys)


def invalidate() -> None:
    """Every row's key-result counts are stale (the organisation's thresholds changed)."""
    PersonCycleRollup.objects.update(as_of=None)
    UnitCycleRollup.objects.update(as_of=None)


def totals(queryset: QuerySet) -> dict:
    """The sum of the rows of `queryset`: one query."""
    sums = queryset.aggregate(**{name: Sum(name) for name in FIELDS})
    return {name: sums[name] or 0 for name in FIELDS}


# --- rebuilding -----------------------------------------------------------------------------


@dataclass
class RollupDrift:
    table: str  # person | unit
    key: int
    cycle_id: int
    stored: dict | None
    computed: dict

    def differences(self) -> dict:
        stored = self.stored or {}
        return {
            name: (stored.get(name, 0), self.computed.get(name, 0))
            for name in FIELDS
            if stored.get(name, 0) != self.computed.get(name, 0)
        }

    def __str__(self) -> str:
        diffs = ", ".join(f"{k}: {a} → {b}" for k, (a, b) in self.differences().items())
        return f"{self.table} {self.key} × cycle {self.cycle_id}: {diffs}"


@transaction.atomic
def rebuild(*, fix: bool = True, cycles=None, on: dt.date | None = None) -> list[RollupDrift]:
    """Recompute every row (of `cycles`, all by default) from the goals, compare with what is
    stored and, with `fix`, write what differs (rows nothing counts in are deleted). The pace
    is brought to the day first. Rows of another day are compared without their key-result
    counts (those are not wrong, only of that day; `fix` brings them to `on`)."""
    on = on or timezone.localdate()
    cycle_ids = None if cycles is None else list(cycles.values_list("pk", flat=True))
    krs = (
        KeyResult.objects.all()
        if cycle_ids is None
        else KeyResult.objects.filter(goal__cycle_id__in=cycle_ids)
    )
    pace.refresh(krs, on)
    people, units = compute(cycle_ids=cycle_ids)
    unit_of = dict(Unit.objects.values_list("path", "pk"))
    by_unit = {(unit_of[p], c): v for (p, c), v in units.items() if p in unit_of}
    drift: list[RollupDrift] = []
    for model, key_field, table, computed in (
        (PersonCycleRollup, "person_id", "person", dict(people)),
        (UnitCycleRollup, "unit_id", "unit", by_unit),
    ):
        stored_rows = model.objects.all()
        if cycle_ids is not None:
            stored_rows = stored_rows.filter(cycle_id__in=cycle_ids)
        stored = {(getattr(r, key_field), r.cycle_id): r for r in stored_rows}
        create, update, delete = [], [], []
        for key in stored.keys() | computed.keys():
            row, values = stored.get(key), computed.get(key, _zero())
            current_day = row is not None and row.as_of == on
            if not _same(row, values, pace_too=row is None or current_day):
                drift.append(
                    RollupDrift(
                        table,
                        key[0],
                        key[1],
                        {n: getattr(row, n) for n in FIELDS} if row else None,
                        values,
                    )
                )
            if row is None:
                create.append(model(**{key_field: key[0], "cycle_id": key[1]}, **values, as_of=on))
            elif key not in computed:
                delete.append(row.pk)
            elif not current_day or not _same(row, values, pace_too=True):
                for name in FIELDS:
                    setattr(row, name, values.get(name, 0))
                row.as_of = on
                update.append(row)
        if fix:
            model.objects.bulk_create(create, batch_size=1000)
            model.objects.bulk_update(update, [*FIELDS, "as_of"], batch_size=1000)
            model.objects.filter(pk__in=delete).delete()
    if not fix:
        transaction.set_rollback(True)  # the pace brought to the day stays as it was
    return drift


def refresh_open(on: dt.date | None = None) -> int:
    """The hourly task: every row of the open cycles at today's pace, in SQL. Returns the
    number of rows that differed (other than by day)."""
    return len(rebuild(cycles=Cycle.objects.filter(state__in=OPEN_CYCLES), on=on))


# The read models of the apps above goals (tracking's unit × week check-in rollup, …) register
# their from-scratch rebuild here from their AppConfig.ready, so `rebuild_rollups`,
# `check_numbers` and the demo seed rebuild every read model without goals importing them.
# Each is called as `rebuild(fix=...)` and returns its drift rows (printable).
OTHER_REBUILDS: list = []


def register_rebuild(rebuild_function) -> None:
    if rebuild_function not in OTHER_REBUILDS:
        OTHER_REBUILDS.append(rebuild_function)


def rebuild_all(*, fix: bool = True, cycles=None) -> list:
    """`rebuild` of the goals' rollups and alignment findings, then of every registered read
    model; all the drift. Cycles limit the goals' read models only (the others are not per
    cycle)."""
    from goals.services import alignment_findings

    drift: list = [
        *rebuild(fix=fix, cycles=cycles),
        *alignment_findings.rebuild(fix=fix, cycles=cycles),
    ]
    for other in OTHER_REBUILDS:
        drift.extend(other(fix=fix))
    return drift
