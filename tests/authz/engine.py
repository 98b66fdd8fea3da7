"""The matrix engine: `play()` runs table rows (tests/authz/rows.py) for every relation against
the organisation of tests/authz/world.py and reports every mismatch at once.

Conventions asserted (DESIGN.md "Permission scopes"; STYLE.md §2):
- an object outside the viewer's scope answers 404 (reads and writes alike), never 403 and
  never 200 with its contents;
- a write on an object the viewer may see but not change answers 403 (PermissionDenied);
  where a service refuses with a domain rule instead (400, or a page re-rendering its form),
  the row says so explicitly in `refused`;
- anonymous API calls answer 401; anonymous pages redirect to the login page;
- a refused request (any of the above) changes nothing in the database;
- lists contain an object exactly for the relations that may see it (`Marker`);
- no response to any relation contains a text that relation may not read (world.secrets());
- an allowed write takes effect (`effect`), and an "own" action by anyone but Alice leaves
  her data alone (`own`).

Every request runs inside a savepoint that is rolled back afterwards, so each one meets the
organisation as built and the rows are independent of each other's order.
"""

from __future__ import annotations

import json
import os
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from rest_framework.test import APIClient

from tests.authz import world as W
from tests.authz.routes import route_key
from tests.authz.rows import Act, build_path, resolve_value
from tests.authz.snapshot import diff_tables, fingerprint, subject_fingerprint
from tests.authz.world import ANON, SELF, SIGNED_IN

LOGIN_PREFIX = "/login/"
TEXT_TYPES = ("text/", "application/json")


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


# --- test helpers --------------------------------------------------------------------------
def groups(table: dict, size: int = 6) -> list:
    """The table's keys in groups of `size`: one test (one organisation built) per group."""
    keys = list(table)
    return [
        pytest.param(keys[i : i + size], id=f"{keys[i]}+{len(keys[i : i + size]) - 1}")
        for i in range(0, len(keys), size)
    ]


def play(world, table: dict, keys: list[str]) -> None:
    """Play the rows of `keys`, then fail listing every mismatch. With KEEL_AUTHZ_STATS set to
    a file name, the counts of requests and assertions are appended to it (one JSON line)."""
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
