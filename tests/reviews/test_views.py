"""The review pages: each role's view of the review, the steps as forms (errors in place,
nothing saved), the calibration page and the formula-safe export."""

import csv
import io

import pytest

from reviews import services
from reviews.models import Review
from tests.reviews.conftest import EVALUATION, SELF


def _evaluated(w, *, calibration=True):
    if not calibration:
        w["cycle"].calibration = False
        w["cycle"].save()
    services.submit_self_assessment(actor=w["alice"], review=w["review"], **SELF)
    services.submit_evaluation(actor=w["bob"], review=w["review"], **EVALUATION)
    w["review"].refresh_from_db()


@pytest.mark.django_db
def test_self_assessment_through_the_page(login, reviews):
    w = reviews
    client = login(w["alice"])
    page = client.get(f"/reviews/{w['review'].pk}/").content.decode()
    assert "Win 45 customers" in page and "Submit my self-assessment" in page
    url = f"/reviews/{w['review'].pk}/self_assess/"
    response = client.post(url, {"results_rating": "4", "comment": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    w["review"].refresh_from_db()
    assert w["review"].state == Review.State.SELF
    response = client.post(
        url, {"results_rating": 4, "competencies_rating": 3, "attitude_rating": 5, "comment": "Ok"}
    )
    assert response.status_code == 302
    w["review"].refresh_from_db()
    assert (w["review"].state, w["review"].self_attitude_rating) == (Review.State.MANAGER, 5)


@pytest.mark.django_db
def test_the_manager_evaluates_from_the_facts_and_an_override_needs_a_reason(login, reviews):
    w = reviews
    services.submit_self_assessment(actor=w["alice"], review=w["review"], **SELF)
    client = login(w["bob"])
    page = client.get(f"/reviews/{w['review'].pk}/").content.decode()
    assert "Submit the evaluation" in page and "Good Q3" in page
    body = {**EVALUATION, "results_rating": 2}
    response = client.post(f"/reviews/{w['review'].pk}/evaluate/", body)
    assert response.status_code == 400
    assert "The numbers suggest 4" in response.content.decode()
    body["results_override_reason"] = "Lost the two biggest accounts"
    assert client.post(f"/reviews/{w['review'].pk}/evaluate/", body).status_code == 302
    w["review"].refresh_from_db()
    assert w["review"].results_rating == 2 and w["review"].suggested_results_rating == 4


@pytest.mark.django_db
def test_the_person_reads_no_rating_before_release(login, reviews):
    w = reviews
    _evaluated(w, calibration=False)
    page = login(w["alice"]).get(f"/reviews/{w['review'].pk}/").content.decode()
    assert "A solid quarter" not in page and "36 of 45 customers" not in page
    assert "You read the evaluation once the review is released." in page
    services.release_review(actor=w["bob"], review=w["review"])
    page = login(w["alice"]).get(f"/reviews/{w['review'].pk}/").content.decode()
    assert "A solid quarter" in page and 'id="final-rating">4<' in page
    assert "Acknowledge" in page


@pytest.mark.django_db
def test_calibration_page_distribution_lock_and_export(login, reviews):
    w = reviews
    _evaluated(w)
    client = login(w["carol"])
    page = client.get(f"/reviews/cycles/{w['cycle'].pk}/").content.decode()
    assert "Distribution per unit and level" in page and "above the guideline" not in page
    url = f"/reviews/{w['review'].pk}/calibrate/"
    response = client.post(url, {"rating": 5, "comment": "", "next": "cycle"})
    assert response.status_code == 400 and "Say why the rating moves." in response.content.decode()
    response = client.post(url, {"rating": 5, "comment": "Best in region", "next": "cycle"})
    assert response.status_code == 302
    page = client.get(f"/reviews/cycles/{w['cycle'].pk}/").content.decode()
    assert "above the guideline" in page  # 1 of 1 at the top rating > 20 %
    # Lock refused while Erin waits for her evaluation.
    client.post(f"/reviews/cycles/{w['cycle'].pk}/lock/")
    w["cycle"].refresh_from_db()
    assert w["cycle"].state == "open"

    w["alice"].display_name = "=HYPERLINK(1)"
    w["alice"].save()
    response = client.get(f"/reviews/cycles/{w['cycle'].pk}/export/")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Person"
    assert rows[1][0] == "'=HYPERLINK(1)" and rows[1][6] == "5"
    assert len(rows) == 2  # Erin has no rating yet
    xlsx = client.get(f"/reviews/cycles/{w['cycle'].pk}/export/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd")


@pytest.mark.django_db
def test_calibration_pages_are_not_for_everyone(login, reviews):
    w = reviews
    for name in ("alice", "erin", "dave"):
        client = login(w[name])
        assert client.get(f"/reviews/cycles/{w['cycle'].pk}/").status_code == 403, name
        assert client.get(f"/reviews/cycles/{w['cycle'].pk}/export/").status_code == 403, name
        assert client.post(f"/reviews/cycles/{w['cycle'].pk}/lock/").status_code == 403, name
    for name in ("erin", "dave", "mia"):
        assert login(w[name]).get(f"/reviews/{w['review'].pk}/").status_code == 404, name


@pytest.mark.django_db
def test_reviewers_answer_and_the_home_page_lists_what_waits(login, reviews):
    w = reviews
    services.propose_reviewers(
        actor=w["alice"],
        review=w["review"],
        reviewers=[{"reviewer": w["dave"], "relation": "colleague"}],
    )
    request = w["review"].feedback_requests.get()
    client = login(w["bob"])
    page = client.get(f"/reviews/{w['review'].pk}/").content.decode()
    assert "Approve" in page
    client.post(f"/reviews/feedback/{request.pk}/decide/", {"decision": "approve"})
    client = login(w["dave"])
    page = client.get("/reviews/").content.decode()
    assert f"/reviews/feedback/{request.pk}/" in page
    response = client.post(f"/reviews/feedback/{request.pk}/", {"rating": 4})
    assert response.status_code == 400
    response = client.post(f"/reviews/feedback/{request.pk}/", {"rating": 4, "strengths": "Calm"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == "answered" and request.strengths == "Calm"
