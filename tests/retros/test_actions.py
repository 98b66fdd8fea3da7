"""`available_actions(viewer, retrospective)` agrees with what the API allows: for each (state,
relation), every listed action succeeds through its endpoint and every other is refused; the
API carries the list and the page shows a button only for a listed action."""

from __future__ import annotations

import pytest
from django.db import transaction

from retros import permissions, services
from retros.models import Retrospective

pytestmark = pytest.mark.django_db


class _Undo(Exception):
    pass


def _perform(client, action: str, retro: Retrospective, improvement) -> int:
    url = f"/api/v1/retrospectives/{retro.pk}"
    requests = {
        "edit": lambda: client.patch(f"{url}/", {"what_worked": "Weekly pipeline reviews"}),
        "hold": lambda: client.post(f"{url}/hold/"),
        "publish": lambda: client.post(f"{url}/publish/"),
        "follow_through": lambda: client.post(
            f"/api/v1/retro-actions/{improvement.pk}/follow-through/", {"to": "goal"}
        ),
    }
    try:
        with transaction.atomic():
            code = requests[action]().status_code
            raise _Undo
    except _Undo:
        return code


@pytest.fixture
def prepared(company, retro, q4):
    services.update_retrospective(actor=company["bob"], retro=retro, reasons="Too few leads")
    improvement = services.add_improvement(
        actor=company["bob"],
        retro=retro,
        description="A playbook per segment",
        owner=company["alice"],
    )
    return retro, improvement


CASES = [
    ("draft", "bob", ["edit", "hold", "follow_through"]),  # the facilitator
    ("draft", "erin", ["edit"]),  # a participant
    ("draft", "alice", ["edit"]),  # the goal's owner
    ("draft", "carol", []),  # the HRBP reads only
    ("draft", "zed", ["edit", "hold", "follow_through"]),  # admin
    ("held", "bob", ["edit", "publish", "follow_through"]),
    ("held", "erin", ["edit"]),
    ("published", "bob", ["follow_through"]),
    ("published", "erin", []),
]


@pytest.mark.parametrize(("state", "who", "expected"), CASES)
def test_listed_actions_succeed_and_others_are_refused(
    api, company, prepared, state, who, expected
):
    retro, improvement = prepared
    Retrospective.objects.filter(pk=retro.pk).update(state=state)
    retro.refresh_from_db()
    viewer = company[who]
    assert permissions.available_actions(viewer, retro) == expected
    client = api.as_(viewer)
    assert client.get(f"/api/v1/retrospectives/{retro.pk}/").json()["available_actions"] == expected
    rows = client.get("/api/v1/retrospectives/").json()["results"]
    assert [r["available_actions"] for r in rows if r["id"] == retro.pk] == [expected]
    outcomes = {
        a: _perform(client, a, retro, improvement) for a in permissions.RETROSPECTIVE_ACTIONS
    }
    assert {a for a, code in outcomes.items() if 200 <= code < 300} == set(expected), outcomes
    assert all(code in (400, 403, 404) for a, code in outcomes.items() if a not in expected)


@pytest.mark.parametrize(
    ("state", "who", "shown"),
    [
        ("draft", "bob", {"hold", "edit", "follow_through"}),
        ("draft", "erin", {"edit"}),
        ("held", "bob", {"publish", "edit", "follow_through"}),
        ("published", "bob", {"follow_through"}),
        ("published", "erin", set()),
    ],
)
def test_page_shows_a_button_only_for_an_available_action(
    login, company, prepared, state, who, shown
):
    retro, improvement = prepared
    Retrospective.objects.filter(pk=retro.pk).update(state=state)
    page = login(company[who]).get(f"/retros/retrospectives/{retro.pk}/").content.decode()
    markers = {
        "hold": f"/retros/retrospectives/{retro.pk}/hold/",
        "publish": f"/retros/retrospectives/{retro.pk}/publish/",
        "edit": f"/retros/retrospectives/{retro.pk}/sections/",
        "follow_through": f"/retros/actions/{improvement.pk}/follow-through/",
    }
    assert {name for name, marker in markers.items() if marker in page} == shown
