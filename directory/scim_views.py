"""The SCIM 2.0 endpoints under /scim/v2/: thin views over directory/scim.py, authenticated by
a service account's token with the `scim` scope (`Authorization: Bearer <key>`)."""

from __future__ import annotations

import json
from functools import wraps

from django.db.models import Prefetch
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from directory import scim
from directory.models import ExternalPerson
from org import tokens
from org.models import Person, Unit

CONTENT_TYPE = "application/scim+json"


def _answer(body: dict | None, status: int = 200) -> JsonResponse:
    response = JsonResponse(body or {}, status=status, content_type=CONTENT_TYPE)
    if body is None:
        response.content = b""
    return response


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/scim/v2").rstrip("/")


def scim_endpoint(methods: tuple[str, ...]):
    def decorate(view):
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            header = request.headers.get("Authorization", "")
            key = header[7:].strip() if header[:7].lower() == "bearer " else ""
            account = tokens.authenticate_service_key(key, scope="scim") if key else None
            if account is None:
                error = scim.ScimError(401, "A service account token with the scim scope.")
                response = _answer(error.body(), 401)
                response["WWW-Authenticate"] = 'Bearer realm="scim"'
                return response
            if request.method not in methods:
                return _answer(scim.ScimError(405, "Method not allowed.").body(), 405)
            try:
                body = json.loads(request.body or b"{}") if request.method != "GET" else {}
                if not isinstance(body, dict):
                    raise ValueError
            except ValueError:
                return _answer(
                    scim.ScimError(400, "The body is not JSON.", "invalidSyntax").body(), 400
                )
            try:
                return view(request, account.user, body, *args, **kwargs)
            except scim.ScimError as error:
                return _answer(error.body(), error.status)

        return wrapper

    return decorate


def _people():
    return Person.objects.select_related("user", "unit", "manager").prefetch_related(
        Prefetch("external_ids", queryset=ExternalPerson.objects.filter(source=scim.SOURCE))
    )


def _person(pk: str) -> Person:
    person = _people().filter(pk=pk).first() if str(pk).isdigit() else None
    if person is None:
        raise scim.ScimError(404, "No such user.")
    return person


def _root() -> Unit:
    root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    if root is None:
        raise scim.ScimError(409, "The organisation has no top unit yet.")
    return root


def _list(resources: list[dict], start: int, total: int) -> JsonResponse:
    return _answer(
        {
            "schemas": [scim.LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


@scim_endpoint(("GET",))
def service_provider_config(request, actor, body):
    return _answer(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": scim.MAX_COUNT},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {"type": "oauthbearertoken", "name": "Bearer token", "primary": True}
            ],
        }
    )


@scim_endpoint(("GET", "POST"))
def users(request, actor, body):
    if request.method == "POST":
        person = scim.create_user(actor=actor, body=body, default_unit=_root())
        return _answer(scim.user_resource(_person(person.pk), _base(request)), 201)
    people = _people().order_by("pk")
    if request.GET.get("filter"):
        people = scim.filter_people(people, request.GET["filter"])
    found, start, total = scim.page(request.GET, people)
    return _list([scim.user_resource(p, _base(request)) for p in found], start, total)


@scim_endpoint(("GET", "PUT", "PATCH", "DELETE"))
def user(request, actor, body, pk: str):
    person = _person(pk)
    if request.method == "DELETE":
        scim.deactivate_user(actor=actor, person=person)
        return _answer(None, 204)
    if request.method == "PUT":
        changes = scim.read_user(body)
        changes.fields.setdefault("is_active", True)
        scim.change_user(actor=actor, person=person, changes=changes)
    elif request.method == "PATCH":
        scim.change_user(actor=actor, person=person, changes=scim.read_patch(body))
    return _answer(scim.user_resource(_person(pk), _base(request)))


def _unit(pk: str) -> Unit:
    unit = Unit.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    if unit is None:
        raise scim.ScimError(404, "No such group.")
    return unit


def _members(units: list[Unit]) -> dict[int, list[Person]]:
    found: dict[int, list[Person]] = {u.pk: [] for u in units}
    for person in Person.objects.filter(unit__in=units, is_active=True).order_by("pk"):
        found[person.unit_id].append(person)
    return found


@scim_endpoint(("GET", "POST"))
def groups(request, actor, body):
    if request.method == "POST":
        unit = scim.create_group(actor=actor, body=body, parent=_root())
        return _answer(scim.group_resource(unit, _base(request), _members([unit])[unit.pk]), 201)
    units = Unit.objects.order_by("pk")
    if request.GET.get("filter"):
        units = scim.filter_units(units, request.GET["filter"])
    found, start, total = scim.page(request.GET, units)
    excluded = "members" in request.GET.get("excludedAttributes", "")
    members = {} if excluded else _members(found)
    resources = [scim.group_resource(u, _base(request), members.get(u.pk, [])) for u in found]
    return _list(resources, start, total)


@scim_endpoint(("GET", "PATCH"))
def group(request, actor, body, pk: str):
    unit = _unit(pk)
    if request.method == "PATCH":
        scim.patch_group(actor=actor, unit=unit, body=body)
        unit = _unit(pk)
    return _answer(scim.group_resource(unit, _base(request), _members([unit])[unit.pk]))
