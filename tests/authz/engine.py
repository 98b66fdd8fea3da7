"""The matrix engine: table rows (`Act`), the shared relation sets, and `run()` which plays
every row for every relation against the organisation of tests/authz/world.py.

Conventions asserted (DESIGN.md "Permission scopes"; STYLE.md §2):
- an object outside the viewer's scope answers 404 (reads and writes alike), never 403 and
  never 200 with its contents;
- a write on an object the viewer may see but not change answers 403 (PermissionDenied);
  where a service refuses with a domain rule instead (400, or a page re-rendering its form),
  the row says so explicitly in `refused`;
- anonymous API calls answer 401; anonymous pages redirect to the login page;
- a refused request (any of the above) changes nothing in the database;
- lists contain an object exactly for the relations that may see it (`Marker`);
- no response to any relation contains a text that relation may not read (world.SECRETS).

Every request runs inside a savepoint that is rolled back afterwards, so each one meets the
organisation as built and the rows are independent of each other's order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.urls import resolve
from rest_framework.test import APIClient

from tests.authz import world as W
from tests.authz.world import (
    ADMIN,
    ANON,
    HRBP,
    HRBP_OTHER,
    MANAGER,
    PEER,
    SELF,
    SIGNED_IN,
    SKIP,
)

# --- the shared rules, once ------------------------------------------------------------------
EVERYONE = frozenset(SIGNED_IN)
NOBODY = frozenset()
# Alice, everyone above her, the HRBP of her unit and admins: who follows her work.
MANAGER_CHAIN = frozenset({SELF, MANAGER, SKIP, HRBP, ADMIN})
# Who decides for her: her manager chain and admins (never herself).
ABOVE = frozenset({MANAGER, SKIP, ADMIN})
# The owner and those who may act as the owner's manager.
OWNER_AND_ABOVE = ABOVE | {SELF}
# Her manager chain and her HRBP: who give feedback (an admin outside her chain does not).
COACHES = frozenset({MANAGER, SKIP, HRBP})
# HR decisions on her (awards): her HRBP and admins.
HR = frozenset({HRBP, ADMIN})
# Anyone with an HRBP assignment, and admins.
ANY_HR = frozenset({HRBP, HRBP_OTHER, ADMIN})
# Goal visibility.
PUBLIC = EVERYONE
UNIT_VISIBLE = MANAGER_CHAIN | {PEER}
PRIVATE = MANAGER_CHAIN
ONLY_SELF = frozenset({SELF})
ONLY_ADMIN = frozenset({ADMIN})
# Heads of her unit or above, and admins (budgets, team pages).
HEADS = frozenset({MANAGER, SKIP, ADMIN})
MANAGERS = frozenset({MANAGER, SKIP})

LOGIN_PREFIX = "/login/"
TEXT_TYPES = ("text/", "application/json")


@dataclass(frozen=True)
class Marker:
    """An object in a list: `value(world)` is an id (API lists: the `id` of a row) or a text
    (pages: found in the HTML). `present` must find it; everyone outside `visible` (default:
    `present`) must not."""

    value: Callable[[W.World], object] | str
    present: frozenset
    visible: frozenset | None = None

    def resolve(self, world) -> object:
        return resolve_value(world, self.value)


@dataclass(frozen=True)
class Act:
    """One action on one URL pattern. `path` and `data` may name fixture objects as `{name}` in
    the path and `"@name"` in the data (their primary keys)."""

    action: str
    path: str | Callable[[W.World], str]
    method: str = "get"
    data: Mapping | Callable[[W.World], Mapping] | None = None
    allowed: frozenset = EVERYONE
    # Who may see the object acted on: refused inside 403, outside 404 (default: reads 404,
    # writes 403).
    sees: frozenset | None = None
    # The status every refused relation gets, when not the rule above (role pages: 403).
    denied: int | None = None
    # Domain-rule refusals with their own status, per relation ({SELF: 400}).
    refused: Mapping[str, int] = field(default_factory=dict)
    markers: tuple[Marker, ...] = ()
    # (predicate(response), relations for which it must hold; false for the other allowed).
    reveals: tuple[Callable, frozenset] | None = None
    # An object named in the body that the caller may not see (outside `sees`) is refused
    # with these words, the same as for an id that does not exist (no existence oracle).
    unknown: str | None = None
    # Acts on the caller's own data: for any caller but Alice her data stays as it was.
    own: bool = False
    htmx: bool = False
    # Statuses an allowed relation may get (default: 2xx, or 3xx not to the login page).
    ok: tuple[int, ...] | None = None
    # An allowed write changes the database (default for every method but GET); False for
    # previews and idempotent no-ops.
    effect: bool | None = None

    @property
    def is_read(self) -> bool:
        return self.method == "get"

    def expected_refusal(self, relation: str) -> int:
        if relation in self.refused:
            return self.refused[relation]
        if self.denied is not None:
            return self.denied
        if self.sees is not None:
            return 403 if relation in self.sees else 404
        return 404 if self.is_read else 403


def unknown_for(visible) -> dict:
    """Refusals of a request naming, in its body, an object the caller may not see: 400 as
    unknown, as DRF answers for any primary key that does not exist."""
    return {relation: 400 for relation in SIGNED_IN if relation not in visible}


def resolve_value(world, value, relation=None):
    """Fixture names to primary keys: "@name" (an object, unit or username), "@me" (the
    caller's person); callables get the world."""
    if callable(value):
        return value(world)
    if value == "@me":
        return world.people[relation].pk if relation in world.people else None
    if isinstance(value, str) and value.startswith("@"):
        return world.pk(value[1:])
    if isinstance(value, dict):
        return {k: resolve_value(world, v, relation) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve_value(world, v, relation) for v in value]
    return value


def build_path(world, path) -> str:
    if callable(path):
        return path(world)
    return path.format_map(_Pks(world))


class _Pks(dict):
    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, key):
        return self.world.pk(key)


# --- the database seen from outside --------------------------------------------------------
_APP_LABELS = ("org", "goals", "tracking", "incentives", "retros", "notifications")


def _tables() -> list[tuple[str, str, str]]:
    rows = []
    for label in _APP_LABELS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed:
                continue
            columns = ", ".join(f'"{f.column}"' for f in model._meta.concrete_fields)
            rows.append((model._meta.db_table, columns, model._meta.pk.column))
    user = get_user_model()
    columns = ", ".join(
        f'"{f.column}"' for f in user._meta.concrete_fields if f.name != "last_login"
    )
    rows.append((user._meta.db_table, columns, user._meta.pk.column))
    return rows


def fingerprint() -> list:
    """Every row of every Keel table (and the users, without last_login)."""
    out = []
    with connection.cursor() as cursor:
        for table, columns, pk in _TABLES or _tables():
            cursor.execute(f'SELECT {columns} FROM "{table}" ORDER BY "{pk}"')
            out.append((table, cursor.fetchall()))
    return out


_TABLES: list = []


def subject_fingerprint(world) -> list:
    """Alice's own rows across the apps (what someone else's 'own' action must not touch)."""
    queries = getattr(world, "_subject_sql", None)
    if queries is None:
        queries = world._subject_sql = [qs.query.sql_with_params() for qs in _subject_rows(world)]
    out = []
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
    return out


def _subject_rows(world):
    from goals.models import Goal, KeyResult
    from incentives.models import Award
    from notifications.models import Notification, ReminderSchedule
    from retros.models import Lesson
    from tracking.models import CheckIn, KeyResultUpdate, ResourceRequest

    alice = world.alice
    parts = [
        Goal.objects.filter(owner_person=alice),
        KeyResult.objects.filter(goal__owner_person=alice),
        CheckIn.objects.filter(person=alice),
        KeyResultUpdate.objects.filter(check_in__person=alice),
        ResourceRequest.objects.filter(requester=alice),
        Award.objects.filter(person=alice),
        Notification.objects.filter(recipient=alice),
        ReminderSchedule.objects.filter(person=alice),
        Lesson.objects.filter(author=alice),
    ]
    return [qs.order_by("pk").values_list() for qs in parts]


def diff_tables(before, after) -> list[str]:
    changed = []
    for (table, rows_before), (_t, rows_after) in zip(before, after, strict=True):
        if rows_before != rows_after:
            changed.append(f"{table} ({len(rows_before)}→{len(rows_after)} rows)")
    return changed


# --- clients -------------------------------------------------------------------------------
class Clients:
    """One page client per relation, signed in once per test, and one API client per
    relation authenticated per request with a fresh user (nothing cached on a Person leaks
    between requests). The client objects live for the whole process: each loads the
    middleware once (WhiteNoise scans the static files when it starts)."""

    _pages: dict = {}
    _apis: dict = {}

    def __init__(self, world):
        self.world = world
        self.pages = self._pages
        for relation in (*SIGNED_IN, ANON):
            client = self._pages.setdefault(relation, Client())
            client.cookies.clear()
            if relation != ANON:
                client.force_login(world.people[relation].user)

    def api(self, relation) -> APIClient:
        client = self._apis.setdefault(relation, APIClient())
        user = None
        if relation != ANON:
            user = get_user_model().objects.get(pk=self.world.people[relation].user_id)
        client.force_authenticate(user=user)
        return client


# --- playing the table ---------------------------------------------------------------------
def _body(response) -> str:
    content_type = response.get("Content-Type", "")
    if not content_type.startswith(TEXT_TYPES):
        return ""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _json(response):
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def _ids(payload) -> set:
    rows = payload.get("results", payload) if isinstance(payload, dict) else payload
    if not isinstance(rows, list):
        return set()
    return {row.get("id") for row in rows if isinstance(row, dict)}


def _found(is_api: bool, response, body: str, value) -> bool:
    if is_api and isinstance(value, int):
        return value in _ids(_json(response))
    return str(value) in body


class Run:
    """Collects every mismatch of a group of table entries, to report them all at once."""

    def __init__(self, world):
        self.world = world
        self.clients = Clients(world)
        self.failures: list[str] = []
        self.requests = 0
        self.assertions = 0
        global _TABLES
        _TABLES = _TABLES or _tables()
        self.baseline = fingerprint()
        self.subject = subject_fingerprint(world)
        self.secrets = W.secrets()

    def fail(self, key, act, relation, message):
        self.failures.append(f"{key} [{act.action}] as {relation}: {message}")

    def check(self, ok: bool, key, act, relation, message):
        self.assertions += 1
        if not ok:
            self.fail(key, act, relation, message)

    def play(self, key: str, acts: list[Act]) -> None:
        for act in acts:
            path = build_path(self.world, act.path)
            self.check(
                route_key(path) == key,
                key,
                act,
                "-",
                f"{path} resolves to {route_key(path)!r}",
            )
            for relation in (*SIGNED_IN, ANON):
                self._one(key, act, path, relation)

    def _request(self, act, path, relation):
        is_api = path.startswith("/api/")
        data = resolve_value(self.world, act.data, relation) if act.data is not None else None
        extra = {"HTTP_HX_REQUEST": "true"} if act.htmx else {}
        if is_api:
            client = self.clients.api(relation)
            call = getattr(client, act.method)
            if act.method == "get":
                return call(path, data or {}, **extra)
            return call(path, data, format="json", **extra)
        client = self.clients.pages[relation]
        call = getattr(client, act.method)
        try:
            return call(path, data or {}, **extra)
        finally:
            client.cookies.pop("messages", None)

    def _one(self, key, act, path, relation):
        is_api = path.startswith("/api/")
        sid = transaction.savepoint()
        try:
            self.requests += 1
            try:
                response = self._request(act, path, relation)
            except Exception as exc:  # a 500: the view raised
                self.fail(key, act, relation, f"raised {exc.__class__.__name__}: {exc}")
                return
            self._judge(key, act, relation, is_api, response)
        finally:
            transaction.savepoint_rollback(sid)

    def _judge(self, key, act, relation, is_api, response):
        status = response.status_code
        body = _body(response)
        where = f"{act.method.upper()} → {status}"
        for text, readers in self.secrets:
            if relation not in readers:
                self.check(text not in body, key, act, relation, f"{where} shows {text!r}")
        if relation == ANON:
            if is_api:
                self.check(status == 401, key, act, relation, f"{where}, expected 401")
            else:
                location = response.get("Location", "")
                self.check(
                    status == 302 and location.startswith(LOGIN_PREFIX),
                    key,
                    act,
                    relation,
                    f"{where} ({location}), expected a redirect to the login page",
                )
            self._unchanged(key, act, relation, where)
            return
        if relation in act.allowed:
            self._allowed(key, act, relation, is_api, response, body, where)
        else:
            expected = act.expected_refusal(relation)
            self.check(status == expected, key, act, relation, f"{where}, expected {expected}")
            if act.unknown and act.sees is not None and relation not in act.sees:
                self.check(
                    act.unknown in body,
                    key,
                    act,
                    relation,
                    f"{where}: {body[:200]!r} does not say {act.unknown!r} as for a missing id",
                )
            self._unchanged(key, act, relation, where)

    def _allowed(self, key, act, relation, is_api, response, body, where):
        status = response.status_code
        if act.ok is not None:
            good = status in act.ok
        else:
            good = 200 <= status < 300 or (
                300 <= status < 400 and not response.get("Location", "").startswith(LOGIN_PREFIX)
            )
        detail = body[:300] if not good else ""
        self.check(good, key, act, relation, f"{where}, expected success {detail}")
        if not good:
            return
        for marker in act.markers:
            found = _found(is_api, response, body, marker.resolve(self.world))
            visible = marker.visible if marker.visible is not None else marker.present
            if relation in marker.present:
                self.check(found, key, act, relation, f"{where}: {marker.value!r} missing")
            elif relation not in visible:
                self.check(not found, key, act, relation, f"{where}: {marker.value!r} listed")
        if act.reveals is not None:
            predicate, readers = act.reveals
            shown = bool(predicate(response))
            self.check(
                shown == (relation in readers),
                key,
                act,
                relation,
                f"{where}: reveals={shown}, expected {relation in readers}",
            )
        if act.effect if act.effect is not None else not act.is_read:
            self.check(
                fingerprint() != self.baseline,
                key,
                act,
                relation,
                f"{where} but nothing was written",
            )
        if act.own and relation != SELF:
            self.check(
                subject_fingerprint(self.world) == self.subject,
                key,
                act,
                relation,
                f"{where}: changed Alice's data",
            )

    def _unchanged(self, key, act, relation, where):
        after = fingerprint()
        changed = diff_tables(self.baseline, after) if after != self.baseline else []
        self.check(not changed, key, act, relation, f"{where} but changed {changed}")

    def report(self) -> None:
        assert not self.failures, f"{len(self.failures)} mismatches:\n" + "\n".join(self.failures)


# --- the resolver --------------------------------------------------------------------------
def route_key(path: str) -> str:
    """The table key of the URL pattern a path resolves to: its view name, made unique with
    the route where two patterns share a name (the API's and the directory's person-detail)."""
    match = resolve(path.split("?", 1)[0])
    return table_key(match.view_name, match.route)


_DUPLICATES: set[str] | None = None


def duplicate_names() -> set[str]:
    global _DUPLICATES
    if _DUPLICATES is None:
        from collections import Counter

        counts = Counter(key for key, _route, _cb in walk_patterns())
        _DUPLICATES = {name for name, n in counts.items() if n > 1}
    return _DUPLICATES


def walk_patterns():
    """(view name, route, callback) of every URL pattern in config/urls.py."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                name = p.name and (f"{namespace}:{p.name}" if namespace else p.name)
                yield name, prefix + str(p.pattern), p.callback

    yield from walk(get_resolver().url_patterns, "", None)


def table_key(name: str, route: str) -> str:
    if name not in duplicate_names():
        return name
    return f"{name} (api)" if route.lstrip("^").startswith("api/") else f"{name} (page)"


# --- test helpers --------------------------------------------------------------------------
def groups(table: dict, size: int = 6) -> list:
    """The table's keys in groups of `size`: one test (one organisation built) per group."""
    import pytest

    keys = list(table)
    return [
        pytest.param(keys[i : i + size], id=f"{keys[i]}+{len(keys[i : i + size]) - 1}")
        for i in range(0, len(keys), size)
    ]


def play(world, table: dict, keys: list[str]) -> None:
    """Play the rows of `keys`, then fail listing every mismatch. With KEEL_AUTHZ_STATS set to
    a file name, the counts of requests and assertions are appended to it (one JSON line)."""
    import os
    import time

    started = time.process_time()
    run = Run(world)
    for key in keys:
        run.play(key, table[key])
    stats = os.environ.get("KEEL_AUTHZ_STATS")
    if stats:
        with open(stats, "a", encoding="utf-8") as out:
            row = {
                "keys": keys,
                "requests": run.requests,
                "assertions": run.assertions,
                "cpu_seconds": round(time.process_time() - started, 2),
            }
            out.write(json.dumps(row) + "\n")
    run.report()
