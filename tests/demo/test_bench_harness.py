"""The benchmark harness (`make bench`): its three floors, and the users each row is measured
as, found in the scale data by the size of what they lead or cover."""

import pytest

from bench import scenarios
from bench.client import (
    ANONYMOUS_FLOOR,
    SIGNED_IN_API_FLOOR,
    SIGNED_IN_PAGE_FLOOR,
    Endpoint,
)
from demo.seed import org_synthetic
from org import scopes
from org.models import Person, Unit


@pytest.mark.urls("tests.demo.bench_urls")
def test_the_floors(client, login, api, company, django_assert_max_num_queries):
    assert client.get("/bench/floor").json() == {"status": "ok"}
    # The signed-in floors are for signed-in people only.
    assert client.get("/bench/page").status_code == 302
    assert api.get("/api/v1/bench/floor/").status_code in (401, 403)

    signed_in = login(company["alice"])
    with django_assert_max_num_queries(12):  # issue 18's bar for a page, sign-in included
        page = signed_in.get("/bench/page")
    assert page.status_code == 200
    assert b"Sign out" in page.content  # the layout every page shares
    answer = api.as_(company["alice"]).get("/api/v1/bench/floor/")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "user": company["alice"].user_id}


def test_each_row_is_compared_with_its_floor():
    assert Endpoint("a floor", "/x", group="floor").floor == ANONYMOUS_FLOOR
    assert Endpoint("a page", "/x", user="alice").floor == SIGNED_IN_PAGE_FLOOR
    assert Endpoint("a call", "/x", user="alice", token=True).floor == SIGNED_IN_API_FLOOR
    assert Endpoint("a page", "/x").limit == 5


@pytest.mark.django_db
def test_the_rows_users_are_found_by_the_size_of_what_they_lead():
    ctx = org_synthetic.seed_synthetic(employees=300, seed=1)
    root = ctx.units["company"]
    chosen = scenarios.units(300)
    # 300 people: 30 teams of about ten, one department and one division above them.
    assert chosen["ceo"].unit == root
    assert chosen["ceo"].people == 299  # everyone but the CEO
    team = chosen["team_of_8"]
    assert team.unit.kind == Unit.Kind.TEAM
    assert team.people == Person.objects.filter(unit=team.unit).count() - 1 == 8
    assert chosen["head_of_500"].unit.kind in (Unit.Kind.DIVISION, Unit.Kind.DEPARTMENT)
    # The spans count the whole subtree below the head.
    for key in ("head_of_500", "head_of_2000"):
        span = chosen[key]
        below = Person.objects.filter(unit__path__startswith=span.unit.path).count()
        assert span.people == below - 1
    # Each alignment review is made by an HRBP covering the reviewed unit.
    assert chosen["review_team"].unit.kind == Unit.Kind.TEAM
    for key in ("review_team", "review_department", "review_division"):
        assert scopes.hrbp_covers_unit(chosen[key + "_hrbp"], chosen[key].unit)
    people = scenarios.personas(chosen)
    assert people["employee"].unit == team.unit
    assert people["employee"].level == Person.Level.FRONTLINE
    assert people["ceo"] == root.head
    assert people["team_of_8"] == team.unit.head
