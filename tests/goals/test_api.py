import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from goals import services
from goals.models import Cycle, Goal, KeyResult, Measurement, TargetAdjustment
from tests.factories import PersonFactory, UserFactory

D = Decimal
KR = {
    "name": "New qualified customers",
    "metric": "new-customers",
    "unit": "customers",
    "target_value": "45",
    "due_on": "2026-12-15",
}


# --- cycles ----------------------------------------------------------------------------------


def test_cycles_read_by_everyone_written_by_admins(api, company, quarter):
    assert api.as_(company["alice"]).get("/api/v1/cycles/").data["count"] == 2
    body = {
        "name": "2027 Q1",
        "kind": "quarter",
        "starts_on": "2027-01-01",
        "ends_on": "2027-03-31",
    }
    assert api.as_(company["alice"]).post("/api/v1/cycles/", body).status_code == 403
    res = api.as_(company["zed"]).post("/api/v1/cycles/", body)
    assert res.status_code == 201 and res.data["state"] == "planning"
    bad = api.as_(company["zed"]).post("/api/v1/cycles/", {**body, "ends_on": "2026-12-01"})
    assert bad.status_code == 400 and "ends_on" in bad.data
    child = api.as_(company["zed"]).post(
        "/api/v1/cycles/", {**body, "name": "x", "parent": quarter.pk}
    )
    assert child.status_code == 400 and "parent" in child.data
    pk = res.data["id"]
    assert (
        api.as_(company["zed"]).patch(f"/api/v1/cycles/{pk}/", {"state": "closed"}).status_code
        == 400
    )
    moved = api.as_(company["zed"]).post(f"/api/v1/cycles/{pk}/transition/", {"to": "active"})
    assert moved.status_code == 200 and moved.data["state"] == "active"


# --- goals: create, read, filters ------------------------------------------------------------


def test_create_goal_with_nested_key_results(api, company, quarter, make_goal):
    alice = company["alice"]
    parent = make_goal(company["sales"], title="Win 200 new customers")
    res = api.as_(alice).post(
        "/api/v1/goals/",
        {
            "title": "Win 45 new qualified customers",
            "level": "person",
            "owner_person": alice.pk,
            "cycle": quarter.pk,
            "parent": parent.pk,
            "key_results": [KR],
        },
        format="json",
    )
    assert res.status_code == 201, res.data
    assert res.data["state"] == "draft" and res.data["version"] == 1
    kr = res.data["key_results"][0]
    assert kr["target_value"] == "45.0000" and kr["status"] in ("on_track", "at_risk", "off_track")
    assert {"progress", "attainment", "expected_progress", "status"} <= set(kr)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"key_results": [{**KR, "target_value": "lots"}]}, "key_results"),
        ({"key_results": [{**KR, "due_on": "2027-02-01"}]}, "key_results.due_on"),
        ({"level": "person", "owner_person": None}, "owner_person"),
        ({"kind": "kpi", "key_results": [KR, KR]}, "key_results"),
        ({"title": ""}, "title"),
        ({"cycle": 99999}, "cycle"),
    ],
)
def test_create_goal_bad_input_is_400_with_field_errors(api, company, quarter, change, field):
    alice = company["alice"]
    body = {
        "title": "Win 45 new qualified customers",
        "level": "person",
        "owner_person": alice.pk,
        "cycle": quarter.pk,
        "key_results": [KR],
        **change,
    }
    res = api.as_(alice).post("/api/v1/goals/", body, format="json")
    assert res.status_code == 400, res.data
    assert field in res.data
    assert not Goal.objects.exists()


def test_create_goal_parent_cycle_mismatch_is_400(api, company, quarter, past_quarter, make_goal):
    old = make_goal(
        company["sales"],
        cycle=Cycle.objects.create(
            name="2026 Q2",
            kind="quarter",
            starts_on=dt.date(2026, 4, 1),
            ends_on=dt.date(2026, 6, 30),
            state="active",
        ),
    )
    res = api.as_(company["alice"]).post(
        "/api/v1/goals/",
        {
            "title": "Win 45 new qualified customers",
            "level": "person",
            "owner_person": company["alice"].pk,
            "cycle": quarter.pk,
            "parent": old.pk,
            "key_results": [KR],
        },
        format="json",
    )
    assert res.status_code == 400 and "parent" in res.data


def test_create_goal_for_someone_you_do_not_manage_is_403(api, company, quarter):
    res = api.as_(company["dave"]).post(
        "/api/v1/goals/",
        {
            "title": "Win 45 new qualified customers",
            "level": "person",
            "owner_person": company["alice"].pk,
            "cycle": quarter.pk,
            "key_results": [KR],
        },
        format="json",
    )
    assert res.status_code == 403


def test_goal_filters(api, company, quarter, make_goal):
    alice, bob = company["alice"], company["bob"]
    top = make_goal(company["sales"], title="Win 200 new customers")
    mine = make_goal(alice, parent=top, state=Goal.State.AGREED)
    make_goal(company["erin"], kind=Goal.Kind.KPI)
    client = api.as_(bob)
    ids = lambda q: {g["id"] for g in client.get(f"/api/v1/goals/?{q}").data["results"]}  # noqa: E731
    assert ids(f"owner_person={alice.pk}") == {mine.pk}
    assert ids(f"parent={top.pk}") == {mine.pk}
    assert ids("state=agreed") == {mine.pk}
    assert ids("level=unit") == {top.pk}
    assert ids(f"owner_unit={company['sales'].pk}") == {top.pk}
    assert len(ids("kind=kpi")) == 1
    assert len(ids(f"cycle={quarter.pk}")) == 3
    assert client.get("/api/v1/goals/?state=nonsense").status_code == 400


# --- update and optimistic locking -----------------------------------------------------------


def test_patch_requires_version_and_stale_version_is_409_naming_who(api, company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice)
    assert api.as_(alice).patch(f"/api/v1/goals/{goal.pk}/", {"title": "x"}).status_code == 400
    ok = api.as_(bob).patch(
        f"/api/v1/goals/{goal.pk}/", {"version": 1, "title": "Win 50 new qualified customers"}
    )
    assert ok.status_code == 200 and ok.data["version"] == 2
    stale = api.as_(alice).patch(f"/api/v1/goals/{goal.pk}/", {"version": 1, "title": "Mine"})
    assert stale.status_code == 409
    assert bob.display_name in stale.data["detail"]
    assert Goal.objects.get(pk=goal.pk).title == "Win 50 new qualified customers"
    put = api.as_(alice).put(
        f"/api/v1/goals/{goal.pk}/", {"version": 2, "title": "Win 52 customers"}
    )
    assert put.status_code == 200 and put.data["title"] == "Win 52 customers"


def test_patch_agreed_goal_is_400_and_peer_is_403(api, company, make_goal):
    goal = make_goal(company["alice"], state=Goal.State.AGREED)
    res = api.as_(company["alice"]).patch(f"/api/v1/goals/{goal.pk}/", {"version": 1, "title": "x"})
    assert res.status_code == 400
    assert (
        api.as_(company["erin"])
        .patch(f"/api/v1/goals/{goal.pk}/", {"version": 1, "title": "x"})
        .status_code
        == 403
    )


def test_patch_key_results_and_supports(api, company, make_goal):
    alice = company["alice"]
    goal = make_goal(alice)
    other = make_goal(company["marketing"], title="Brand exposure +30 %")
    kr = goal.key_results.get()
    res = api.as_(alice).patch(
        f"/api/v1/goals/{goal.pk}/",
        {
            "version": 1,
            "supports": [other.pk],
            "key_results": [{"id": kr.pk, "name": kr.name, "target_value": "50"}],
        },
        format="json",
    )
    assert res.status_code == 200, res.data
    assert res.data["supports"] == [other.pk]
    assert res.data["key_results"][0]["target_value"] == "50.0000"


# --- agreement endpoints ---------------------------------------------------------------------


def test_agreement_endpoints(api, company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice)
    url = f"/api/v1/goals/{goal.pk}"
    assert api.as_(alice).post(f"{url}/agree/").status_code == 400  # draft
    assert api.as_(alice).post(f"{url}/propose/").data["state"] == "proposed"
    assert api.as_(bob).post(f"{url}/return/", {}).status_code == 400  # comment required
    res = api.as_(bob).post(f"{url}/return/", {"comment": "Aim for 50"})
    assert res.data["state"] == "returned" and res.data["return_comment"] == "Aim for 50"
    api.as_(alice).post(f"{url}/propose/")
    assert api.as_(alice).post(f"{url}/agree/").status_code == 400
    assert api.as_(bob).post(f"{url}/agree/").data["state"] == "agreed"
    assert api.as_(alice).post(f"{url}/close/").status_code == 403
    assert api.as_(bob).post(f"{url}/close/", {"score": 2}).status_code == 400
    res = api.as_(bob).post(f"{url}/close/", {"score": 0.7})
    assert res.data["state"] == "closed" and res.data["score"] == 0.7
    assert api.as_(bob).post(f"{url}/close/").status_code == 400


def test_counter_propose_endpoint(api, company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice, actor=bob)
    api.as_(bob).post(f"/api/v1/goals/{goal.pk}/propose/")
    kr = goal.key_results.get()
    res = api.as_(alice).post(
        f"/api/v1/goals/{goal.pk}/counter-propose/",
        {"comment": "40 is realistic", "targets": {str(kr.pk): "40"}},
        format="json",
    )
    assert res.status_code == 200 and res.data["key_results"][0]["target_value"] == "40.0000"
    assert api.as_(bob).post(f"/api/v1/goals/{goal.pk}/agree/").data["state"] == "agreed"


# --- SMART, cascade, tree, history -----------------------------------------------------------


def test_smart_endpoint(api, company, make_goal):
    goal = make_goal(company["alice"], title="Improve")
    res = api.as_(company["alice"]).get(f"/api/v1/goals/{goal.pk}/smart/")
    assert set(res.data) == {"specific", "measurable", "achievable", "relevant", "time_bound"}
    assert res.data["specific"]["status"] == "fail" and res.data["specific"]["message"]
    assert res.data["relevant"]["status"] == "fail"


def test_smart_endpoint_in_chinese(api, company, make_goal):
    goal = make_goal(company["alice"], title="Improve")
    res = api.as_(company["alice"]).get(
        f"/api/v1/goals/{goal.pk}/smart/", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert res.status_code == 200
    assert any("\u4e00" <= ch <= "\u9fff" for ch in res.data["relevant"]["message"])


def test_cascade_endpoint_preview_then_create(api, company, make_goal):
    bob = company["bob"]
    goal = make_goal(
        company["sales"], title="Win 200 new customers", key_results=[{**KR, "target_value": "200"}]
    )
    kr = goal.key_results.get()
    body = {
        "key_result": kr.pk,
        "split": "weights",
        "dry_run": True,
        "children": [
            {"owner_person": company["alice"].pk, "weight": "1"},
            {"owner_person": company["erin"].pk, "weight": "2"},
        ],
    }
    res = api.as_(bob).post(f"/api/v1/goals/{goal.pk}/cascade/", body, format="json")
    assert res.status_code == 200, res.data
    assert [c["target_value"] for c in res.data["children"]] == ["66.0000", "134.0000"]
    assert res.data["total"] == res.data["parent_target"]
    assert not Goal.objects.filter(parent=goal).exists()
    res = api.as_(bob).post(
        f"/api/v1/goals/{goal.pk}/cascade/", {**body, "dry_run": False}, format="json"
    )
    assert res.status_code == 201 and all(c["goal"] for c in res.data["children"])
    assert Goal.objects.filter(parent=goal, state="proposed").count() == 2
    bad = api.as_(bob).post(
        f"/api/v1/goals/{goal.pk}/cascade/", {**body, "split": "dice"}, format="json"
    )
    assert bad.status_code == 400 and "split" in bad.data
    other = api.as_(bob).post(
        f"/api/v1/goals/{goal.pk}/cascade/",
        {**body, "children": [{"owner_person": company["dave"].pk}]},
        format="json",
    )
    assert other.status_code == 403
    assert (
        api.as_(company["dave"])
        .post(f"/api/v1/goals/{goal.pk}/cascade/", body, format="json")
        .status_code
        == 403
    )


def test_tree_and_history_endpoints(api, company, make_goal):
    alice, bob = company["alice"], company["bob"]
    top = make_goal(company["sales"], title="Win 200 new customers")
    child = make_goal(alice, parent=top)
    make_goal(company["erin"], parent=top, visibility=Goal.Visibility.PRIVATE)
    tree = api.as_(alice).get(f"/api/v1/goals/{top.pk}/tree/").data
    assert [c["id"] for c in tree["children"]] == [child.pk]  # erin's private goal is hidden
    assert len(api.as_(bob).get(f"/api/v1/goals/{top.pk}/tree/").data["children"]) == 2
    api.as_(bob).patch(f"/api/v1/goals/{child.pk}/", {"version": 1, "title": "Win 50 customers"})
    history = api.as_(alice).get(f"/api/v1/goals/{child.pk}/history/").data
    change = next(e for e in history if e["type"] == "changed")
    assert change["by"] == bob.display_name
    assert {
        "field": "title",
        "old": "Win 45 new qualified customers",
        "new": "Win 50 customers",
    } in change["changes"]


# --- key results and measurements ------------------------------------------------------------


def test_key_results_list_and_measurements(api, company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice)
    kr = goal.key_results.get()
    res = api.as_(bob).get(f"/api/v1/key-results/?goal={goal.pk}")
    assert res.data["count"] == 1 and res.data["results"][0]["attainment"] == 0.0
    url = f"/api/v1/key-results/{kr.pk}/measurements/"
    assert api.as_(alice).post(url, {"value": "abc"}).status_code == 400
    assert api.as_(alice).post(url, {}).status_code == 400
    res = api.as_(alice).post(url, {"value": "54", "note": "CRM sync"})
    assert res.status_code == 201 and res.data["source"] == "api"
    kr.refresh_from_db()
    assert kr.current_value == D("54") and kr.progress == 1.0
    data = api.as_(alice).get(f"/api/v1/key-results/{kr.pk}/").data
    assert data["attainment"] == 1.2
    assert api.as_(alice).get(url).data["results"][0]["note"] == "CRM sync"
    assert api.as_(company["erin"]).post(url, {"value": "1"}).status_code == 403
    assert Measurement.objects.count() == 1


# --- adjustments -----------------------------------------------------------------------------


def test_adjustment_endpoints(api, company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice, state=Goal.State.AGREED)
    kr = goal.key_results.get()
    body = {"key_result": kr.pk, "new_target": "40", "reason": "market", "evidence": "Budget cut"}
    assert (
        api.as_(alice).post("/api/v1/adjustments/", {**body, "new_target": "x"}).status_code == 400
    )
    assert (
        api.as_(alice).post("/api/v1/adjustments/", {**body, "reason": "mood"}).status_code == 400
    )
    res = api.as_(alice).post("/api/v1/adjustments/", body)
    assert res.status_code == 201 and res.data["old_target"] == "45.0000"
    pk = res.data["id"]
    assert api.as_(alice).post(f"/api/v1/adjustments/{pk}/approve/").status_code == 403
    assert api.as_(company["dave"]).post(f"/api/v1/adjustments/{pk}/approve/").status_code == 403
    assert api.as_(bob).post(f"/api/v1/adjustments/{pk}/reject/", {}).status_code == 400
    res = api.as_(bob).post(f"/api/v1/adjustments/{pk}/approve/", {"comment": "fine"})
    assert res.status_code == 200 and res.data[0]["state"] == "approved"
    assert KeyResult.objects.get(pk=kr.pk).target_value == D("40")
    assert api.as_(bob).post(f"/api/v1/adjustments/{pk}/approve/").status_code == 400
    assert api.as_(alice).get(f"/api/v1/adjustments/?goal={goal.pk}").data["count"] == 1


def test_unit_adjustment_endpoint(api, company, make_goal, quarter):
    goal = make_goal(company["erin"], state=Goal.State.AGREED, priority="secondary")
    res = api.as_(company["bob"]).post(
        "/api/v1/adjustments/unit/",
        {
            "unit": company["sales"].pk,
            "cycle": quarter.pk,
            "factor": "0.5",
            "reason": "policy",
            "evidence": "New policy",
        },
    )
    assert res.status_code == 201 and len(res.data) == 1
    assert TargetAdjustment.objects.get().key_result.goal == goal
    assert (
        api.as_(company["dave"])
        .post(
            "/api/v1/adjustments/unit/",
            {
                "unit": company["sales"].pk,
                "cycle": quarter.pk,
                "factor": "0.5",
                "reason": "policy",
                "evidence": "x",
            },
        )
        .status_code
        == 403
    )


# --- permission matrix -----------------------------------------------------------------------

VISIBLE = {
    "public": {"alice", "bob", "erin", "dave", "carol", "zed"},
    "unit": {"alice", "bob", "erin", "carol", "zed"},
    "private": {"alice", "bob", "carol", "zed"},
}
EDITORS = {"alice", "bob", "zed"}


@pytest.mark.parametrize("visibility", ["public", "unit", "private"])
@pytest.mark.parametrize("who", ["alice", "bob", "erin", "dave", "carol", "zed"])
def test_permission_matrix(api, company, make_goal, visibility, who):
    goal = make_goal(company["alice"], visibility=visibility)
    kr = goal.key_results.get()
    client = api.as_(company[who])
    sees = who in VISIBLE[visibility]
    listed = {g["id"] for g in client.get("/api/v1/goals/").data["results"]}
    assert (goal.pk in listed) is sees
    kr_listed = {k["id"] for k in client.get("/api/v1/key-results/").data["results"]}
    assert (kr.pk in kr_listed) is sees
    for path in ("", "smart/", "tree/", "history/"):
        assert client.get(f"/api/v1/goals/{goal.pk}/{path}").status_code == (200 if sees else 404)
    assert client.get(f"/api/v1/key-results/{kr.pk}/measurements/").status_code == (
        200 if sees else 404
    )
    res = client.patch(f"/api/v1/goals/{goal.pk}/", {"version": 1, "title": "Win 46 new customers"})
    expected = 200 if who in EDITORS else (403 if sees else 404)
    assert res.status_code == expected


def test_unit_goal_visibility_follows_the_unit_subtree(api, company, make_goal):
    goal = make_goal(company["sales"], visibility=Goal.Visibility.UNIT)
    assert api.as_(company["alice"]).get(f"/api/v1/goals/{goal.pk}/").status_code == 200
    assert api.as_(company["dave"]).get(f"/api/v1/goals/{goal.pk}/").status_code == 404
    assert api.as_(company["mia"]).get(f"/api/v1/goals/{goal.pk}/").status_code == 404
    assert api.as_(company["carol"]).get(f"/api/v1/goals/{goal.pk}/").status_code == 200


def test_anonymous_is_refused(api, company, make_goal):
    goal = make_goal(company["alice"])
    api.as_(None)
    assert api.get("/api/v1/goals/").status_code in (401, 403)
    assert api.get(f"/api/v1/goals/{goal.pk}/").status_code in (401, 403)


# --- query bounds ----------------------------------------------------------------------------


def _goals(company, quarter, n):
    people = [
        PersonFactory(
            user=UserFactory(username=f"q{n}-{i}"), unit=company["field"], manager=company["bob"]
        )
        for i in range(n)
    ]
    for person in people:
        services.create_goal(
            actor=None,
            cycle=quarter,
            title="Win 45 new qualified customers",
            level="person",
            owner_person=person,
            key_results=[{"name": "a", "target_value": "5"}, {"name": "b", "target_value": "6"}],
        )


@pytest.mark.parametrize("n", [3, 30])
def test_goal_list_query_count_does_not_grow(
    api, company, quarter, n, django_assert_max_num_queries
):
    _goals(company, quarter, n)
    client = api.as_(company["bob"])
    with django_assert_max_num_queries(18):  # + contributors; + units headed below (scope)
        res = client.get("/api/v1/goals/")
    assert res.data["count"] == n


@pytest.mark.parametrize("n", [3, 30])
def test_key_result_and_adjustment_lists_query_count(
    api, company, quarter, n, django_assert_max_num_queries
):
    _goals(company, quarter, n)
    client = api.as_(company["bob"])
    with django_assert_max_num_queries(16):  # + contributors; + units headed below (scope)
        assert client.get("/api/v1/key-results/").data["count"] == 2 * n
    # one pending adjustment per goal, asked by its owner
    Goal.objects.filter(owner_person__manager=company["bob"]).update(state=Goal.State.AGREED)
    for kr in KeyResult.objects.filter(name="a").select_related("goal__owner_person"):
        services.request_adjustment(
            actor=kr.goal.owner_person,
            key_result=kr,
            new_target="4",
            reason="market",
            evidence="A competitor cut prices",
        )
    client = api.as_(company["bob"])
    with django_assert_max_num_queries(16):  # + contributors; + units headed below (scope)
        res = client.get("/api/v1/adjustments/")
    assert res.data["count"] == n
    assert {row["state"] for row in res.data["results"]} == {"pending"}


def test_tree_of_a_thousand_goals_in_bounded_queries(
    api, company, quarter, django_assert_max_num_queries
):
    """Company → 10 units → 99 goals each (1,000 goals) answer in a handful of queries."""
    top = services.create_goal(
        actor=None,
        cycle=quarter,
        title="Grow market share by 5 %",
        level="company",
        owner_unit=company["acme"],
    )
    mids = Goal.objects.bulk_create(
        [
            Goal(
                level="unit",
                title=f"Unit goal {i}",
                owner_unit=company["sales"],
                cycle=quarter,
                parent=top,
            )
            for i in range(10)
        ]
    )
    Goal.objects.bulk_create(
        [
            Goal(
                level="person",
                title=f"Person goal {i}",
                owner_person=company["alice"],
                cycle=quarter,
                parent=mids[i % 10],
            )
            for i in range(989)
        ]
    )
    client = api.as_(company["bob"])
    with django_assert_max_num_queries(15):
        res = client.get(f"/api/v1/goals/{top.pk}/tree/")
    assert len(res.data["children"]) == 10
    assert sum(len(c["children"]) for c in res.data["children"]) == 989


def test_reject_adjustment_and_closed_goal_measurement(api, company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice, state=Goal.State.AGREED)
    kr = goal.key_results.get()
    res = api.as_(alice).post(
        "/api/v1/adjustments/",
        {"key_result": kr.pk, "new_target": "30", "reason": "internal", "evidence": "Reorg"},
    )
    rejected = api.as_(bob).post(
        f"/api/v1/adjustments/{res.data['id']}/reject/", {"comment": "Keep 45"}
    )
    assert rejected.status_code == 200 and rejected.data[0]["state"] == "rejected"
    assert KeyResult.objects.get(pk=kr.pk).target_value == D("45")
    api.as_(bob).post(f"/api/v1/goals/{goal.pk}/close/")
    late = api.as_(alice).post(f"/api/v1/key-results/{kr.pk}/measurements/", {"value": "50"})
    assert late.status_code == 400


def test_closed_cycle_takes_no_new_goals(api, company, quarter):
    zed = company["zed"]
    for to in ("scoring", "closed"):
        res = api.as_(zed).post(
            f"/api/v1/cycles/{quarter.pk}/transition/", {"to": to, "close_anyway": True}
        )
        assert res.status_code == 200, res.data
    res = api.as_(company["alice"]).post(
        "/api/v1/goals/",
        {
            "title": "Win 45 new qualified customers",
            "level": "person",
            "owner_person": company["alice"].pk,
            "cycle": quarter.pk,
            "key_results": [KR],
        },
        format="json",
    )
    assert res.status_code == 400 and "cycle" in res.data


@pytest.mark.parametrize(
    ("who", "status"),
    [("dave", 404), ("erin", 404), ("carol", 200), ("bob", 200), ("zed", 200), ("alice", 200)],
)
def test_adjustments_of_private_goals_are_invisible(api, company, make_goal, who, status):
    goal = make_goal(company["alice"], state=Goal.State.AGREED, visibility="private")
    adj = services.request_adjustment(
        actor=company["alice"],
        key_result=goal.key_results.get(),
        new_target="40",
        reason="market",
        evidence="Price war",
    )
    client = api.as_(company[who])
    assert client.get(f"/api/v1/adjustments/{adj.pk}/").status_code == status
    listed = {a["id"] for a in client.get("/api/v1/adjustments/").data["results"]}
    assert (adj.pk in listed) is (status == 200)
    if status == 404:
        assert client.post(f"/api/v1/adjustments/{adj.pk}/approve/").status_code == 404


def _walk(client, url):
    """Every row of a keyset-paged list, following `next`; the query count of each page."""
    ids, counts = [], []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            res = client.get(url)
        assert res.status_code == 200, res.content
        assert res.data["count"] is None
        ids += [row["id"] for row in res.data["results"]]
        counts.append(len(ctx))
        url = res.data["next"]
    return ids, counts


def test_keyset_paging_returns_every_goal_once_at_a_fixed_cost(api, company, quarter):
    _goals(company, quarter, 12)
    client = api.as_(company["bob"])
    everything = client.get("/api/v1/goals/?page_size=500").data
    ids, counts = _walk(client, "/api/v1/goals/?cursor=&page_size=5")
    assert sorted(ids) == sorted(row["id"] for row in everything["results"])
    assert len(ids) == len(set(ids)) == everything["count"]
    assert ids == sorted(ids, reverse=True)  # newest first, by the primary key
    assert len(counts) == 3 and max(counts) - min(counts) <= 1  # the last page skips nothing


def test_a_forged_cursor_is_a_404_not_a_500(api, company, quarter):
    # "o=-5": a negative offset no real cursor carries
    client = api.as_(company["bob"])
    assert client.get("/api/v1/goals/?cursor=bz0tNQ%3D%3D").status_code == 404
