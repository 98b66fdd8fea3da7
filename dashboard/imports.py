"""Bulk import of goals and key results from CSV or XLSX.

One row per key result; rows with the same `goal_ref` make one goal (the goal's columns are
read from its first row). Every row is checked and every goal is created through
`goals.services.create_goal` inside one transaction, which is rolled back on a dry run or when
any row has an error: nothing is imported unless every row is valid. Errors are reported per
row and column."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.tabular import read_rows
from goals import permissions as goal_permissions
from goals.models import Cycle, Goal, KeyResult
from goals.services import create_goal
from org.models import Person, Unit

COLUMNS = [
    "goal_ref",
    "title",
    "level",
    "kind",
    "owner",
    "owner_unit",
    "parent_id",
    "weight",
    "category",
    "kr_name",
    "kr_metric",
    "kr_unit",
    "kr_direction",
    "kr_start",
    "kr_target",
    "kr_weight",
    "kr_due",
]
MAX_ROWS = 2000
# service error keys → the file's columns
FIELD_COLUMNS = {
    "title": "title",
    "level": "level",
    "kind": "kind",
    "owner_person": "owner",
    "owner_unit": "owner_unit",
    "parent": "parent_id",
    "weight": "weight",
    "category": "category",
    "cycle": "goal_ref",
    "key_results.name": "kr_name",
    "key_results.target_value": "kr_target",
    "key_results.start_value": "kr_start",
    "key_results.weight": "kr_weight",
    "key_results.due_on": "kr_due",
    "key_results.direction": "kr_direction",
    "key_results.metric": "kr_metric",
    "key_results": "kr_name",
}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    goals: int = 0
    key_results: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = True

    @property
    def ok(self) -> bool:
        return not self.errors


def _decimal(raw: str, row: int, column: str, errors: list[RowError], default=None):
    if raw == "":
        return default
    try:
        value = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        errors.append(RowError(row, column, _("“%(value)s” is not a number.") % {"value": raw}))
        return default
    if not value.is_finite():
        errors.append(RowError(row, column, _("“%(value)s” is not a number.") % {"value": raw}))
        return default
    return value


def _choice(raw: str, choices, default: str, row: int, column: str, errors: list[RowError]):
    if raw == "":
        return default
    value = raw.lower()
    if value not in choices.values:
        errors.append(
            RowError(
                row,
                column,
                _("Use one of: %(choices)s.") % {"choices": ", ".join(choices.values)},
            )
        )
        return default
    return value


def _groups(rows: list[tuple[int, dict]]) -> list[list[tuple[int, dict]]]:
    groups: dict[str, list] = {}
    order = []
    for number, cells in rows:
        key = cells.get("goal_ref") or f"#row{number}"
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((number, cells))
    return [groups[k] for k in order]


def _service_errors(exc: ValidationError, row: int) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            RowError(row, FIELD_COLUMNS.get(key, key), str(message))
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return [RowError(row, "", str(m)) for m in exc.messages]


@dataclass
class _Known:
    """The people, units and parent goals the file names, looked up once for every row."""

    people: dict[str, Person]
    units: dict[str, Unit]
    parents: dict[str, Goal]


def _known(actor: Person, rows: list[tuple[int, dict]]) -> _Known:
    """Look up the owners, units and (visible) parent goals every row names, in three queries."""
    usernames = {c.get("owner") for _n, c in rows if c.get("owner")}
    unit_names = {c.get("owner_unit") for _n, c in rows if c.get("owner_unit")}
    parent_ids = {c.get("parent_id") for _n, c in rows if (c.get("parent_id") or "").isdigit()}
    people = {
        p.user.username: p
        for p in Person.objects.filter(user__username__in=usernames).select_related("user")
    }
    units = {u.name: u for u in Unit.objects.filter(name__in=unit_names)}
    parents = {
        str(g.pk): g
        for g in goal_permissions.visible_goals(actor)
        .filter(pk__in=parent_ids)
        .select_related("cycle")
    }
    return _Known(people=people, units=units, parents=parents)


def _owner(level: str, first: dict, first_row: int, known: _Known, errors: list[RowError]):
    """(owner_person, owner_unit) of a goal: a person for a person goal, a unit otherwise."""
    owner_person = owner_unit = None
    if level == Goal.Level.PERSON:
        owner_person = known.people.get(first.get("owner", ""))
        if owner_person is None:
            errors.append(
                RowError(
                    first_row,
                    "owner",
                    _("No person with the username “%(u)s”.") % {"u": first.get("owner", "")},
                )
            )
    else:
        owner_unit = known.units.get(first.get("owner_unit", ""))
        if owner_unit is None:
            errors.append(
                RowError(
                    first_row,
                    "owner_unit",
                    _("No unit named “%(u)s”.") % {"u": first.get("owner_unit", "")},
                )
            )
    return owner_person, owner_unit


def _key_result(number: int, cells: dict, errors: list[RowError]) -> dict | None:
    """The key result of one row, or None for a row without one (a goal-only row)."""
    if not cells.get("kr_name"):
        if cells.get("kr_target"):
            errors.append(RowError(number, "kr_name", _("Name the key result.")))
        return None
    target = _decimal(cells.get("kr_target", ""), number, "kr_target", errors)
    if target is None and not cells.get("kr_target"):
        errors.append(RowError(number, "kr_target", _("Every key result needs a target.")))
    kr = {
        "name": cells["kr_name"],
        "metric": cells.get("kr_metric", ""),
        "unit": cells.get("kr_unit", ""),
        "direction": _choice(
            cells.get("kr_direction", ""),
            KeyResult.Direction,
            KeyResult.Direction.INCREASE,
            number,
            "kr_direction",
            errors,
        ),
        "start_value": _decimal(
            cells.get("kr_start", ""), number, "kr_start", errors, Decimal("0")
        ),
        "target_value": target,
        "weight": _decimal(cells.get("kr_weight", ""), number, "kr_weight", errors, Decimal("1")),
    }
    if cells.get("kr_due"):
        try:
            kr["due_on"] = dt.date.fromisoformat(cells["kr_due"][:10])
        except ValueError:
            errors.append(RowError(number, "kr_due", _("Write the date as YYYY-MM-DD.")))
    return kr


def _plan_goal(
    group: list[tuple[int, dict]], cycle: Cycle, known: _Known, errors: list[RowError]
) -> dict | None:
    """`create_goal`'s arguments for one goal's rows, or None when any of them has an error."""
    first_row, first = group[0]
    before = len(errors)
    title = first.get("title", "")
    if not title:
        errors.append(RowError(first_row, "title", _("Give the goal a title.")))
    level = _choice(
        first.get("level", ""), Goal.Level, Goal.Level.PERSON, first_row, "level", errors
    )
    kind = _choice(first.get("kind", ""), Goal.Kind, Goal.Kind.OBJECTIVE, first_row, "kind", errors)
    owner_person, owner_unit = _owner(level, first, first_row, known, errors)
    parent = None
    if first.get("parent_id"):
        parent = known.parents.get(first["parent_id"])
        if parent is None:
            errors.append(RowError(first_row, "parent_id", _("No such goal.")))
    weight = _decimal(first.get("weight", ""), first_row, "weight", errors, Decimal("1"))
    key_results = []
    for number, cells in group:
        kr = _key_result(number, cells, errors)
        if kr is not None:
            key_results.append(kr)
    if len(errors) != before:
        return None
    return {
        "cycle": cycle,
        "title": title,
        "level": level,
        "kind": kind,
        "owner_person": owner_person,
        "owner_unit": owner_unit,
        "parent": parent,
        "weight": weight,
        "category": first.get("category", ""),
        "key_results": key_results,
    }


def _create_goals(
    actor: Person, plans: list[tuple[int, dict]], result: ImportResult, dry_run: bool
) -> None:
    """Create every planned goal in one transaction, rolled back on a dry run or any error."""
    errors = result.errors
    with transaction.atomic():
        for first_row, data in plans:
            try:
                with transaction.atomic():
                    create_goal(actor=actor, **data)
            except ValidationError as exc:
                errors.extend(_service_errors(exc, first_row))
                continue
            except PermissionDenied as exc:
                errors.append(RowError(first_row, "owner", str(exc) or _("Not allowed.")))
                continue
            result.goals += 1
            result.key_results += len(data["key_results"])
        if errors or dry_run:
            transaction.set_rollback(True)


def import_goals(*, actor: Person, cycle: Cycle, upload, dry_run: bool) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    rows = read_rows(
        upload, columns=COLUMNS, required=["title", "kr_name", "kr_target"], max_rows=MAX_ROWS
    )
    result.rows = len(rows)
    known = _known(actor, rows)
    plans = []
    for group in _groups(rows):
        data = _plan_goal(group, cycle, known, result.errors)
        if data is not None:
            plans.append((group[0][0], data))
    _create_goals(actor, plans, result, dry_run)
    result.errors.sort(
        key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99)
    )
    return result


def template_rows() -> list[list[str]]:
    return [
        COLUMNS,
        [
            "g1",
            "Win 45 new qualified customers",
            "person",
            "objective",
            "employee",
            "",
            "",
            "1",
            "sales",
            "New qualified customers",
            "new-customers",
            "customers",
            "increase",
            "0",
            "45",
            "1",
            "",
        ],
        [
            "g1",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "Demos held",
            "demos",
            "demos",
            "increase",
            "0",
            "60",
            "1",
            "",
        ],
    ]
