"""SCIM 2.0 (RFC 7643/7644) resources for identity providers that push people: Users are
Keel's people, Groups are its units.

Written by hand rather than with django-scim2: that package saves its model adapters straight
to the models, and every write here must go through org.services (a deactivation ends the
person's sessions and tokens everywhere). The subset is what Okta and Azure AD (Entra ID)
send: `eq` filters on userName, externalId, emails and displayName; paging with startIndex and
count; POST, PUT, PATCH (add/replace/remove, with or without a path, Azure's "True"/"False"
strings) and DELETE, which deactivates (people are never deleted: their goals and history
stay)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from core.history import acting_as
from directory import audit
from directory.models import ExternalPerson
from org import services as org_services
from org.models import Person, Unit

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
SOURCE = "scim"
MAX_COUNT = 200


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def body(self) -> dict:
        body = {"schemas": [ERROR_SCHEMA], "status": str(self.status), "detail": self.detail}
        if self.scim_type:
            body["scimType"] = self.scim_type
        return body


# --- filters ------------------------------------------------------------------------------
_FILTER = re.compile(r'^\s*([\w.:\[\]" ]+?)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)
_USER_FILTERS = {
    "username": "user__username__iexact",
    "externalid": "external_ids__external_id",
    "emails.value": "user__email__iexact",
    'emails[type eq "work"].value': "user__email__iexact",
    "displayname": "display_name",
}


def filter_people(people: QuerySet[Person], expression: str) -> QuerySet[Person]:
    match = _FILTER.match(expression or "")
    lookup = _USER_FILTERS.get(match.group(1).strip().lower()) if match else None
    if lookup is None:
        raise ScimError(
            400,
            "Only `eq` filters on userName, externalId, emails or displayName.",
            "invalidFilter",
        )
    value = match.group(2).replace('\\"', '"')
    if lookup.startswith("external_ids"):
        return people.filter(external_ids__source=SOURCE, external_ids__external_id=value)
    return people.filter(**{lookup: value})


def filter_units(units: QuerySet[Unit], expression: str) -> QuerySet[Unit]:
    match = _FILTER.match(expression or "")
    if not match or match.group(1).strip().lower() != "displayname":
        raise ScimError(400, "Only `displayName eq` filters on groups.", "invalidFilter")
    return units.filter(name=match.group(2))


def page(request_get, total_query: QuerySet) -> tuple[list, int, int]:
    try:
        start = max(1, int(request_get.get("startIndex", 1)))
        count = min(MAX_COUNT, max(0, int(request_get.get("count", 100))))
    except ValueError:
        raise ScimError(400, "startIndex and count are numbers.", "invalidValue") from None
    return list(total_query[start - 1 : start - 1 + count]), start, total_query.count()


# --- representation -----------------------------------------------------------------------
def user_resource(person: Person, base: str) -> dict:
    user = person.user
    external = next((e.external_id for e in person.external_ids.all() if e.source == SOURCE), None)
    given, _sep, family = person.display_name.partition(" ")
    resource = {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "id": str(person.pk),
        "userName": user.username,
        "name": {"formatted": person.display_name, "givenName": given, "familyName": family},
        "displayName": person.display_name,
        "title": person.title,
        "active": person.is_active,
        "emails": [{"value": user.email, "type": "work", "primary": True}] if user.email else [],
        "preferredLanguage": person.language,
        "timezone": person.timezone,
        ENTERPRISE: {
            "department": person.unit.name,
            **(
                {
                    "manager": {
                        "value": str(person.manager_id),
                        "displayName": person.manager.display_name,
                    }
                }
                if person.manager_id
                else {}
            ),
        },
        "meta": {"resourceType": "User", "location": f"{base}/Users/{person.pk}"},
    }
    if external:
        resource["externalId"] = external
    return resource


def group_resource(unit: Unit, base: str, members: list[Person]) -> dict:
    return {
        "schemas": [GROUP_SCHEMA],
        "id": str(unit.pk),
        "displayName": unit.name,
        "members": [{"value": str(p.pk), "display": p.display_name} for p in members],
        "meta": {"resourceType": "Group", "location": f"{base}/Groups/{unit.pk}"},
    }


# --- reading a User body ------------------------------------------------------------------
@dataclass
class UserChanges:
    fields: dict
    external_id: str | None = None
    username: str | None = None


def _bool(value) -> bool:
    if isinstance(value, str):
        if value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ScimError(400, "active is true or false.", "invalidValue")
    return bool(value)


def _unit_named(name: str) -> Unit:
    units = list(Unit.objects.filter(name=name)[:2])
    if len(units) != 1:
        raise ScimError(400, f"No single unit is named {name!r}.", "invalidValue")
    return units[0]


def _manager(value) -> Person | None:
    if isinstance(value, dict):
        value = value.get("value")
    if value in (None, ""):
        return None
    manager = Person.objects.filter(pk=value).first() if str(value).isdigit() else None
    if manager is None:
        raise ScimError(400, "The manager is not a known user id.", "invalidValue")
    return manager


def _email(value) -> str:
    if isinstance(value, list):
        primary = next((e for e in value if e.get("primary")), value[0] if value else {})
        return (primary or {}).get("value", "")
    return str(value or "")


def _display_name(name: dict) -> str:
    if name.get("formatted"):
        return name["formatted"]
    return " ".join(p for p in (name.get("givenName"), name.get("familyName")) if p)


def _set_name(value, changes: UserChanges) -> None:
    if _display_name(value or {}):
        changes.fields["display_name"] = _display_name(value or {})


def _set_name_part(part: str):
    def setter(value, changes: UserChanges) -> None:
        changes.fields.setdefault("_name", {})[part] = str(value)

    return setter


def _set_field(field_name: str, convert=str):
    def setter(value, changes: UserChanges) -> None:
        changes.fields[field_name] = convert(value)

    return setter


def _set_username(value, changes: UserChanges) -> None:
    changes.username = str(value)


def _set_external_id(value, changes: UserChanges) -> None:
    changes.external_id = str(value)


def _set_language(value, changes: UserChanges) -> None:
    if value:
        changes.fields["language"] = "zh-hans" if str(value).lower().startswith("zh") else "en"


def _set_department(value, changes: UserChanges) -> None:
    if value:
        changes.fields["unit"] = _unit_named(str(value))


def _set_enterprise(value, changes: UserChanges) -> None:
    if isinstance(value, dict):
        for sub, sub_value in value.items():
            _apply_attribute(f"{ENTERPRISE}:{sub}", sub_value, changes)


# SCIM attribute paths (lower case: RFC 7644 compares them case-insensitively) → setters.
_SETTERS = {
    "active": _set_field("is_active", _bool),
    "username": _set_username,
    "externalid": _set_external_id,
    "displayname": _set_field("display_name"),
    "name": _set_name,
    "name.formatted": _set_field("display_name"),
    "name.givenname": _set_name_part("givenname"),
    "name.familyname": _set_name_part("familyname"),
    "title": _set_field("title", lambda v: str(v or "")),
    "emails": _set_field("email", _email),
    'emails[type eq "work"].value': _set_field("email", _email),
    "emails.value": _set_field("email", _email),
    "preferredlanguage": _set_language,
    f"{ENTERPRISE}:manager".lower(): _set_field("manager", _manager),
    f"{ENTERPRISE}:department".lower(): _set_department,
    ENTERPRISE.lower(): _set_enterprise,
}


def _apply_attribute(path: str, value, changes: UserChanges) -> None:
    """One attribute of a User, by its SCIM path; attributes Keel does not keep (phone
    numbers, addresses, roles ...) are ignored."""
    setter = _SETTERS.get(path.lower())
    if setter is not None:
        setter(value, changes)


def read_user(body: dict) -> UserChanges:
    changes = UserChanges(fields={})
    for key, value in body.items():
        if key in ("schemas", "id", "meta", "password", "groups"):
            continue
        _apply_attribute(key, value, changes)
    return changes


def read_patch(body: dict) -> UserChanges:
    if PATCH_SCHEMA not in (body.get("schemas") or []) or not isinstance(
        body.get("Operations"), list
    ):
        raise ScimError(400, "A PatchOp with Operations is expected.", "invalidSyntax")
    changes = UserChanges(fields={})
    for operation in body["Operations"]:
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, f"Unknown op {operation.get('op')!r}.", "invalidSyntax")
        value = None if op == "remove" else operation.get("value")
        path = operation.get("path")
        if path:
            _apply_attribute(path, value if op != "remove" else _removed(path), changes)
        elif isinstance(value, dict):
            for key, sub_value in value.items():
                _apply_attribute(key, sub_value, changes)
        else:
            raise ScimError(
                400, "An operation without a path needs an object value.", "invalidSyntax"
            )
    return changes


def _removed(path: str):
    return "" if path.lower() in ("title",) else None


# --- writes -------------------------------------------------------------------------------
def _finish_fields(person: Person | None, fields: dict) -> dict:
    parts = fields.pop("_name", None)
    if parts and "display_name" not in fields:
        given, _sep, family = (person.display_name if person else "").partition(" ")
        fields["display_name"] = " ".join(
            p for p in (parts.get("givenname", given), parts.get("familyname", family)) if p
        )
    return fields


def _link(person: Person, external_id: str | None) -> None:
    if external_id is None:
        return
    ExternalPerson.objects.filter(source=SOURCE, person=person).exclude(
        external_id=external_id
    ).delete()
    if (
        ExternalPerson.objects.filter(source=SOURCE, external_id=external_id)
        .exclude(person=person)
        .exists()
    ):
        raise ScimError(409, "Another user has this externalId.", "uniqueness")
    ExternalPerson.objects.get_or_create(source=SOURCE, external_id=external_id, person=person)


def _service_error(exc: ValidationError) -> ScimError:
    return ScimError(400, "; ".join(exc.messages), "invalidValue")


@transaction.atomic
def create_user(*, actor, body: dict, default_unit: Unit) -> Person:
    changes = read_user(body)
    if not changes.username:
        raise ScimError(400, "userName is required.", "invalidValue")
    if get_user_model().objects.filter(username__iexact=changes.username).exists():
        raise ScimError(409, "A user with this userName exists.", "uniqueness")
    fields = _finish_fields(None, changes.fields)
    active = fields.pop("is_active", True)
    manager = fields.pop("manager", None)
    try:
        with acting_as(actor), audit.changes_from(audit.SCIM):
            person = org_services.create_person(
                username=changes.username,
                display_name=fields.pop("display_name", "") or changes.username,
                unit=fields.pop("unit", default_unit),
                manager=manager,
                **fields,
            )
            if not active:
                org_services.deactivate_person(person=person)
            _link(person, changes.external_id)
    except ValidationError as exc:
        raise _service_error(exc) from None
    return person


@transaction.atomic
def change_user(*, actor, person: Person, changes: UserChanges) -> Person:
    if changes.username and changes.username != person.user.username:
        raise ScimError(400, "Keel does not rename users.", "mutability")
    fields = _finish_fields(person, changes.fields)
    try:
        with acting_as(actor), audit.changes_from(audit.SCIM):
            if fields:
                org_services.update_person(person=person, **fields)
            _link(person, changes.external_id)
    except ValidationError as exc:
        raise _service_error(exc) from None
    return person


@transaction.atomic
def deactivate_user(*, actor, person: Person) -> Person:
    with acting_as(actor), audit.changes_from(audit.SCIM):
        if person.is_active:
            org_services.deactivate_person(person=person)
    return person


@transaction.atomic
def create_group(*, actor, body: dict, parent: Unit) -> Unit:
    name = str(body.get("displayName") or "").strip()
    if not name:
        raise ScimError(400, "displayName is required.", "invalidValue")
    try:
        with acting_as(actor), audit.changes_from(audit.SCIM):
            unit = org_services.create_unit(name=name, kind=Unit.Kind.TEAM, parent=parent)
    except ValidationError as exc:
        raise _service_error(exc) from None
    _set_members(actor, unit, [m.get("value") for m in body.get("members") or []])
    return unit


def _set_members(actor, unit: Unit, ids: list) -> None:
    """Members added to a group move into that unit (a person is in one unit at a time)."""
    people = Person.objects.filter(pk__in=[i for i in ids if str(i).isdigit()])
    with acting_as(actor), audit.changes_from(audit.SCIM):
        for person in people:
            if person.unit_id != unit.pk:
                org_services.update_person(person=person, unit=unit)


@transaction.atomic
def patch_group(*, actor, unit: Unit, body: dict) -> Unit:
    if PATCH_SCHEMA not in (body.get("schemas") or []):
        raise ScimError(400, "A PatchOp with Operations is expected.", "invalidSyntax")
    for operation in body.get("Operations") or []:
        op = str(operation.get("op", "")).lower()
        path = str(operation.get("path") or "").lower()
        value = operation.get("value")
        if op in ("add", "replace") and path == "members":
            _set_members(actor, unit, [m.get("value") for m in value or []])
        elif op == "replace" and (path == "displayname" or (not path and isinstance(value, dict))):
            name = value if path else value.get("displayName")
            if name:
                with acting_as(actor), audit.changes_from(audit.SCIM):
                    org_services.update_unit(unit=unit, name=str(name))
        elif op == "remove" and path.startswith("members"):
            # Leaving a group does not leave the organisation: the person stays in the unit
            # until a group they are added to (or their department) says where they belong.
            continue
        else:
            raise ScimError(400, f"Unsupported group operation {op} {path}.", "invalidPath")
    return unit
