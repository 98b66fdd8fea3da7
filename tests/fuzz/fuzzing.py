"""Schemathesis against /api/v1/schema/, in-process: every operation of the published schema,
as each main role, with a bounded number of generated requests (KEEL_FUZZ_EXAMPLES, default 3).

Every answer must be no 5xx, carry a status code the schema documents for that operation, the
documented content type, and a body that matches the documented schema. Requests are generated
from the schema (valid and deliberately invalid), and for operations on one object half of them
aim at an object that exists. Each request runs in a transaction rolled back afterwards, so
every request meets the organisation of tests/authz/world.py exactly as built.

The operations are split in two test modules (reads, writes) so that `pytest -n 2 --dist
loadfile` runs them side by side. Each writes the count of requests it sent at its end (stdout,
and appended to the file named by KEEL_FUZZ_SUMMARY when set): "fuzz examples run: N ..."."""

import json
import os
import time

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db import transaction
from django.test import override_settings
from django.urls import resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.conftest import ROLES

EXAMPLES = int(os.environ.get("KEEL_FUZZ_EXAMPLES", "3"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# The schema, as the running application publishes it (loaded once, at collection).
# (Served to signed-in people only; collection has nobody signed in, so it opens the docs.)
with override_settings(KEEL_PUBLIC_API_DOCS=True):
    SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())
# Test tokens only: show the requests as sent.
SCHEMA.config.output.sanitization.update(enabled=False)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
# The token endpoint takes no authentication: it is fuzzed once, signed out.
SIGNED_OUT = {"POST /api/v1/auth/token/"}


def cases(*, reads: bool):
    """(role, operation) for every GET operation (reads) or every other one (writes)."""
    return [
        pytest.param(role, op, id=f"{role}-{op.label}")
        for op in OPERATIONS
        if (op.method.upper() == "GET") == reads
        for role in (("anonymous",) if op.label in SIGNED_OUT else ROLES)
    ]


def new_run():
    return {"examples": 0, "tests": 0, "operations": set(), "roles": set(), "seconds": 0.0}


def _model_of(operation):
    """The model behind `{id}` in an operation's path (its viewset's queryset), or None."""
    if "{id}" not in operation.path:
        return None
    view = resolve(operation.path.replace("{id}", "1")).func
    queryset = getattr(getattr(view, "cls", None), "queryset", None)
    return None if queryset is None else queryset.model


def _strategy(operation):
    """Valid and invalid requests, and for an `{id}` operation valid ones at a real object."""
    valid = operation.as_strategy()
    invalid = operation.as_strategy(generation_mode=schemathesis.GenerationMode.NEGATIVE)
    strategies = [valid, invalid]
    model = _model_of(operation)
    if model is not None:
        pks = sorted(model.objects.values_list("pk", flat=True))
        if pks:

            def aimed(pair):
                case, pk = pair
                case.path_parameters = {**case.path_parameters, "id": pk}
                return case

            strategies.append(st.tuples(valid, st.sampled_from(pks)).map(aimed))
    return st.one_of(strategies)


def report(name, run):
    line = (
        f"fuzz examples run ({name}): {run['examples']} ({len(run['operations'])} operations x "
        f"{len(run['roles'])} roles, {run['tests']} tests, {run['seconds']:.1f} s)"
    )
    print(f"\n{line}")
    if path := os.environ.get("KEEL_FUZZ_SUMMARY"):
        summary = {**run, "operations": len(run["operations"]), "roles": sorted(run["roles"])}
        with open(path, "a") as f:
            f.write(json.dumps({"module": name, **summary}) + "\n")


def fuzz_operation(role, operation, world, wsgi_app, run):
    """Send up to EXAMPLES generated requests to one operation as one role; fail on the first
    answer a check refuses."""
    headers = {"Authorization": f"Token {world.tokens[role]}"} if role in ROLES else {}
    started = time.monotonic()
    examples = 0

    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_strategy(operation))
    def fuzz(case):
        nonlocal examples
        examples += 1
        with transaction.atomic():
            response = case.call(app=wsgi_app, headers=headers)
            transaction.set_rollback(True)
        case.validate_response(response, checks=CHECKS, headers=headers)

    try:
        fuzz()
    finally:
        run["examples"] += examples
        run["tests"] += 1
        run["operations"].add(operation.label)
        run["roles"].add(role)
        run["seconds"] += time.monotonic() - started
