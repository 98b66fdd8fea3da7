"""`available_actions(viewer, award)` agrees with what the API allows: for each (state,
relation), every listed action succeeds and every other is refused; the API carries the list
and the award page shows a button only for a listed action."""

from __future__ import annotations

import pytest
from django.db import transaction

from incentives import permissions
from tests.incentives.factories import make_award, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def champion(company):
    return make_rule(
        company["acme"],
        "recognition",
        {"metric": "attainment", "top_n": 1, "title": "Weekly champion"},
    )


class _Undo(Exception):
    pass


def _perform(client, action: str, award) -> int:
    try:
        with transaction.atomic():
            code = client.post(f"/api/v1/awards/{award.pk}/{action}/").status_code
            raise _Undo
    except _Undo:
        return code


CASES = [
    ("proposed", "carol", ["approve"]),  # the HRBP of alice's unit
    ("proposed", "zed", ["approve"]),  # admin
    ("proposed", "bob", []),  # her manager sees it, does not decide
    ("proposed", "alice", []),  # never one's own
    ("approved", "carol", ["publish"]),
    ("approved", "alice", []),
    ("published", "carol", []),
]


@pytest.mark.parametrize(("state", "who", "expected"), CASES)
def test_listed_actions_succeed_and_others_are_refused(
    api, company, champion, state, who, expected
):
    award = make_award(champion, company["alice"], state=state)
    viewer = company[who]
    assert permissions.available_actions(viewer, award) == expected
    client = api.as_(viewer)
    assert client.get(f"/api/v1/awards/{award.pk}/").json()["available_actions"] == expected
    rows = client.get("/api/v1/awards/").json()["results"]
    assert [r["available_actions"] for r in rows if r["id"] == award.pk] == [expected]
    outcomes = {a: _perform(client, a, award) for a in permissions.AWARD_ACTIONS}
    assert {a for a, code in outcomes.items() if code == 200} == set(expected), outcomes
    assert all(code in (400, 403, 404) for a, code in outcomes.items() if a not in expected)


@pytest.mark.parametrize(
    ("state", "who", "shown"),
    [
        ("proposed", "carol", {"approve"}),
        ("approved", "carol", {"publish"}),
        ("proposed", "alice", set()),
        ("published", "carol", set()),
    ],
)
def test_page_shows_a_button_only_for_an_available_action(
    login, company, champion, state, who, shown
):
    award = make_award(champion, company["alice"], state=state)
    page = login(company[who]).get(f"/incentives/awards/{award.pk}/").content.decode()
    found = {a for a in permissions.AWARD_ACTIONS if f"/incentives/awards/{award.pk}/{a}/" in page}
    assert found == shown
