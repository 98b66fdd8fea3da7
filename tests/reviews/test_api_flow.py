"""The whole review through the API: self-assessment → 360 → manager → calibration (audited)
→ release (the domain event) → conversation → acknowledgement → development plan, which the
weekly check-in page then shows."""

import pytest

from core.events import domain_event
from notifications.models import Notification
from reviews import services
from reviews.models import FeedbackRequest, Review
from tests.reviews.conftest import EVALUATION, SELF
from tracking.models import ImprovementPlan


def _answer_360(api, w, reviewers):
    alice, bob = w["alice"], w["bob"]
    body = {"reviewers": [{"reviewer": p.pk, "relation": "colleague"} for p in reviewers]}
    url = f"/api/v1/reviews/{w['review'].pk}/reviewers/"
    assert api.as_(alice).post(url, body, format="json").status_code == 200
    for request in FeedbackRequest.objects.filter(review=w["review"]):
        response = api.as_(bob).post(f"/api/v1/feedback-requests/{request.pk}/approve/")
        assert response.status_code == 200, response.json()
        response = api.as_(request.reviewer).post(
            f"/api/v1/feedback-requests/{request.pk}/answer/",
            {"rating": 4, "strengths": f"Strong follow-up ({request.reviewer.pk})"},
            format="json",
        )
        assert response.status_code == 200, response.json()


def _evaluate_erin(w):
    services.submit_self_assessment(actor=w["erin"], review=w["erin_review"], **SELF)
    services.submit_evaluation(actor=w["bob"], review=w["erin_review"], **EVALUATION)


@pytest.mark.django_db
def test_full_flow_through_the_api(api, reviews):
    w = reviews
    alice, bob, carol = w["alice"], w["bob"], w["carol"]
    url = f"/api/v1/reviews/{w['review'].pk}/"

    mine = api.as_(alice).get(url).json()
    assert mine["state"] == "self"
    assert mine["available_actions"] == ["self_assess", "propose_reviewers"]
    assert mine["facts"]["goals"][0]["score"] == 0.8
    assert mine["facts"]["suggested_rating"] is None  # hidden before release
    assert api.as_(alice).post(url + "self-assessment/", SELF, format="json").status_code == 200

    _answer_360(api, w, [w["erin"], w["dave"], w["mia"]])
    before = api.as_(alice).get(url).json()["feedback_360"]
    assert before["shown"] is False and before["strengths"] == []

    # The numbers suggest 4 (a score of 0.8): another results rating needs a reason.
    response = api.as_(bob).post(url + "evaluate/", {**EVALUATION, "results_rating": 5})
    assert response.status_code == 400
    assert "results_override_reason" in response.json()
    response = api.as_(bob).post(
        url + "evaluate/",
        {**EVALUATION, "results_rating": 5, "results_override_reason": "Two key accounts"},
    )
    assert response.status_code == 200, response.json()
    assert response.json()["suggested_results_rating"] == 4
    assert api.as_(alice).get(url).json()["overall_rating"] is None  # not released yet

    # Calibration: a move needs a comment; the change is in the history, with its author.
    response = api.as_(carol).post(url + "calibrate/", {"rating": 3})
    assert response.status_code == 400 and "comment" in response.json()
    response = api.as_(carol).post(url + "calibrate/", {"rating": 3, "comment": "Sales curve"})
    assert response.status_code == 200, response.json()
    last = Review.history.filter(id=w["review"].pk).order_by("-history_id").first()
    assert (last.calibrated_rating, last.history_user_id) == (3, carol.user_id)
    assert last.history_change_reason == "Sales curve"

    # Release waits for the lock, and the lock for every review evaluated.
    assert api.as_(bob).post(url + "release/").status_code == 400
    cycle_url = f"/api/v1/review-cycles/{w['cycle'].pk}/"
    assert api.as_(carol).post(cycle_url + "lock/").status_code == 400
    _evaluate_erin(w)
    assert api.as_(carol).post(cycle_url + "lock/").json()["state"] == "locked"
    locked = api.as_(carol).post(url + "calibrate/", {"rating": 4, "comment": "x"})
    assert locked.status_code == 400 and "state" in locked.json()

    events = []

    def listen(sender, name, payload, **kwargs):
        events.append((name, payload))

    domain_event.connect(listen)
    try:
        assert api.as_(bob).post(url + "release/").status_code == 200
    finally:
        domain_event.disconnect(listen)
    review = w["review"]
    assert events == [
        ("review.released", {"review": review.pk, "person": alice.pk, "cycle": w["cycle"].pk})
    ]

    _conversation(api, w, url)


def _conversation(api, w, url):
    """After the release: Alice reads it, they meet, she acknowledges, a plan is agreed."""
    alice, bob, carol, review = w["alice"], w["bob"], w["carol"], w["review"]
    mine = api.as_(alice).get(url).json()
    assert (mine["final_rating"], mine["calibrated_rating"], mine["state"]) == (3, 3, "released")
    assert mine["feedback_360"]["shown"] is True
    assert mine["feedback_360"]["answered"] == 3
    assert "reviewer" not in str(mine["feedback_360"])

    assert api.as_(bob).post(url + "meeting/", {"met_on": "2026-10-08"}).status_code == 200
    response = api.as_(alice).post(url + "acknowledge/", {"disagree": True})
    assert response.status_code == 400 and "comment" in response.json()
    response = api.as_(alice).post(
        url + "acknowledge/", {"disagree": True, "comment": "Two key accounts count more"}
    )
    assert response.json()["state"] == "acknowledged"
    assert Notification.objects.filter(recipient=carol, kind="review.disagreement").exists()

    plan = {
        "title": "Grow into key accounts",
        "actions": [{"kind": "training", "description": "Key account course"}],
    }
    response = api.as_(alice).post(url + "development-plan/", plan, format="json")
    assert response.status_code == 200, response.json()
    created = ImprovementPlan.objects.get(source=f"review:{review.pk}")
    assert created.person == alice and created.state == ImprovementPlan.State.OPEN
    assert response.json()["development_plan"] == created.pk


@pytest.mark.django_db
def test_the_development_plan_appears_in_the_weekly_check_in(login, reviews):
    w = reviews
    services.submit_self_assessment(actor=w["alice"], review=w["review"], **SELF)
    w["review"].cycle.calibration = False
    w["review"].cycle.save()
    services.submit_evaluation(actor=w["bob"], review=w["review"], **EVALUATION)
    services.release_review(actor=w["bob"], review=w["review"])
    services.agree_development_plan(
        actor=w["bob"],
        review=w["review"],
        title="Zq-dev-plan",
        actions=[{"kind": "coaching", "description": "Shadow Bob on renewals"}],
    )
    page = login(w["alice"]).get("/tracking/").content.decode()
    assert "Zq-dev-plan" in page and "Shadow Bob on renewals" in page


@pytest.mark.django_db
def test_bad_input_is_a_400_with_field_errors_and_changes_nothing(api, reviews):
    w = reviews
    url = f"/api/v1/reviews/{w['review'].pk}/"
    for body in ({}, {**SELF, "results_rating": 9}, {**SELF, "comment": ""}):
        response = api.as_(w["alice"]).post(url + "self-assessment/", body, format="json")
        assert response.status_code == 400
    response = api.as_(w["alice"]).post(
        url + "reviewers/", {"reviewers": [{"reviewer": 10**9, "relation": "peer"}]}, format="json"
    )
    assert response.status_code == 400
    response = api.as_(w["alice"]).post(
        url + "reviewers/",
        {"reviewers": [{"reviewer": w["alice"].pk, "relation": "peer"}]},
        format="json",
    )
    assert response.status_code == 400 and "reviewers.0" in response.json()
    # The manager cannot evaluate before the self-assessment.
    response = api.as_(w["bob"]).post(url + "evaluate/", EVALUATION)
    assert response.status_code == 400 and "state" in response.json()
    # Nor the person evaluate herself.
    assert api.as_(w["alice"]).post(url + "evaluate/", EVALUATION).status_code == 403
    w["review"].refresh_from_db()
    assert w["review"].state == Review.State.SELF
    assert not FeedbackRequest.objects.exists()
    response = api.as_(w["carol"]).post(
        "/api/v1/review-cycles/",
        {
            "name": "x",
            "goal_cycle": w["cycle"].goal_cycle_id,
            "unit": w["sales"].pk,
            "levels": ["ceo"],
        },
        format="json",
    )
    assert response.status_code == 400 and "levels" in response.json()


@pytest.mark.django_db
def test_who_sees_a_review(api, reviews):
    w = reviews
    url = f"/api/v1/reviews/{w['review'].pk}/"
    for name in ("alice", "bob", "carol", "zed"):
        assert api.as_(w[name]).get(url).status_code == 200, name
    for name in ("erin", "dave", "mia"):
        assert api.as_(w[name]).get(url).status_code == 404, name
        listed = api.as_(w[name]).get("/api/v1/reviews/").json()["results"]
        assert w["review"].pk not in {row["id"] for row in listed}
