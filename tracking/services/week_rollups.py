"""The unit × week read model of check-ins (`tracking.models.UnitWeekRollup`), maintained on
write.

A touched row is recomputed from what is committed, not incremented: its inputs (one unit's
members' check-ins of one week) are few, and recomputing cannot accumulate error. Who touches
which rows (`tracking.receivers`, in the writer's transaction):

- a check-in saved while or after being submitted (submit, late submit, amendment, a reopen to
  draft), or deleted: the row of its person's unit and its week;
- a key-result update of a submitted check-in saved or deleted on its own (an edit in the
  admin, a correction script): its check-in's row;
- a person created, moved to another unit (`org.signals.person_moved`), activated or
  deactivated, or deleted: every row of the units they left and joined (the people expected
  and whose check-ins count change for every week).

A service that writes a check-in and its updates together runs inside `batched()`: the rows
its writes touch are recomputed once, at the end of the block, still in its transaction.

Lock order, the same for every writer: the rows in id order (created first when missing), then
the row is computed with a statement after the lock, so under READ COMMITTED it sees the other
writer's commit. Writes that skip signals (bulk inserts of the benchmark, raw imports) leave
drift that `rebuild()` reports and
repairs; `drift()` reports it without writing."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q, Sum

from goals.models import Status
from tracking.models.rollups import FIELDS, FLOAT_FIELDS

Key = tuple[int, dt.date]  # (unit id, week)

_STATUS_FIELD = {
    Status.ON_TRACK: "on_track",
    Status.AT_RISK: "at_risk",
    Status.OFF_TRACK: "off_track",
}


def _zero() -> dict:
    return {name: (0.0 if name in FLOAT_FIELDS else 0) for name in FIELDS}


def _models(apps=None):
    if apps is None:
        from org.models import Person
        from tracking.models import CheckIn, KeyResultUpdate, UnitWeekRollup

        return Person, CheckIn, KeyResultUpdate, UnitWeekRollup
    return (
        apps.get_model("org", "Person"),
        apps.get_model("tracking", "CheckIn"),
        apps.get_model("tracking", "KeyResultUpdate"),
        apps.get_model("tracking", "UnitWeekRollup"),
    )


# --- computing ------------------------------------------------------------------------------


def totals_by(
    group: str, *, people: Q | None = None, weeks: Iterable[dt.date] | None = None, apps=None
) -> dict[tuple, dict]:
    """The check-in totals of the submitted check-ins of active people, grouped by
    (`group`, week): `group` is "person__unit_id" (the rollup's rows) or "person_id" (the
    same numbers per person). `people`: a Q over Person narrowing whose check-ins count.
    One grouped query (check-ins joined to their updates); `people` (the headcount) is left
    out (see `compute`)."""
    person_model, check_in_model, _update, _rollup = _models(apps)
    ci_filter = Q(
        state="submitted",
        person__in=person_model.objects.filter(Q(is_active=True) & (people or Q())),
    )
    if weeks is not None:
        ci_filter &= Q(week__in=list(weeks))
    by_status = {
        f"a_{field}": Count("updates", filter=Q(updates__status=status))
        for status, field in _STATUS_FIELD.items()
    }
    result: dict[tuple, dict] = defaultdict(_zero)
    for r in (
        check_in_model.objects.filter(ci_filter)
        .order_by()
        .values(group, "week")
        .annotate(
            a_submitted=Count("pk", distinct=True),
            a_late=Count("pk", distinct=True, filter=Q(is_late=True)),
            a_updates=Count("updates"),
            a_progress_updates=Count("updates__progress"),
            a_progress_sum=Sum("updates__progress"),
            **by_status,
        )
    ):
        row = result[(r[group], r["week"])]
        for name in FIELDS:
            if name != "people":
                row[name] = r[f"a_{name}"] or (0.0 if name in FLOAT_FIELDS else 0)
    return result


def compute(*, unit_ids=None, weeks=None, apps=None) -> dict[Key, dict]:
    """The rows as they should be for these units and weeks (None: all): one per unit and week
    with a submitted check-in of an active member. Three queries."""
    person_model = _models(apps)[0]
    people_q = Q(unit_id__in=list(unit_ids)) if unit_ids is not None else None
    rows = totals_by("person__unit_id", people=people_q, weeks=weeks, apps=apps)
    headcount = dict(
        person_model.objects.filter(Q(is_active=True) & (people_q or Q()))
        .order_by()
        .values("unit_id")
        .annotate(n=Count("pk"))
        .values_list("unit_id", "n")
    )
    for (unit_id, _week), row in rows.items():
        row["people"] = headcount.get(unit_id, 0)
    return {k: v for k, v in rows.items() if v["submitted"]}


def _same(stored, computed: dict) -> bool:
    for name in FIELDS:
        a = getattr(stored, name) if stored is not None else (0.0 if name in FLOAT_FIELDS else 0)
        b = computed.get(name, 0)
        if name in FLOAT_FIELDS:
            if abs(float(a) - float(b)) > 1e-6:
                return False
        elif a != b:
            return False
    return True


# --- maintaining on write -------------------------------------------------------------------


def _lock(keys: set[Key], units: set[int], weeks: set[dt.date]) -> dict:
    from tracking.models import UnitWeekRollup

    return {
        (r.unit_id, r.week): r
        for r in UnitWeekRollup.objects.select_for_update()
        .filter(unit_id__in=units, week__in=weeks)
        .order_by("pk")
        if (r.unit_id, r.week) in keys
    }


@transaction.atomic(savepoint=False)
def recompute(keys: Iterable[Key] = (), *, unit_ids: Iterable[int] = ()) -> None:
    """Recompute these rows (and every row of `unit_ids`, all weeks) from what is committed,
    in the caller's transaction, with the rows locked first. A check-in's row costs three
    queries when it exists (lock, compute, write): its `people` is kept, as only people's
    writes change it (they recompute whole units)."""
    from tracking.models import CheckIn, UnitWeekRollup

    keys = {(u, w) for u, w in keys if u}
    whole = {u for u in unit_ids if u}
    if not keys and not whole:
        return
    units = {u for u, _w in keys} | whole
    weeks = {w for _u, w in keys}
    if whole:
        # The rows of whole units, and the weeks they may gain a row in.
        weeks |= set(
            CheckIn.objects.filter(person__unit_id__in=whole, state="submitted")
            .order_by()
            .values_list("week", flat=True)
            .distinct()
        )
        weeks |= set(
            UnitWeekRollup.objects.filter(unit_id__in=whole)
            .order_by()
            .values_list("week", flat=True)
            .distinct()
        )
    wanted = keys | {(u, w) for u in whole for w in weeks}
    if not wanted:
        return
    locked = _lock(wanted, units, weeks)
    if len(locked) < len(wanted):
        UnitWeekRollup.objects.bulk_create(
            [UnitWeekRollup(unit_id=u, week=w) for u, w in sorted(wanted - locked.keys())],
            ignore_conflicts=True,
        )
        locked = _lock(wanted, units, weeks)
    # A new row (people 0: a stored row has at least the member who checked in) or a whole
    # unit needs the headcount; the others keep theirs.
    counted = whole | {u for (u, _w), row in locked.items() if not row.people}
    if counted:
        computed = compute(unit_ids=units, weeks=weeks)
    else:
        computed = {
            k: {**v, "people": locked[k].people}
            for k, v in totals_by(
                "person__unit_id", people=Q(unit_id__in=list(units)), weeks=weeks
            ).items()
            if v["submitted"] and k in locked
        }
    changed, empty = [], []
    for key, row in locked.items():
        values = computed.get(key)
        if values is None:
            empty.append(row.pk)
        elif not _same(row, values):
            for name in FIELDS:
                setattr(row, name, values[name])
            changed.append(row)
    if changed:
        UnitWeekRollup.objects.bulk_update(changed, list(FIELDS))
    if empty:
        UnitWeekRollup.objects.filter(pk__in=empty).delete()


@dataclass
class _Batch:
    keys: set = field(default_factory=set)
    unit_ids: set = field(default_factory=set)
    check_in_ids: set = field(default_factory=set)


_batch: ContextVar[_Batch | None] = ContextVar("keel_week_rollup_batch", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Collect the rows the writes inside the block touch and recompute them once at its
    end (in the caller's transaction; nothing when the block raises, its transaction rolls
    back). Nested blocks join the outer one."""
    if _batch.get() is not None:
        yield
        return
    batch = _Batch()
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    keys = set(batch.keys)
    if batch.check_in_ids:
        keys |= _check_in_keys(batch.check_in_ids)
    recompute(keys, unit_ids=batch.unit_ids)


def _check_in_keys(check_in_ids: Iterable[int]) -> set[Key]:
    """The rows of these check-ins, the submitted ones (one query)."""
    from tracking.models import CheckIn

    return set(
        CheckIn.objects.filter(pk__in=list(check_in_ids), state=CheckIn.State.SUBMITTED)
        .order_by()
        .values_list("person__unit_id", "week")
    )


def touched(
    keys: Iterable[Key] = (), *, unit_ids: Iterable[int] = (), check_in_ids: Iterable[int] = ()
) -> None:
    """Rows a write has touched: recomputed now, or at the end of the current `batched()`
    block. `check_in_ids` stand for the rows of those check-ins if they are submitted."""
    batch = _batch.get()
    if batch is not None:
        batch.keys.update(keys)
        batch.unit_ids.update(unit_ids)
        batch.check_in_ids.update(check_in_ids)
        return
    keys = set(keys)
    if check_in_ids:
        keys |= _check_in_keys(check_in_ids)
    recompute(keys, unit_ids=unit_ids)


# --- reading --------------------------------------------------------------------------------


def subtree_rows(paths: Iterable[str], weeks: Iterable[dt.date]):
    """The rows of the units under these paths (each path's whole subtree) in these weeks."""
    from org.scopes import subtree_q
    from tracking.models import UnitWeekRollup

    q = subtree_q(list(paths), "unit__path")
    if q is None:
        return UnitWeekRollup.objects.none()
    return UnitWeekRollup.objects.filter(q, week__in=list(weeks))


# --- rebuilding -----------------------------------------------------------------------------


@dataclass
class WeekRollupDrift:
    unit_id: int
    week: dt.date
    stored: dict | None
    computed: dict

    def differences(self) -> dict:
        stored = self.stored or _zero()
        return {
            name: (stored.get(name, 0), self.computed.get(name, 0))
            for name in FIELDS
            if not _same_value(name, stored.get(name, 0), self.computed.get(name, 0))
        }

    def __str__(self) -> str:
        diffs = ", ".join(f"{k}: {a} → {b}" for k, (a, b) in self.differences().items())
        return f"unit {self.unit_id} × week {self.week:%G-W%V}: {diffs}"


def _same_value(name: str, a, b) -> bool:
    if name in FLOAT_FIELDS:
        return abs(float(a) - float(b)) <= 1e-6
    return a == b


@transaction.atomic
def rebuild(*, fix: bool = True, apps=None) -> list[WeekRollupDrift]:
    """Recompute every unit × week row from the check-ins (four queries), compare with what
    is stored and, with `fix`, write what differs (rows nothing counts in are deleted).
    Returns the rows that differed."""
    rollup_model = _models(apps)[3]
    computed = compute(apps=apps)
    stored = {(r.unit_id, r.week): r for r in rollup_model.objects.all()}
    drift: list[WeekRollupDrift] = []
    create, update, delete = [], [], []
    for key in stored.keys() | computed.keys():
        row, values = stored.get(key), computed.get(key)
        if values is not None and _same(row, values) and row is not None:
            continue
        drift.append(
            WeekRollupDrift(
                key[0],
                key[1],
                {n: getattr(row, n) for n in FIELDS} if row is not None else None,
                values or _zero(),
            )
        )
        if row is None:
            create.append(rollup_model(unit_id=key[0], week=key[1], **values))
        elif values is None:
            delete.append(row.pk)
        else:
            for name in FIELDS:
                setattr(row, name, values[name])
            update.append(row)
    if fix:
        rollup_model.objects.bulk_create(create, batch_size=1000)
        rollup_model.objects.bulk_update(update, list(FIELDS), batch_size=1000)
        rollup_model.objects.filter(pk__in=delete).delete()
    drift.sort(key=lambda d: (d.unit_id, d.week))
    return drift


def drift() -> list[WeekRollupDrift]:
    """The rows that differ from a from-scratch computation; nothing is written."""
    return rebuild(fix=False)
