"""`available_actions(viewer, request)` agrees with what the API allows: for each (state,
relation), every listed action succeeds and every other is refused; the API carries the list
and the request's page shows a control only for a listed action."""

from __future__ import annotations

import pytest
from django.db import transaction

from resources import permissions, services

pytestmark = pytest.mark.django_db

BODIES = {
    "approve": {},
    "reject": {"comment": "No budget left this quarter"},
    "fulfil": {"spent_amount": "900"},
    "withdraw": {},
}


class _Undo(Exception):
    pass


def _perform(client, action: str, obj) -> int:
    try:
        with transaction.atomic():
            url = f"/api/v1/resource-requests/{obj.pk}/{action}/"
            code = client.post(url, BODIES[action], format="json").status_code
            raise _Undo
    except _Undo:
        return code


def _request(world, make_request, state: str, cross_unit: bool):
    obj = make_request(world["alice"], unit=world["marketing"] if cross_unit else world["sales"])
    decider = world["mia"] if cross_unit else world["bob"]
    if state == "approved":
        obj = services.approve_request(actor=decider, request=obj)
    elif state == "rejected":
        obj = services.reject_request(actor=decider, request=obj, comment="Not now")
    return obj


CASES = [
    ("submitted", False, "alice", ["withdraw"]),  # the requester
    ("submitted", False, "bob", ["approve", "reject"]),  # her manager decides
    ("submitted", False, "zed", ["approve", "reject"]),  # admin
    ("submitted", False, "carol", []),  # the HRBP follows
    ("approved", False, "bob", ["fulfil"]),
    ("approved", False, "alice", []),
    ("rejected", False, "bob", []),
    ("submitted", True, "mia", ["approve", "reject"]),  # the addressed unit's head
    ("submitted", True, "bob", []),  # cross-department: not the manager's to decide
]


@pytest.mark.parametrize(("state", "cross_unit", "who", "expected"), CASES)
def test_listed_actions_succeed_and_others_are_refused(
    api, world, make_request, state, cross_unit, who, expected
):
    obj = _request(world, make_request, state, cross_unit)
    viewer = world[who]
    assert permissions.available_actions(viewer, obj) == expected
    client = api.as_(viewer)
    assert client.get(f"/api/v1/resource-requests/{obj.pk}/").json()["available_actions"] == (
        expected
    )
    rows = client.get("/api/v1/resource-requests/").json()["results"]
    assert [r["available_actions"] for r in rows if r["id"] == obj.pk] == [expected]
    outcomes = {a: _perform(client, a, obj) for a in permissions.REQUEST_ACTIONS}
    assert {a for a, code in outcomes.items() if code == 200} == set(expected), outcomes
    assert all(code in (400, 403, 404) for a, code in outcomes.items() if a not in expected)


@pytest.mark.parametrize(
    ("state", "who", "decide", "withdraw"),
    [
        ("submitted", "alice", False, True),
        ("submitted", "bob", True, False),
        ("approved", "bob", True, False),
        ("approved", "alice", False, False),
        ("rejected", "bob", False, False),
    ],
)
def test_page_shows_a_control_only_for_an_available_action(
    login, world, make_request, state, who, decide, withdraw
):
    obj = _request(world, make_request, state, False)
    page = login(world[who]).get(f"/tracking/requests/{obj.pk}/").content.decode()
    assert (f"/tracking/requests/{obj.pk}/withdraw/" in page) == withdraw
    assert (f"#request-{obj.pk}" in page) == decide
