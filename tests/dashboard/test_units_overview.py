"""The HRBP overview: each partnered unit with its subtree on one page, every number from the
stored rows, a fixed number of queries whatever the size."""

import datetime as dt

import pytest

from goals import services as goal_services
from goals.models import Goal
from goals.services.alignment import record_alignment_review
from tests.factories import PersonFactory, UserFactory
from tracking.models import CheckIn

pytestmark = pytest.mark.django_db

LAST_WEEK = dt.date(2026, 11, 2)  # "today" is Sunday 2026-11-15: the week before this one


def _row(html: str, unit) -> str:
    start = html.index(f'id="unit-{unit.pk}"')
    return html[start : html.index("</tr>", start)]


def test_the_hrbp_sees_her_units_numbers(login, company, cascade, quarter):
    CheckIn.objects.create(person=company["alice"], week=LAST_WEEK, state="submitted")
    CheckIn.objects.create(person=company["erin"], week=LAST_WEEK, state="draft")
    kr = cascade["alice"].key_results.get()
    goal_services.request_adjustment(
        actor=company["alice"], key_result=kr, new_target="40", reason="market", evidence="x" * 30
    )
    record_alignment_review(
        actor=company["carol"],
        unit=company["sales"],
        cycle=quarter,
        outcome="changes_requested",
        comments="Align erin's goal",
    )
    html = login(company["carol"]).get(f"/dashboard/units/?cycle={quarter.pk}").content.decode()
    row = " ".join(_row(html, company["sales"]).split())
    # Sales and below: bob, alice, erin; goals: Sales' own, alice's, erin's (all agreed)
    assert '<td class="num" data-label="People">3</td>' in row
    assert '<td class="num" data-label="Goals">3' in row
    assert '67 %</span> <span class="small muted">2/3' in row  # alice and erin agreed
    assert '33 %</span> <span class="small muted">1/3' in row  # only alice submitted
    assert '<td class="num" data-label="Adjustments to decide">1</td>' in row
    assert "Changes requested" in row and "> Review </a>" in row
    # the Sales goal aligns to the company goal, the reps' to Sales: nothing unaligned
    assert '<span class="badge ok">0</span>' in row
    assert f'id="unit-{company["marketing"].pk}"' not in html  # not hers


def test_a_goal_aligned_to_nothing_is_counted(login, company, cascade, make_goal, quarter):
    make_goal(company["erin"], title="On my own", state=Goal.State.AGREED)
    html = login(company["carol"]).get(f"/dashboard/units/?cycle={quarter.pk}").content.decode()
    assert '<span class="badge bad">1</span>' in _row(html, company["sales"])


def test_only_hrbps_and_admins(login, company):
    assert login(company["alice"]).get("/dashboard/units/").status_code == 404
    assert login(company["bob"]).get("/dashboard/units/").status_code == 404
    admin = login(company["zed"]).get("/dashboard/units/").content.decode()
    for unit in ("sales", "marketing", "hr"):
        assert f'id="unit-{company[unit].pk}"' in admin


def test_the_hrbp_finds_it_in_the_navigation(login, company):
    assert 'href="/dashboard/units/"' in login(company["carol"]).get("/").content.decode()


# Queries of a warm request: without Redis (every sign-in read from the database) and as in
# production with Redis (the session and the viewer from the cache, the user row read).
BOUNDS = {"cold": 15, "production": 12}


@pytest.mark.parametrize("signed_in", BOUNDS)
@pytest.mark.parametrize("n", [3, 30])
def test_query_count_does_not_grow(
    request, login, company, quarter, n, signed_in, django_assert_max_num_queries
):
    if signed_in == "production":
        request.getfixturevalue("production_sign_in")
    for i in range(n):
        person = PersonFactory(
            user=UserFactory(username=f"p{i}"), unit=company["field"], manager=company["bob"]
        )
        CheckIn.objects.create(person=person, week=LAST_WEEK, state="submitted")
    client = login(company["carol"])
    client.get("/dashboard/units/")
    with django_assert_max_num_queries(BOUNDS[signed_in]):
        assert client.get(f"/dashboard/units/?cycle={quarter.pk}").status_code == 200
