"""`available_actions(viewer, goal)` agrees with what the API actually allows: for each (state,
relation) below, every listed action succeeds when performed through its endpoint and every
other one is refused; the goal's API shape carries the list and the goal page shows a button
only for a listed action."""

from __future__ import annotations

import pytest
from django.db import transaction

from goals import permissions
from goals.models import Cycle, Goal

pytestmark = pytest.mark.django_db

ALL = permissions.GOAL_ACTIONS


class _Undo(Exception):
    """Raised inside a savepoint to roll the performed action back."""


def _perform(client, action: str, goal: Goal, viewer) -> int:
    """Do `action` through the API as `client` and answer the status code."""
    url = f"/api/v1/goals/{goal.pk}"
    kr = goal.key_results.get()
    requests = {
        permissions.EDIT: lambda: client.patch(
            f"{url}/", {"version": goal.version, "title": "Win 46 new customers"}, format="json"
        ),
        permissions.PROPOSE: lambda: client.post(f"{url}/propose/"),
        permissions.AGREE: lambda: client.post(f"{url}/agree/"),
        permissions.RETURN: lambda: client.post(f"{url}/return/", {"comment": "Aim for 50"}),
        permissions.COUNTER_PROPOSE: lambda: client.post(
            f"{url}/counter-propose/",
            {"comment": "40 is realistic", "targets": {str(kr.pk): "40"}},
            format="json",
        ),
        permissions.CLOSE: lambda: client.post(f"{url}/close/", {"score": 0.5}),
        permissions.SELF_SCORE: lambda: client.post(f"{url}/score/", {"self_score": 0.6}),
        permissions.MANAGER_SCORE: lambda: client.post(f"{url}/score/", {"manager_score": 0.6}),
        permissions.CASCADE: lambda: client.post(
            f"{url}/cascade/",
            {
                "key_result": kr.pk,
                "split": "equal",
                "children": [{"owner_person": viewer.pk}],
                "dry_run": True,
            },
            format="json",
        ),
        permissions.ADJUST: lambda: client.post(
            "/api/v1/adjustments/",
            {"key_result": kr.pk, "new_target": "50", "reason": "market", "evidence": "A rival"},
        ),
        permissions.MEASURE: lambda: client.post(
            f"/api/v1/key-results/{kr.pk}/measurements/", {"value": "12"}
        ),
    }
    try:
        with transaction.atomic():
            code = requests[action]().status_code
            raise _Undo
    except _Undo:
        return code


# (goal state, who proposed it, cycle state, viewer) → the actions that viewer has.
CASES = [
    ("draft", None, "active", "alice", ["edit", "propose", "cascade", "measure"]),
    ("draft", None, "active", "bob", ["edit", "propose", "cascade", "measure"]),
    ("draft", None, "active", "erin", []),  # a peer sees the public goal, does nothing
    ("draft", None, "active", "carol", []),  # the HRBP follows, does not act
    ("returned", None, "active", "alice", ["edit", "propose", "cascade", "measure"]),
    ("proposed", "alice", "active", "alice", ["cascade", "measure"]),
    ("proposed", "alice", "active", "bob", ["edit", "agree", "return", "cascade", "measure"]),
    ("proposed", "alice", "active", "zed", ["edit", "agree", "return", "cascade", "measure"]),
    ("proposed", "bob", "active", "alice", ["agree", "counter_propose", "cascade", "measure"]),
    ("proposed", "bob", "active", "bob", ["edit", "cascade", "measure"]),
    ("agreed", "alice", "active", "alice", ["cascade", "adjust", "measure"]),
    ("agreed", "alice", "active", "bob", ["close", "cascade", "adjust", "measure"]),
    ("agreed", "alice", "scoring", "alice", ["self_score", "cascade", "adjust", "measure"]),
    (
        "agreed",
        "alice",
        "scoring",
        "bob",
        ["close", "manager_score", "cascade", "adjust", "measure"],
    ),
    ("agreed", "alice", "closed", "bob", []),
    ("closed", "alice", "active", "bob", []),
]


def _goal(company, make_goal, quarter, state, proposed_by, cycle_state) -> Goal:
    goal = make_goal(company["alice"], state=state)
    initiator = company[proposed_by] if proposed_by else None
    Goal.objects.filter(pk=goal.pk).update(initiated_by=initiator)
    Cycle.objects.filter(pk=quarter.pk).update(state=cycle_state)
    return Goal.objects.select_related("cycle", "owner_person", "owner_unit").get(pk=goal.pk)


@pytest.mark.parametrize(("state", "proposed_by", "cycle_state", "who", "expected"), CASES)
def test_listed_actions_succeed_and_others_are_refused(
    api, company, make_goal, quarter, state, proposed_by, cycle_state, who, expected
):
    goal = _goal(company, make_goal, quarter, state, proposed_by, cycle_state)
    viewer = company[who]
    assert permissions.available_actions(viewer, goal) == expected
    client = api.as_(viewer)
    assert client.get(f"/api/v1/goals/{goal.pk}/").data["available_actions"] == expected
    outcomes = {action: _perform(client, action, goal, viewer) for action in ALL}
    assert {a for a, code in outcomes.items() if 200 <= code < 300} == set(expected), outcomes
    assert all(code in (400, 403, 404) for a, code in outcomes.items() if a not in expected)


def test_list_carries_each_goals_actions(api, company, make_goal):
    alice, bob = company["alice"], company["bob"]
    draft = make_goal(alice, title="Draft goal")
    agreed = make_goal(alice, title="Agreed goal", state=Goal.State.AGREED)
    rows = {r["id"]: r for r in api.as_(bob).get("/api/v1/goals/").data["results"]}
    assert rows[draft.pk]["available_actions"] == ["edit", "propose", "cascade", "measure"]
    assert rows[agreed.pk]["available_actions"] == ["close", "cascade", "adjust", "measure"]
    rows = {r["id"]: r for r in api.as_(company["erin"]).get("/api/v1/goals/").data["results"]}
    assert rows[draft.pk]["available_actions"] == []


def test_actions_field_is_documented(api, company):
    schema = api.as_(company["alice"]).get("/api/v1/schema/?format=json").json()
    field = schema["components"]["schemas"]["Goal"]["properties"]["available_actions"]
    assert field["type"] == "array" and field["readOnly"] is True
    assert "counter_propose" in field["description"]


@pytest.mark.parametrize(
    ("state", "proposed_by", "who", "shown"),
    [
        ("draft", None, "alice", {"edit", "propose", "cascade"}),
        ("draft", None, "erin", set()),
        ("proposed", "alice", "bob", {"edit", "agree", "return", "cascade"}),
        ("proposed", "alice", "alice", {"cascade"}),
        ("proposed", "bob", "alice", {"agree", "counter", "cascade"}),
        ("agreed", "alice", "alice", {"adjust", "cascade"}),
        ("agreed", "alice", "bob", {"close", "adjust", "cascade"}),
        ("closed", "alice", "bob", set()),
    ],
)
def test_page_shows_a_button_only_for_an_available_action(
    login, company, make_goal, quarter, state, proposed_by, who, shown
):
    goal = _goal(company, make_goal, quarter, state, proposed_by, "active")
    page = login(company[who]).get(f"/goals/{goal.pk}/").content.decode()
    block = page[page.index('id="goal-actions"') : page.index("Alignment tree")]
    found = {
        name
        for name, marker in {
            "edit": f"/goals/{goal.pk}/edit/",
            "propose": f"/goals/{goal.pk}/transition/propose/",
            "agree": f"/goals/{goal.pk}/transition/agree/",
            "return": f"/goals/{goal.pk}/transition/return/",
            "counter": f"/goals/{goal.pk}/transition/counter/",
            "close": f"/goals/{goal.pk}/transition/close/",
            "adjust": f"/goals/{goal.pk}/adjust/",
            "cascade": f"/goals/{goal.pk}/cascade/",
        }.items()
        if marker in block
    }
    assert found == shown
    measure_form = f"/goals/key-results/{goal.key_results.get().pk}/measure/"
    assert (measure_form in page) == ("cascade" in shown)
