import datetime as dt

import pytest

from goals.models import KeyResult, Measurement
from notifications.models import Notification
from tests.tracking.conftest import MONDAY
from tests.tracking.factories import submitted
from tracking.models import CheckIn, Feedback, ImprovementPlan, WeeklyReview

pytestmark = pytest.mark.django_db


def test_current_creates_once_and_refuses_future_weeks(api, company, cascade):
    client = api.as_(company["alice"])
    r1 = client.post("/api/v1/check-ins/current/", {}, format="json")
    r2 = client.post("/api/v1/check-ins/current/", {}, format="json")
    assert (r1.status_code, r2.status_code) == (201, 200), r1.content
    assert r1.json()["id"] == r2.json()["id"] and r1.json()["week"] == "2026-11-16"
    r = client.post("/api/v1/check-ins/current/", {"week": "2026-11-23"}, format="json")
    assert r.status_code == 400 and "week" in r.json()
    assert CheckIn.objects.count() == 1


def test_submit_through_the_api(api, company, cascade):
    client = api.as_(company["alice"])
    pk = client.post("/api/v1/check-ins/current/", {}, format="json").json()["id"]
    body = {
        "done": "Visited 4 clients",
        "updates": [
            {
                "key_result": cascade["customers"].pk,
                "value": 6,
                "confidence": "at_risk",
                "note": "slow",
                "cause": "not-enough-leads",
                "action": "Campaign",
            },
            {
                "key_result": cascade["calls"].pk,
                "value": "100",
                "confidence": "on_track",
                "note": "",
            },
        ],
    }
    r = client.post(f"/api/v1/check-ins/{pk}/submit/", body, format="json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["state"] == "submitted" and data["done"] == "Visited 4 clients"
    assert "New customers: 6 of 15 expected (40 %)" in data["check"]
    by_kr = {u["key_result"]: u for u in data["updates"]}
    assert by_kr[cascade["customers"].pk]["status"] == "off_track"
    assert by_kr[cascade["customers"].pk]["cause"] == "not-enough-leads"
    assert by_kr[cascade["calls"].pk]["change"] == "100.0000"
    assert KeyResult.objects.get(pk=cascade["calls"].pk).progress == pytest.approx(0.5)
    assert Measurement.objects.filter(source="check_in").count() == 2


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("many", "updates.0.value"),
        ("1e30", "updates.0.value"),
        (-5, "updates.0.value"),
        (None, "updates.0.value"),
        (True, "updates.0.value"),
    ],
)
def test_bad_values_answer_400_naming_the_field(api, company, cascade, value, field):
    client = api.as_(company["alice"])
    pk = client.post("/api/v1/check-ins/current/", {}, format="json").json()["id"]
    body = {"updates": [{"key_result": cascade["calls"].pk, "value": value}]}
    r = client.post(f"/api/v1/check-ins/{pk}/submit/", body, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert CheckIn.objects.get().state == "draft"


def test_off_track_without_cause_answers_400(api, company, cascade):
    client = api.as_(company["alice"])
    pk = client.post("/api/v1/check-ins/current/", {}, format="json").json()["id"]
    body = {"updates": [{"key_result": cascade["customers"].pk, "value": "2"}]}
    r = client.post(f"/api/v1/check-ins/{pk}/submit/", body, format="json")
    assert r.status_code == 400
    assert "New customers" in r.json()["updates.0.cause"][0]
    assert "updates.0.action" in r.json()


def test_bad_structure_answers_400(api, company, cascade):
    client = api.as_(company["alice"])
    pk = client.post("/api/v1/check-ins/current/", {}, format="json").json()["id"]
    for body, field in [
        ({"updates": [{"value": "3"}]}, "updates.0.key_result"),
        ({"updates": "x"}, "updates"),
        ({"confidence": 12}, "confidence"),
        ({"updates": [{"key_result": "abc", "value": "1"}]}, "updates.0.key_result"),
    ]:
        r = client.post(f"/api/v1/check-ins/{pk}/submit/", body, format="json")
        assert r.status_code == 400, (body, r.content)
        assert field in r.json(), r.json()


def test_draft_patch_and_amend(api, company, cascade):
    client = api.as_(company["alice"])
    pk = client.post("/api/v1/check-ins/current/", {}, format="json").json()["id"]
    r = client.patch(
        f"/api/v1/check-ins/{pk}/",
        {"plan": "More calls", "updates": [{"key_result": cascade["calls"].pk, "value": "90"}]},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["plan"] == "More calls" and r.json()["updates"][0]["value"] == "90.0000"
    assert not Measurement.objects.exists()
    assert client.post(f"/api/v1/check-ins/{pk}/submit/", {}, format="json").status_code == 200
    r = client.post(
        f"/api/v1/check-ins/{pk}/submit/",
        {"updates": [{"key_result": cascade["calls"].pk, "value": "120"}]},
        format="json",
    )
    assert r.status_code == 200 and r.json()["amendments"] == 1
    assert list(Measurement.objects.values_list("value", flat=True).order_by("pk")) == [90, 120]
    r = client.patch(f"/api/v1/check-ins/{pk}/", {"plan": "x"}, format="json")
    assert r.status_code == 400


def test_visibility_of_check_ins(api, company, cascade):
    c = company
    check_in = submitted(c["alice"], {cascade["calls"]: 100})
    url = f"/api/v1/check-ins/{check_in.pk}/"
    for viewer in ("alice", "bob", "zed", "carol"):
        assert api.as_(c[viewer]).get(url).status_code == 200, viewer
        ids = [row["id"] for row in api.as_(c[viewer]).get("/api/v1/check-ins/").json()["results"]]
        assert check_in.pk in ids
    for viewer in ("erin", "dave", "mia"):
        assert api.as_(c[viewer]).get(url).status_code == 404, viewer
        assert api.as_(c[viewer]).get("/api/v1/check-ins/").json()["count"] == 0
        r = api.as_(c[viewer]).post(f"{url}submit/", {}, format="json")
        assert r.status_code == 404
    # The manager sees but does not write.
    assert api.as_(c["bob"]).post(f"{url}submit/", {}, format="json").status_code == 403
    assert api.as_(c["bob"]).patch(url, {"plan": "x"}, format="json").status_code == 403


def test_list_filters(api, company, cascade):
    c = company
    submitted(c["alice"], {cascade["calls"]: 50}, week=MONDAY - dt.timedelta(weeks=1))
    submitted(c["alice"], {cascade["calls"]: 100})
    submitted(c["erin"], {cascade["erin_kr"]: 10})
    client = api.as_(c["bob"])
    assert client.get("/api/v1/check-ins/?week=2026-11-18").json()["count"] == 2
    assert client.get(f"/api/v1/check-ins/?person={c['alice'].pk}").json()["count"] == 2
    assert client.get("/api/v1/check-ins/?state=draft").json()["count"] == 0


def test_feedback_api(api, company, cascade):
    c = company
    check_in = submitted(c["alice"], {cascade["calls"]: 100})
    update = check_in.updates.get()
    body = {"check_in": check_in.pk, "update": update.pk, "kind": "praise", "text": "Nice!"}
    r = api.as_(c["bob"]).post("/api/v1/feedback/", body, format="json")
    assert r.status_code == 201, r.content
    fb = r.json()["id"]
    assert Notification.objects.filter(recipient=c["alice"], kind="check_in_feedback").exists()
    assert api.as_(c["carol"]).post("/api/v1/feedback/", body, format="json").status_code == 201
    # A peer and another unit's manager cannot see the check-in: 404; the author herself: 403.
    assert api.as_(c["erin"]).post("/api/v1/feedback/", body, format="json").status_code == 404
    assert api.as_(c["mia"]).post("/api/v1/feedback/", body, format="json").status_code == 404
    assert api.as_(c["alice"]).post("/api/v1/feedback/", body, format="json").status_code == 403
    bad = {**body, "kind": "rant"}
    assert api.as_(c["bob"]).post("/api/v1/feedback/", bad, format="json").status_code == 400
    for viewer, count in (("alice", 2), ("bob", 2), ("carol", 2), ("erin", 0), ("dave", 0)):
        assert api.as_(c[viewer]).get("/api/v1/feedback/").json()["count"] == count, viewer
    assert api.as_(c["erin"]).get(f"/api/v1/feedback/{fb}/").status_code == 404
    assert api.as_(c["bob"]).post(f"/api/v1/feedback/{fb}/acknowledge/").status_code == 403
    r = api.as_(c["alice"]).post(f"/api/v1/feedback/{fb}/acknowledge/")
    assert r.status_code == 200 and r.json()["acknowledged_at"]
    assert api.as_(c["alice"]).get("/api/v1/feedback/?acknowledged=false").json()["count"] == 1
    assert Feedback.objects.filter(acknowledged_at__isnull=False).count() == 1


def test_improvement_plans_api(api, company, cascade):
    c = company
    check_in = submitted(c["alice"], {cascade["customers"]: 3})
    update = check_in.updates.get()
    action = {"kind": "coaching", "description": "Pair on calls", "owner": c["bob"].pk}
    r = api.as_(c["bob"]).post(
        "/api/v1/improvement-plans/", {"update": update.pk, "actions": [action]}, format="json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["person"] == c["alice"].pk and r.json()["actions"][0]["owner_name"] == "Bob"
    r = api.as_(c["bob"]).post(
        "/api/v1/improvement-plans/",
        {"person": c["alice"].pk, "title": "Skills", "actions": [{**action, "kind": "x"}]},
        format="json",
    )
    assert r.status_code == 400 and "actions.0.kind" in r.json()
    r = api.as_(c["erin"]).post(
        "/api/v1/improvement-plans/",
        {"person": c["alice"].pk, "title": "Skills", "actions": [action]},
        format="json",
    )
    assert r.status_code == 403
    r = api.as_(c["erin"]).post(
        "/api/v1/improvement-plans/", {"update": update.pk, "actions": [action]}, format="json"
    )
    assert r.status_code == 400
    assert api.as_(c["alice"]).get("/api/v1/improvement-plans/").json()["count"] == 1
    assert api.as_(c["dave"]).get("/api/v1/improvement-plans/").json()["count"] == 0
    plan_id = ImprovementPlan.objects.get().pk
    for viewer, code in (
        ("alice", 200),
        ("bob", 200),
        ("carol", 200),
        ("erin", 404),
        ("dave", 404),
    ):
        r = api.as_(c[viewer]).get(f"/api/v1/improvement-plans/{plan_id}/")
        assert r.status_code == code, viewer
    assert ImprovementPlan.objects.count() == 1


def test_weekly_reviews_api(api, company, cascade):
    c = company
    submitted(c["alice"], {cascade["customers"]: 6, cascade["calls"]: 100})
    r = api.as_(c["bob"]).get("/api/v1/weekly-reviews/?week=2026-11-17")
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["submitted_count"], data["expected_count"]) == (1, 2)
    assert [p["display_name"] for p in data["missing"]] == ["Erin"]
    assert data["flagged"][0]["cause"] == "not-enough-leads"
    assert data["top_causes"] == [
        {"slug": "not-enough-leads", "label": "Not enough leads", "count": 1}
    ]
    assert data["decisions"] == "" and data["id"] is None
    r = api.as_(c["bob"]).post(
        "/api/v1/weekly-reviews/",
        {"week": "2026-11-16", "decisions": "Lead campaign"},
        format="json",
    )
    assert r.status_code == 200 and r.json()["decisions"] == "Lead campaign"
    review = WeeklyReview.objects.get()
    r = api.as_(c["zed"]).get(f"/api/v1/weekly-reviews/?manager={c['bob'].pk}&week=2026-11-16")
    assert r.status_code == 200 and r.json()["decisions"] == "Lead campaign"
    assert api.as_(c["carol"]).get(f"/api/v1/weekly-reviews/{review.pk}/").status_code == 200
    for viewer in ("alice", "mia", "dave"):
        url = f"/api/v1/weekly-reviews/?manager={c['bob'].pk}"
        assert api.as_(c[viewer]).get(url).status_code == 404, viewer
        assert api.as_(c[viewer]).get(f"/api/v1/weekly-reviews/{review.pk}/").status_code == 404
    assert api.as_(c["bob"]).get("/api/v1/weekly-reviews/?week=2027-01-01").status_code == 400
    assert api.as_(c["bob"]).get("/api/v1/weekly-reviews/?week=nope").status_code == 400
    r = api.as_(c["alice"]).post(
        "/api/v1/weekly-reviews/", {"week": "2026-11-16", "decisions": "x"}, format="json"
    )
    assert r.status_code == 403


@pytest.mark.parametrize("people", [3, 30])
def test_list_endpoints_query_bound(api, company, team_of, people, django_assert_max_num_queries):
    team_of(people)
    for url, rows in (
        ("/api/v1/check-ins/", people),
        ("/api/v1/feedback/", people),
        ("/api/v1/improvement-plans/", people),
    ):
        client = api.as_(company["bob"])  # a freshly loaded user, as in a real request
        with django_assert_max_num_queries(10):
            r = client.get(url)
        assert r.status_code == 200 and r.json()["count"] == rows, url
    with django_assert_max_num_queries(12):
        r = client.get("/api/v1/weekly-reviews/?week=2026-11-16")
    assert r.json()["submitted_count"] == people
    # On a Monday the review looks at the week just ended by default.
    assert client.get("/api/v1/weekly-reviews/").json()["week"] == "2026-11-09"


def test_improvement_action_states(api, company, cascade):
    c = company
    check_in = submitted(c["alice"], {cascade["customers"]: 3})
    action = {"kind": "coaching", "description": "Pair on calls", "owner": c["bob"].pk}
    body = {"update": check_in.updates.get().pk, "actions": [action, {**action, "kind": "other"}]}
    plan = api.as_(c["bob"]).post("/api/v1/improvement-plans/", body, format="json").json()
    url = f"/api/v1/improvement-plans/{plan['id']}/action-state/"
    first, second = (a["id"] for a in plan["actions"])
    r = api.as_(c["alice"]).post(url, {"action": first, "state": "done"}, format="json")
    assert r.status_code == 200 and r.json()["state"] == "open"
    r = api.as_(c["bob"]).post(url, {"action": second, "state": "done"}, format="json")
    assert r.json()["state"] == "done"
    r = api.as_(c["bob"]).post(url, {"action": second, "state": "later"}, format="json")
    assert r.status_code == 400 and "state" in r.json()
    r = api.as_(c["erin"]).post(url, {"action": second, "state": "todo"}, format="json")
    assert r.status_code == 404
    r = api.as_(c["bob"]).post(url, {"action": 999999, "state": "todo"}, format="json")
    assert r.status_code == 400 and "action" in r.json()
