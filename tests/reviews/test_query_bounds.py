"""Every list of the reviews app runs a bounded number of queries: 3 people reviewed or 30,
the same bound (API lists, the distribution, the home page, the calibration page, the export)."""

import pytest

from goals.models import Cycle
from reviews import services
from reviews.models import FeedbackRequest, Review
from tests.factories import PersonFactory, UserFactory
from tests.goals.factories import CycleFactory


@pytest.fixture
def crowd(company):
    def build(n):
        quarter = CycleFactory(name="Q", state=Cycle.State.CLOSED)
        for i in range(n):
            PersonFactory(
                user=UserFactory(username=f"rep{i}"),
                display_name=f"Rep-{i:02d}",
                unit=company["field"],
                manager=company["bob"],
            )
        cycle = services.create_review_cycle(
            actor=company["carol"], name="Q review", goal_cycle=quarter, unit=company["sales"]
        )
        services.open_review_cycle(actor=company["carol"], cycle=cycle)
        reviews = list(cycle.reviews.exclude(person__in=[company["bob"]]))
        for i, review in enumerate(reviews):
            FeedbackRequest.objects.create(
                review=review, reviewer=company["dave"], relation="colleague", state="approved"
            )
            if i % 2:
                Review.objects.filter(pk=review.pk).update(
                    state=Review.State.EVALUATED, overall_rating=1 + i % 5
                )
        return cycle

    return build


LISTS = [
    ("bob", "/api/v1/reviews/", 12),
    ("carol", "/api/v1/reviews/", 12),
    ("dave", "/api/v1/feedback-requests/", 12),
    ("bob", "/api/v1/feedback-requests/", 12),
    ("carol", "/api/v1/review-cycles/", 10),
    ("carol", "/api/v1/review-cycles/{cycle}/distribution/", 12),
    ("bob", "/reviews/", 16),
    ("dave", "/reviews/", 16),
    ("carol", "/reviews/cycles/{cycle}/", 16),
    ("carol", "/reviews/cycles/{cycle}/export/", 12),
]


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize(("who", "path", "bound"), LISTS)
def test_list_query_bounds(
    company, crowd, api, login, django_assert_max_num_queries, n, who, path, bound
):
    cycle = crowd(n)
    url = path.format(cycle=cycle.pk)
    client = api.as_(company[who]) if url.startswith("/api/") else login(company[who])
    with django_assert_max_num_queries(bound):
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    body = response.content.decode("utf-8-sig")
    if "export" in url:
        assert body.count("Rep-") == n // 2  # the evaluated half
    elif "review-cycles" not in url:
        assert body.count("Rep-") >= n
