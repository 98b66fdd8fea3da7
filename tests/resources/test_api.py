"""The resource request and budget API as integrations and people meet it."""

from decimal import Decimal

import pytest

from resources import services
from resources.models import Budget, ResourceRequest
from tests.resources.factories import BudgetFactory, GoalFactory

URL = "/api/v1/resource-requests/"
State = ResourceRequest.State


def act(api, person, req, verb, data=None):
    return api.as_(person).post(f"{URL}{req.pk}/{verb}/", data or {}, format="json")


# --- create and read -----------------------------------------------------------------------


def test_create_request_routes_and_scores(world, api):
    w = world
    r = api.as_(w["alice"]).post(
        URL,
        {
            "key_result": w["kr"].pk,
            "kind": "budget",
            "category": "promotion",
            "title": "Trade fair booth",
            "amount": "4000",
            "justification": "Meet 40 prospects",
            "unit": w["sales"].pk,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["goal"] == w["sales_goal"].pk and body["approver"] == w["bob"].pk
    assert body["state"] == "submitted" and body["currency"] == "CNY"
    assert body["priority"]["goal_priority"] == "core"
    assert body["priority"]["gap"] == pytest.approx(0.3, abs=0.02)
    assert body["priority"]["score"] > 1000


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "budget", "title": "x", "justification": "y"}, "goal"),
        ({"kind": "budget", "title": "x", "justification": "y", "goal": 999999}, "goal"),
        (
            {"kind": "budget", "title": "x", "justification": "y", "key_result": 999999},
            "key_result",
        ),
        ({"kind": "budget", "title": "x", "justification": "y", "goal": "GOAL"}, "amount"),
        ({"kind": "nope", "title": "x", "justification": "y", "goal": "GOAL"}, "kind"),
        ({"kind": "budget", "title": "x", "goal": "GOAL", "amount": "5"}, "justification"),
        (
            {"kind": "budget", "title": "x", "justification": "y", "goal": "GOAL", "amount": "x"},
            "amount",
        ),
    ],
)
def test_create_bad_input_is_400_with_field_errors(world, api, data, field):
    data = {k: (world["sales_goal"].pk if v == "GOAL" else v) for k, v in data.items()}
    r = api.as_(world["alice"]).post(URL, data, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert not ResourceRequest.objects.exists()


def test_list_filters(world, api, make_request):
    w = world
    a = make_request(unit=w["sales"])
    make_request(unit=w["marketing"], kind="information", amount=None)
    make_request(goal=w["marketing_goal"], kind="people", amount=None, quantity=2)
    services.reject_request(actor=w["bob"], request=a, comment="Not now")
    client = api.as_(w["alice"])
    assert client.get(URL).json()["count"] == 3
    assert [r["id"] for r in client.get(URL, {"state": "rejected"}).json()["results"]] == [a.pk]
    assert client.get(URL, {"kind": "information"}).json()["count"] == 1
    assert client.get(URL, {"unit": w["marketing"].pk}).json()["count"] == 1
    assert client.get(URL, {"goal": w["marketing_goal"].pk}).json()["count"] == 1
    assert client.get(URL, {"state": "bogus"}).status_code == 400


# --- scoping -------------------------------------------------------------------------------


def test_scoping_peer_and_other_units_get_404(world, api, make_request):
    w = world
    own = make_request(unit=w["sales"])
    cross = make_request(unit=w["marketing"], kind="information", amount=None)
    see_own = {"alice", "bob", "zed", "carol"}
    see_cross = {"alice", "bob", "zed", "carol", "mia"}
    for name in ("alice", "bob", "zed", "carol", "erin", "mia", "dave"):
        client = api.as_(w[name])
        for req, allowed in ((own, see_own), (cross, see_cross)):
            r = client.get(f"{URL}{req.pk}/")
            assert r.status_code == (200 if name in allowed else 404), (name, req.title)
        listed = {row["id"] for row in client.get(URL).json()["results"]}
        expected = {
            req.pk for req, allowed in ((own, see_own), (cross, see_cross)) if name in allowed
        }
        assert listed == expected, name
    # A peer cannot act on it either, and learns nothing.
    for verb in ("approve", "reject", "fulfil", "withdraw"):
        assert act(api, w["erin"], own, verb, {"comment": "x"}).status_code == 404


def test_visible_but_not_allowed_is_403(world, api, make_request):
    w = world
    req = make_request(unit=w["sales"])
    assert act(api, w["carol"], req, "approve").status_code == 403  # HRBP sees, does not decide
    assert act(api, w["alice"], req, "approve").status_code == 403  # never one's own
    assert act(api, w["bob"], req, "withdraw").status_code == 403  # only the requester
    req.refresh_from_db()
    assert req.state == State.SUBMITTED


# --- transitions ---------------------------------------------------------------------------


def test_approve_partly_and_fulfil_through_the_api(world, api, make_request):
    w = world
    req = make_request(amount="5000", unit=w["sales"])
    r = act(api, w["bob"], req, "approve", {"granted_amount": "3000", "comment": "Half now"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "partly_approved" and r.json()["granted_amount"] == "3000.00"
    r = act(api, w["bob"], req, "fulfil", {"spent_amount": "2800"})
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "fulfilled"
    budget = Budget.objects.get(pk=w["sales_budget"].pk)
    assert (budget.committed, budget.spent) == (0, Decimal("2800"))


def test_overspend_is_400_with_the_remaining_amount(world, api, make_request):
    w = world
    services.approve_request(actor=w["bob"], request=make_request(amount="9000", unit=w["sales"]))
    req = make_request(amount="1500", unit=w["sales"])
    r = act(api, w["bob"], req, "approve")
    assert r.status_code == 400
    assert "1,000.00 CNY remain" in r.json()["granted_amount"][0]


def test_reject_needs_a_comment(world, api, make_request):
    req = make_request(unit=world["sales"])
    r = act(api, world["bob"], req, "reject", {})
    assert r.status_code == 400 and "comment" in r.json()
    r = act(api, world["bob"], req, "reject", {"comment": "   "})
    assert r.status_code == 400 and "comment" in r.json()
    r = act(api, world["bob"], req, "reject", {"comment": "No budget this quarter"})
    assert r.status_code == 200 and r.json()["decision_comment"] == "No budget this quarter"


def _in_state(world, make_request, state):
    w = world
    req = make_request(amount="100", unit=w["sales"])
    if state in (State.APPROVED, State.PARTLY_APPROVED, State.FULFILLED):
        grant = "50" if state == State.PARTLY_APPROVED else None
        services.approve_request(actor=w["bob"], request=req, granted_amount=grant)
    if state == State.FULFILLED:
        services.fulfil_request(actor=w["bob"], request=req, spent_amount="100")
    if state == State.REJECTED:
        services.reject_request(actor=w["bob"], request=req, comment="no")
    if state == State.WITHDRAWN:
        services.withdraw_request(actor=w["alice"], request=req)
    req.refresh_from_db()
    assert req.state == state
    return req


LEGAL = {
    "approve": {State.SUBMITTED},
    "reject": {State.SUBMITTED},
    "withdraw": {State.SUBMITTED},
    "fulfil": {State.APPROVED, State.PARTLY_APPROVED},
}


@pytest.mark.parametrize("verb", sorted(LEGAL))
@pytest.mark.parametrize("state", list(State))
def test_every_transition_and_its_illegal_counterparts(world, api, make_request, verb, state):
    w = world
    req = _in_state(world, make_request, state)
    actor = w["alice"] if verb == "withdraw" else w["bob"]
    data = {"comment": "because", "spent_amount": "40"}
    r = act(api, actor, req, verb, data)
    if state in LEGAL[verb]:
        assert r.status_code == 200, r.content
        expected = {
            "approve": "approved",
            "reject": "rejected",
            "withdraw": "withdrawn",
            "fulfil": "fulfilled",
        }[verb]
        assert r.json()["state"] == expected
    else:
        assert r.status_code == 400, (verb, state, r.content)
        reason = r.json()["state"][0]
        assert str(req.get_state_display()) in reason
        assert "only" in reason
        after = ResourceRequest.objects.get(pk=req.pk)
        assert after.state == state


def test_budget_arithmetic_unchanged_by_refused_transitions(world, api, make_request):
    w = world
    req = _in_state(world, make_request, State.FULFILLED)
    before = Budget.objects.get(pk=w["sales_budget"].pk)
    act(api, w["bob"], req, "approve")
    act(api, w["bob"], req, "fulfil", {"spent_amount": "1"})
    after = Budget.objects.get(pk=w["sales_budget"].pk)
    assert (before.committed, before.spent) == (after.committed, after.spent) == (0, 100)


# --- budgets -------------------------------------------------------------------------------


def test_budget_write_permissions(world, api):
    w = world
    data = {
        "unit": w["marketing"].pk,
        "cycle": w["cycle"].pk,
        "category": "tools",
        "allocated": "2500",
    }
    assert api.as_(w["bob"]).post("/api/v1/budgets/", data, format="json").status_code == 403
    assert api.as_(w["dave"]).post("/api/v1/budgets/", data, format="json").status_code == 403
    r = api.as_(w["mia"]).post("/api/v1/budgets/", data, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["remaining"] == "2500.00"
    r = api.as_(w["zed"]).post("/api/v1/budgets/", data, format="json")
    assert r.status_code == 400 and "category" in r.json()
    pk = w["sales_budget"].pk
    assert api.as_(w["mia"]).patch(f"/api/v1/budgets/{pk}/", {"allocated": "1"}).status_code == 404
    assert api.as_(w["alice"]).get(f"/api/v1/budgets/{pk}/").status_code == 404
    r = api.as_(w["bob"]).patch(f"/api/v1/budgets/{pk}/", {"allocated": "12000"}, format="json")
    assert r.status_code == 200 and r.json()["allocated"] == "12000.00"
    r = api.as_(w["bob"]).patch(f"/api/v1/budgets/{pk}/", {"allocated": "-1"}, format="json")
    assert r.status_code == 400 and "allocated" in r.json()
    # The HRBP of Sales sees its budgets but does not write them.
    assert api.as_(w["carol"]).get(f"/api/v1/budgets/{pk}/").status_code == 200
    r = api.as_(w["carol"]).patch(f"/api/v1/budgets/{pk}/", {"allocated": "1"}, format="json")
    assert r.status_code == 403


def test_budget_list_is_scoped(world, api):
    w = world

    def ids(person):
        return {b["id"] for b in api.as_(person).get("/api/v1/budgets/").json()["results"]}

    assert ids(w["zed"]) == {w["sales_budget"].pk, w["marketing_budget"].pk}
    assert ids(w["bob"]) == {w["sales_budget"].pk}
    assert ids(w["mia"]) == {w["marketing_budget"].pk}
    assert ids(w["alice"]) == set()


def test_utilisation_endpoint(world, api, make_request):
    w = world
    services.approve_request(actor=w["bob"], request=make_request(amount="9500", unit=w["sales"]))
    r = api.as_(w["zed"]).get("/api/v1/budgets/utilisation/", {"cycle": w["cycle"].pk})
    assert r.status_code == 200, r.content
    body = r.json()
    sales = next(u for u in body["units"] if u["unit"] == w["sales"].pk)
    assert sales["committed"] == "9500.00" and sales["utilisation"] == pytest.approx(0.95)
    assert {row["category"] for row in body["rows"]} == {"promotion"}
    assert api.as_(w["zed"]).get("/api/v1/budgets/utilisation/").status_code == 400
    r = api.as_(w["alice"]).get("/api/v1/budgets/utilisation/", {"cycle": w["cycle"].pk})
    assert r.json()["rows"] == []


# --- query counts --------------------------------------------------------------------------


def _many(world, n):
    w = world
    goal_pool = [GoalFactory(owner_unit=w["sales"], cycle=w["cycle"]) for _ in range(3)]
    for i in range(n):
        req = services.submit_request(
            requester=w["alice"] if i % 2 else w["erin"],
            goal=goal_pool[i % 3],
            kind="budget",
            title=f"r{i}",
            justification="j",
            amount="10",
            unit=w["sales"] if i % 3 else w["marketing"],
        )
        if i % 4 == 0:
            services.reject_request(actor=w["zed"], request=req, comment="no")


@pytest.mark.parametrize("n", [3, 30])
def test_list_query_count_is_bounded(world, api, django_assert_max_num_queries, n):
    _many(world, n)
    BudgetFactory(unit=world["field"], cycle=world["cycle"], category="tools")
    for person in ("bob", "zed", "carol", "mia"):
        client = api.as_(world[person])
        with django_assert_max_num_queries(12):
            r = client.get(URL)
        assert r.status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get("/api/v1/budgets/").status_code == 200
    assert api.as_(world["zed"]).get(URL).json()["count"] == n
