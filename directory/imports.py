"""Bulk people import from CSV or XLSX, one row per person.

A row whose username is new creates the person; a known username updates them. Every row is
checked first (errors per row and column, as the goals import reports them), then applied
through org.services inside one transaction: on a dry run, or when any row has an error,
everything is rolled back. With `apply_valid` (which the HRBP must confirm) the rows without
errors are imported and the others are reported and left out. Managers are set after every
row's person exists, so a file may name a manager who is a later row. Every change is in the
org history with the importer as actor and "import" as its source.

Optional columns link a row to the person's ids elsewhere (`feishu_open_id`,
`dingtalk_userid`, `wecom_userid`, or any one id as `external_id` with its `source`), so a
later directory sync or SCIM push finds them by that id instead of adding them again. An id
belongs to one person per source; a new id for a person replaces their old one there."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from core.history import acting_as
from core.tabular import read_rows
from directory import audit, permissions
from directory.models import ExternalPerson
from org import services as org_services
from org.models import Person, Unit
from org.scopes import Viewer

COLUMNS = [
    "username",
    "name",
    "email",
    "unit",
    "manager",
    "title",
    "level",
    "hire_date",
    "time_zone",
    "language",
    "feishu_open_id",
    "dingtalk_userid",
    "wecom_userid",
    "external_id",
    "source",
]
# The id columns of the platforms a directory sync reads, and their sources (ExternalPerson).
ID_COLUMNS = {
    "feishu_open_id": audit.sync_source("feishu"),
    "dingtalk_userid": audit.sync_source("dingtalk"),
    "wecom_userid": audit.sync_source("wecom"),
}
# What the `source` column may say beside `external_id`.
SOURCES = {
    "scim": audit.SCIM,
    "feishu": audit.sync_source("feishu"),
    "dingtalk": audit.sync_source("dingtalk"),
    "wecom": audit.sync_source("wecom"),
}
REQUIRED = ["username", "name", "unit"]
MAX_ROWS = 5000
UNIT_PATH_SEPARATOR = "/"
# service error keys → the file's columns
FIELD_COLUMNS = {
    "username": "username",
    "display_name": "name",
    "email": "email",
    "unit": "unit",
    "manager": "manager",
    "title": "title",
    "level": "level",
    "hired_on": "hire_date",
    "timezone": "time_zone",
    "language": "language",
}


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = True
    apply_valid: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def applied(self) -> bool:
        return not self.dry_run and (self.ok or self.apply_valid)


@dataclass
class _Row:
    number: int
    username: str
    fields: dict
    manager: str = ""
    person: Person | None = None
    links: dict[str, str] = field(default_factory=dict)  # source → external id


def unit_paths() -> dict[str, Unit]:
    """Every unit by its path of names from the root ("Acme/Sales/Field"), in one query."""
    units = list(Unit.objects.order_by("depth", "pk"))
    by_id = {u.pk: u for u in units}
    paths: dict[int, str] = {}
    for unit in units:
        parent = paths.get(unit.parent_id) if unit.parent_id else None
        paths[unit.pk] = f"{parent}{UNIT_PATH_SEPARATOR}{unit.name}" if parent else unit.name
    return {path: by_id[pk] for pk, path in paths.items()}


def _language(raw: str) -> str | None:
    wanted = raw.lower().replace("_", "-")
    for code, _label in settings.LANGUAGES:
        if code.lower() == wanted:
            return code
    return None


def _links(cells: dict) -> list[tuple[str, str, str]]:
    """(column, source, external id) of every id the row gives."""
    found = [
        (column, source, cells[column])
        for column, source in ID_COLUMNS.items()
        if cells.get(column)
    ]
    source = SOURCES.get(cells.get("source", "").lower())
    if source and cells.get("external_id"):
        found.append(("external_id", source, cells["external_id"]))
    return found


def _link(person: Person, links: dict[str, str]) -> None:
    """The person's id at each source is the row's (an older one there is replaced)."""
    for source, external_id in links.items():
        ExternalPerson.objects.filter(source=source, person=person).exclude(
            external_id=external_id
        ).delete()
        ExternalPerson.objects.get_or_create(
            source=source, external_id=external_id, defaults={"person": person}
        )


class _Checker:
    """Checks rows one by one against what the database and the rest of the file hold."""

    def __init__(self, viewer: Viewer, rows: list[tuple[int, dict]]):
        self.viewer = viewer
        self.errors: list[RowError] = []
        self.units = unit_paths()
        usernames = {c.get("username", "") for _n, c in rows} | {
            c.get("manager", "") for _n, c in rows
        }
        self.people = {
            p.user.username: p
            for p in Person.objects.filter(user__username__in=usernames - {""}).select_related(
                "user", "unit"
            )
        }
        self.file_usernames = [c.get("username", "") for _n, c in rows]
        emails = {c.get("email", "").lower() for _n, c in rows} - {""}
        self.emails_taken = {
            email.lower(): username
            for email, username in get_user_model()
            .objects.filter(email__in=emails)
            .values_list("email", "username")
        }
        self.emails_seen: dict[str, int] = {}
        self.zones = available_timezones()
        wanted = [link for _n, c in rows for link in _links(c)]
        found = Q(pk__in=[])
        for _column, source, external_id in wanted:
            found |= Q(source=source, external_id=external_id)
        self.linked = (
            {
                (source, external_id): username
                for source, external_id, username in ExternalPerson.objects.filter(
                    found
                ).values_list("source", "external_id", "person__user__username")
            }
            if wanted
            else {}
        )
        self.ids_seen: dict[tuple[str, str], int] = {}

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))

    def _unit(self, number: int, cells: dict) -> Unit | None:
        raw = cells.get("unit", "")
        unit = self.units.get(raw.strip(UNIT_PATH_SEPARATOR))
        if unit is None:
            self.error(number, "unit", _("No unit at “%(path)s”.") % {"path": raw})
        elif not self.viewer.is_admin and not self.viewer.covers_unit(unit):
            self.error(number, "unit", _("You are not the HRBP of this unit."))
        return unit

    def _email(self, number: int, username: str, email: str) -> None:
        try:
            validate_email(email)
        except ValidationError:
            self.error(number, "email", _("Enter a valid email address."))
            return
        key = email.lower()
        owner = self.emails_taken.get(key)
        if owner is not None and owner != username:
            self.error(number, "email", _("Another user has this email address."))
        elif key in self.emails_seen:
            self.error(
                number,
                "email",
                _("Row %(row)s has the same email address.") % {"row": self.emails_seen[key]},
            )
        else:
            self.emails_seen[key] = number

    def _choices(self, number: int, cells: dict, data: dict) -> None:
        level = cells.get("level", "").lower()
        if level:
            if level in Person.Level.values:
                data["level"] = level
            else:
                self.error(
                    number,
                    "level",
                    _("Use one of: %(choices)s.") % {"choices": ", ".join(Person.Level.values)},
                )
        if cells.get("hire_date"):
            try:
                data["hired_on"] = dt.date.fromisoformat(cells["hire_date"][:10])
            except ValueError:
                self.error(number, "hire_date", _("Write the date as YYYY-MM-DD."))
        zone = cells.get("time_zone", "")
        if zone:
            if zone in self.zones:
                data["timezone"] = zone
            else:
                self.error(number, "time_zone", _("Unknown time zone."))
        if cells.get("language"):
            language = _language(cells["language"])
            if language is None:
                codes = ", ".join(code for code, _label in settings.LANGUAGES)
                self.error(number, "language", _("Use one of: %(choices)s.") % {"choices": codes})
            else:
                data["language"] = language

    def _ids(self, number: int, username: str, cells: dict) -> dict[str, str]:
        """The row's ids by source, each checked: a known source, one id per source in the
        row, not another person's id there, not twice in the file."""
        external_id, source = cells.get("external_id", ""), cells.get("source", "").lower()
        if external_id and not source:
            self.error(number, "source", _("Name the source of the external id."))
        elif source and not external_id:
            self.error(number, "external_id", _("Write the external id of this source."))
        elif source and source not in SOURCES:
            self.error(
                number,
                "source",
                _("Use one of: %(choices)s.") % {"choices": ", ".join(SOURCES)},
            )
        links: dict[str, str] = {}
        for column, source_name, value in _links(cells):
            if links.get(source_name, value) != value:
                self.error(number, column, _("The row has another id of this source."))
                continue
            owner = self.linked.get((source_name, value))
            seen = self.ids_seen.get((source_name, value))
            if owner is not None and owner != username:
                self.error(number, column, _("Another person has this id."))
            elif seen is not None and seen != number:
                self.error(number, column, _("Row %(row)s has the same id.") % {"row": seen})
            else:
                self.ids_seen[(source_name, value)] = number
                links[source_name] = value
        return links

    def _manager(self, number: int, username: str, manager: str) -> None:
        if manager == username:
            self.error(number, "manager", _("A person cannot be their own manager."))
        elif manager not in self.people and manager not in self.file_usernames:
            self.error(
                number, "manager", _("No person with the username “%(u)s”.") % {"u": manager}
            )

    def check(self, number: int, cells: dict) -> _Row | None:
        before = len(self.errors)
        username = cells.get("username", "")
        if not username:
            self.error(number, "username", _("Every row needs a username."))
        elif self.file_usernames.count(username) > 1:
            self.error(number, "username", _("This username is in the file more than once."))
        if not cells.get("name"):
            self.error(number, "name", _("Every row needs a name."))
        unit = self._unit(number, cells)
        existing = self.people.get(username)
        if existing is not None and not (
            self.viewer.is_admin or self.viewer.covers_unit(existing.unit)
        ):
            self.error(number, "username", _("You are not the HRBP of this person's unit."))
        data: dict = {"display_name": cells.get("name", ""), "unit": unit}
        if cells.get("email"):
            self._email(number, username, cells["email"])
            data["email"] = cells["email"]
        if cells.get("title"):
            data["title"] = cells["title"]
        self._choices(number, cells, data)
        manager = cells.get("manager", "")
        if manager:
            self._manager(number, username, manager)
        links = self._ids(number, username, cells)
        if len(self.errors) != before:
            return None
        return _Row(number, username, data, manager, existing, links)


def _service_errors(exc: ValidationError, row: int) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            RowError(row, FIELD_COLUMNS.get(key, key), str(message))
            for key, messages in exc.message_dict.items()
            for message in messages
        ]
    return [RowError(row, "", str(m)) for m in exc.messages]


def _drop_orphans(rows: list[_Row], failed: set[str], errors: list[RowError]) -> list[_Row]:
    """Rows whose manager is a left-out row of the file are left out too."""
    while True:
        orphans = [r for r in rows if r.manager in failed and r.username not in failed]
        if not orphans:
            return rows
        for row in orphans:
            errors.append(RowError(row.number, "manager", _("The manager's row has errors.")))
            failed.add(row.username)
        rows = [r for r in rows if r.username not in failed]


def _apply(rows: list[_Row], people: dict[str, Person], result: ImportResult) -> None:
    """Create or update every row's person, then set the managers; a row a service refuses is
    reported (and, applying what is valid, left out)."""
    placed: dict[str, Person] = {}
    for row in rows:
        try:
            with transaction.atomic():
                if row.person is None:
                    placed[row.username] = org_services.create_person(
                        username=row.username, **row.fields
                    )
                    result.created += 1
                else:
                    placed[row.username] = org_services.update_person(
                        person=row.person, **row.fields
                    )
                    result.updated += 1
                _link(placed[row.username], row.links)
        except ValidationError as exc:
            result.errors.extend(_service_errors(exc, row.number))
    for row in rows:
        person = placed.get(row.username)
        if person is None:
            continue
        manager = placed.get(row.manager) or people.get(row.manager) if row.manager else None
        if manager is None and row.manager:
            result.errors.append(
                RowError(row.number, "manager", _("The manager's row has errors."))
            )
            continue
        if manager is not None and person.manager_id != manager.pk:
            try:
                with transaction.atomic():
                    org_services.update_person(person=person, manager=manager)
            except ValidationError as exc:
                result.errors.extend(_service_errors(exc, row.number))


def import_people(
    *, actor: Person, upload, dry_run: bool, apply_valid: bool = False, confirmed: bool = False
) -> ImportResult:
    """Check (and unless `dry_run`, import) the people of a CSV or XLSX file."""
    viewer = Viewer.of(actor)
    if not permissions.can_import_people(viewer):
        raise PermissionDenied
    if apply_valid and not dry_run and not confirmed:
        raise ValidationError(
            {"confirm": _("Confirm that the rows with errors are left out of the import.")}
        )
    result = ImportResult(dry_run=dry_run, apply_valid=apply_valid)
    rows = read_rows(upload, columns=COLUMNS, required=REQUIRED, max_rows=MAX_ROWS)
    result.rows = len(rows)
    checker = _Checker(viewer, rows)
    planned = [row for number, cells in rows if (row := checker.check(number, cells))]
    result.errors = checker.errors
    failed = {c.get("username", "") for n, c in rows if n in {e.row for e in result.errors}}
    planned = _drop_orphans(planned, failed, result.errors)
    with acting_as(actor), audit.changes_from(audit.IMPORT), transaction.atomic():
        _apply(planned, checker.people, result)
        if dry_run or (result.errors and not apply_valid):
            transaction.set_rollback(True)
    result.skipped = len({e.row for e in result.errors})
    result.errors.sort(
        key=lambda e: (e.row, COLUMNS.index(e.column) if e.column in COLUMNS else 99)
    )
    return result


def template_rows() -> list[list[str]]:
    return [
        COLUMNS,
        [
            "wang.fang",
            "王芳",
            "wang.fang@example.com",
            "Acme/Sales",
            "li.lei",
            "Account executive",
            "frontline",
            "2024-03-01",
            "Asia/Shanghai",
            "zh-hans",
            "ou_7dab8a3d3cdcc9da365777c7ad535d62",
            "",
            "",
            "",
            "",
        ],
    ]
