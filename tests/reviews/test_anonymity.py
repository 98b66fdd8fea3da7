"""360-degree answers: never shown with a name; the person reads them only aggregated, once
released and with at least 3 answers (otherwise only the manager chain does, and the person
is told why)."""

import pytest

from reviews import services
from reviews.selectors import ANONYMITY_THRESHOLD
from tests.reviews.conftest import EVALUATION, SELF


def _with_answers(w, reviewers):
    services.propose_reviewers(
        actor=w["alice"],
        review=w["review"],
        reviewers=[{"reviewer": p, "relation": "colleague"} for p in reviewers],
    )
    for request in w["review"].feedback_requests.all():
        services.decide_feedback_request(actor=w["bob"], request=request, approve=True)
        services.answer_feedback_request(
            actor=request.reviewer,
            request=request,
            rating=3,
            strengths=f"Zq-strength-by-{request.reviewer.user.username}",
            improvements="",
        )
    w["cycle"].calibration = False
    w["cycle"].save()
    services.submit_self_assessment(actor=w["alice"], review=w["review"], **SELF)
    services.submit_evaluation(actor=w["bob"], review=w["review"], **EVALUATION)
    services.release_review(actor=w["bob"], review=w["review"])


@pytest.mark.django_db
def test_below_the_threshold_only_the_manager_reads_the_answers(api, reviews):
    w = reviews
    _with_answers(w, [w["erin"], w["dave"]])
    assert ANONYMITY_THRESHOLD == 3
    url = f"/api/v1/reviews/{w['review'].pk}/"
    mine = api.as_(w["alice"]).get(url).json()["feedback_360"]
    assert mine["shown"] is False and mine["strengths"] == []
    assert "Fewer than 3 reviewers answered" in mine["reason"]
    bobs = api.as_(w["bob"]).get(url).json()["feedback_360"]
    assert bobs["shown"] is True and len(bobs["strengths"]) == 2
    # The list of requests never carries another reviewer's answer.
    for who in ("alice", "bob", "carol", "zed"):
        body = api.as_(w[who]).get("/api/v1/feedback-requests/").content.decode()
        assert "Zq-strength" not in body, who
    own = api.as_(w["dave"]).get("/api/v1/feedback-requests/").json()["results"]
    assert [row["strengths"] for row in own] == ["Zq-strength-by-dave"]


@pytest.mark.django_db
def test_from_three_answers_the_person_reads_them_without_names(api, login, reviews):
    w = reviews
    _with_answers(w, [w["erin"], w["dave"], w["mia"]])
    mine = api.as_(w["alice"]).get(f"/api/v1/reviews/{w['review'].pk}/").json()["feedback_360"]
    assert mine["shown"] is True and mine["answered"] == 3 and mine["average"] == 3.0
    assert sorted(mine["strengths"]) == mine["strengths"]  # not in the reviewers' order
    page = login(w["alice"]).get(f"/reviews/{w['review'].pk}/").content.decode()
    assert "Zq-strength-by-mia" in page


@pytest.mark.django_db
def test_feedback_is_given_only_when_approved_and_only_by_the_reviewer(api, reviews):
    w = reviews
    services.propose_reviewers(
        actor=w["alice"],
        review=w["review"],
        reviewers=[{"reviewer": w["dave"], "relation": "peer"}],
    )
    request = w["review"].feedback_requests.get()
    url = f"/api/v1/feedback-requests/{request.pk}/"
    body = {"rating": 4, "strengths": "x"}
    assert api.as_(w["dave"]).post(url + "answer/", body).status_code == 400  # not approved
    assert api.as_(w["alice"]).post(url + "approve/").status_code == 403
    assert api.as_(w["erin"]).post(url + "approve/").status_code == 404
    assert api.as_(w["bob"]).post(url + "approve/").status_code == 200
    assert api.as_(w["bob"]).post(url + "answer/", body).status_code == 403
    assert api.as_(w["dave"]).post(url + "answer/", {"rating": 4}).status_code == 400
    assert api.as_(w["dave"]).post(url + "answer/", body).status_code == 200
