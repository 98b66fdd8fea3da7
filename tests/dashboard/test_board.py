"""The OKR board (/dashboard/board/): 50 cards per column, the next ones on demand (htmx, or
a plain link without it), counts per column from one aggregate, the unit by the owner's path,
in a fixed number of queries whatever the number of goals."""

import pytest
from django.urls import reverse

from goals.models import Goal, KeyResult
from goals.selectors_lists import BOARD_PAGE
from org.models import Person
from tests.factories import PersonFactory, UserFactory


def _people(company, n):
    return [
        PersonFactory(
            user=UserFactory(username=f"b{n}-{i}"),
            unit=company["field"],
            manager=company["bob"],
            level=Person.Level.FRONTLINE,
        )
        for i in range(n)
    ]


def _fill(company, make_goal, n):
    """n goals in each column: proposed, agreed on track, agreed off track (nothing measured
    at mid-quarter), agreed at risk; one marketing goal outside the sales unit."""
    people = _people(company, n)
    for i, person in enumerate(people):
        make_goal(person, title=f"Proposed {i:03}", state=Goal.State.PROPOSED)
        ahead = make_goal(person, title=f"Ahead {i:03}", state=Goal.State.AGREED)
        KeyResult.objects.filter(goal=ahead).update(current_value=45, progress=1.0, pace_on=None)
        make_goal(person, title=f"Behind {i:03}", state=Goal.State.AGREED)
        risky = make_goal(person, title=f"Risky {i:03}", state=Goal.State.AGREED)
        KeyResult.objects.filter(goal=risky).update(current_value=18, progress=0.4, pace_on=None)
    make_goal(company["dave"], title="Publish 12 articles", state=Goal.State.AGREED)


def _columns(response):
    return {col["key"]: col for col in response.context["columns"]}


def test_columns_by_state_and_worst_pace_with_counts(login, company, quarter, make_goal):
    _fill(company, make_goal, 2)
    response = login(company["zed"]).get(
        reverse("dashboard:board"), {"cycle": quarter.pk, "unit": company["sales"].pk}
    )
    cols = _columns(response)
    assert {k: c["count"] for k, c in cols.items()} == {
        "not_agreed": 2,
        "on_track": 2,
        "at_risk": 2,
        "off_track": 2,
    }
    titles = {k: sorted(g.title for g in c["goals"]) for k, c in cols.items()}
    assert titles["not_agreed"] == ["Proposed 000", "Proposed 001"]
    assert titles["on_track"] == ["Ahead 000", "Ahead 001"]
    assert titles["at_risk"] == ["Risky 000", "Risky 001"]
    assert titles["off_track"] == ["Behind 000", "Behind 001"]
    assert all(c["more_url"] is None for c in cols.values())


@pytest.mark.parametrize("n", [4, 12])
def test_board_query_count_does_not_grow(
    login, company, quarter, make_goal, n, production_sign_in, django_assert_max_num_queries
):
    _fill(company, make_goal, n)
    # As deployed (sessions and the viewer cached): 12 for the admin and for the head of
    # sales, whose scope (people managed, units headed below) is read per request.
    for viewer, bound in (("zed", 12), ("bob", 12)):
        client = login(company[viewer])
        client.get(reverse("dashboard:board"), {"cycle": quarter.pk})
        for params in ({"cycle": quarter.pk}, {"cycle": quarter.pk, "unit": company["sales"].pk}):
            with django_assert_max_num_queries(bound):
                response = client.get(reverse("dashboard:board"), params)
            assert sum(c["count"] for c in response.context["columns"]) >= 4 * n
    with django_assert_max_num_queries(12):
        client.get(
            reverse("dashboard:board"),
            {"cycle": quarter.pk, "column": "off_track", "page": 2},
            HTTP_HX_REQUEST="true",
        )


def test_a_column_shows_fifty_cards_and_the_next_ones_on_demand(login, company, quarter, make_goal):
    people = _people(company, 3)
    for i in range(BOARD_PAGE + 10):
        make_goal(people[i % 3], title=f"Proposal {i:03}", state=Goal.State.PROPOSED)
    client = login(company["zed"])
    response = client.get(reverse("dashboard:board"), {"cycle": quarter.pk})
    col = _columns(response)["not_agreed"]
    assert col["count"] == BOARD_PAGE + 10 and len(col["goals"]) == BOARD_PAGE
    assert "column=not_agreed" in col["more_url"] and "page=2" in col["more_url"]
    page = response.content.decode()
    assert f'hx-get="{col["more_url"].replace("&", "&amp;")}"' in page
    # htmx: the column's next cards only, with no further "more"
    more = client.get(col["more_url"], HTTP_HX_REQUEST="true").content.decode()
    assert more.count('class="card goal-card"') == 10 and "<html" not in more
    assert "board-more" not in more
    # without htmx: the board with that column's next cards in their place
    fallback = client.get(col["more_url"])
    cols = _columns(fallback)
    assert len(cols["not_agreed"]["goals"]) == 10 and cols["not_agreed"]["first"] == 51
    assert "Cards 51–60 of 60." in fallback.content.decode()
    shown = {g.title for c in (col, cols["not_agreed"]) for g in c["goals"]}
    assert len(shown) == BOARD_PAGE + 10


def test_unknown_column_or_page_is_404(login, company, quarter):
    client = login(company["zed"])
    board = reverse("dashboard:board")
    assert client.get(board, {"cycle": quarter.pk, "column": "x"}).status_code == 404
    assert (
        client.get(board, {"cycle": quarter.pk, "column": "on_track", "page": "x"}).status_code
        == 404
    )


def test_the_board_hides_goals_the_viewer_may_not_see(login, company, quarter, make_goal):
    make_goal(company["dave"], title="Private plan", visibility=Goal.Visibility.PRIVATE)
    make_goal(company["dave"], title="Open plan")
    response = login(company["alice"]).get(reverse("dashboard:board"), {"cycle": quarter.pk})
    titles = [g.title for c in response.context["columns"] for g in c["goals"]]
    assert titles == ["Open plan"]
    assert _columns(response)["not_agreed"]["count"] == 1
