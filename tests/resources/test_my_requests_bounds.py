"""The "my requests" page runs a bounded number of queries for the requester, however many
requests they have (3 vs 30), in every state, own-unit and cross-department."""

import pytest
from django.urls import reverse

from resources import services
from resources.models import ResourceRequest


def _mine(world, n):
    w = world
    for i in range(n):
        req = services.submit_request(
            requester=w["alice"],
            goal=w["sales_goal"],
            key_result=w["kr"] if i % 2 else None,
            kind="budget",
            category="promotion",
            title=f"Request {i:02d}",
            justification="Close the gap",
            amount="10",
            unit=w["marketing"] if i % 3 == 0 else w["sales"],
        )
        if i % 4 == 1:
            services.approve_request(actor=w["zed"], request=req)
        elif i % 4 == 2:
            services.reject_request(actor=w["zed"], request=req, comment="Not this quarter")


@pytest.mark.parametrize("n", [3, 30])
def test_my_requests_page_query_count_for_the_requester(
    world, login, django_assert_max_num_queries, n
):
    _mine(world, n)
    client = login(world["alice"])
    with django_assert_max_num_queries(15):
        response = client.get(reverse("resources:my-requests"))
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert len(rows) == n == ResourceRequest.objects.filter(requester=world["alice"]).count()
    page = response.content.decode()
    assert page.count('<tr id="mine-') == n
    assert f"Request {n - 1:02d}" in page and "Not this quarter" in page
    assert {r.state for r in rows} >= {"submitted", "approved", "rejected"}
