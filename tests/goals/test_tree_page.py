"""The goal tree page (/goals/<id>/tree/): two levels open, each node's children paged
(TREE_CHILDREN_PAGE at a time, "more" through htmx or a plain link), each level capped, in a
fixed number of queries whatever the size of the tree."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from goals.models import Goal
from goals.selectors_lists import TREE_CHILDREN_PAGE, TREE_LEVEL_CAP


@pytest.fixture
def cached_viewer(settings):
    """The signed-in viewer kept between requests, as deployed (with Redis): the bound counts
    the sign-in's own queries (session, user) and the page's work. The first request fills
    the cache."""
    settings.KEEL_VIEWER_CACHE = True
    cache.clear()
    yield
    cache.clear()


def _tree(company, quarter, make_goal, n):
    """A company goal → n unit goals → 3 person goals each → 1 deeper goal each."""
    top = make_goal(company["acme"], level=Goal.Level.COMPANY, title="Grow market share by 5 %")
    mids = Goal.objects.bulk_create(
        [
            Goal(
                level="unit",
                title=f"Unit goal {i:03}",
                owner_unit=company["sales"],
                owner_path=company["sales"].path,
                cycle=quarter,
                parent=top,
            )
            for i in range(n)
        ]
    )
    people = Goal.objects.bulk_create(
        [
            Goal(
                level="person",
                title=f"Person goal {i:03}-{j}",
                owner_person=company["alice"],
                owner_path=company["field"].path,
                cycle=quarter,
                parent=mid,
            )
            for i, mid in enumerate(mids)
            for j in range(3)
        ]
    )
    Goal.objects.bulk_create(
        [
            Goal(
                level="person",
                title=f"Deep goal {i:03}",
                owner_person=company["alice"],
                owner_path=company["field"].path,
                cycle=quarter,
                parent=person,
            )
            for i, person in enumerate(people)
        ]
    )
    return top, mids


@pytest.mark.parametrize("n", [10, 30])
def test_tree_page_and_expansion_query_counts_do_not_grow(
    login, company, quarter, make_goal, n, cached_viewer, django_assert_max_num_queries
):
    top, mids = _tree(company, quarter, make_goal, n)
    client = login(company["bob"])
    client.get(reverse("goals:list"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("goals:tree", args=[top.pk])).content.decode()
    shown = min(n, TREE_CHILDREN_PAGE)
    assert page.count("<details") == 1 + shown + 3 * shown
    assert "Deep goal" not in page
    with django_assert_max_num_queries(12):
        more = client.get(
            reverse("goals:tree", args=[mids[0].pk]) + "?children=1", HTTP_HX_REQUEST="true"
        ).content.decode()
    assert more.count("<details") == 3 + 3 and "<html" not in more


def test_a_node_with_many_children_shows_a_page_of_them_and_the_rest_on_demand(
    login, company, quarter, make_goal
):
    top, mids = _tree(company, quarter, make_goal, 45)
    client = login(company["bob"])
    page = client.get(reverse("goals:tree", args=[top.pk])).content.decode()
    assert "Unit goal 019" in page and "Unit goal 020" not in page
    assert "25 more goals" in page
    # htmx: the next page of children in the "more" line's place, with the next "more"
    more = client.get(
        reverse("goals:tree", args=[top.pk]) + "?children=1&offset=20", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Unit goal 020" in more and "Unit goal 039" in more and "Unit goal 040" not in more
    assert "offset=40" in more and "5 more goals" in more and "<html" not in more
    # without htmx the link opens the tree page from there
    assert f"/goals/{top.pk}/tree/?offset=20" in page
    last = client.get(reverse("goals:tree", args=[top.pk]), {"offset": 40}).content.decode()
    assert "Unit goal 040" in last and "Unit goal 044" in last and "Unit goal 039" not in last
    assert "more goal" not in last


def test_each_level_is_capped_and_capped_nodes_open_on_demand(
    login, company, quarter, make_goal, cached_viewer, django_assert_max_num_queries
):
    # 20 unit goals × 20 person goals: level two would be 400 goals, the cap loads 200
    top = make_goal(company["acme"], level=Goal.Level.COMPANY, title="Grow market share by 5 %")
    mids = Goal.objects.bulk_create(
        [
            Goal(
                level="unit",
                title=f"Unit goal {i:03}",
                owner_unit=company["sales"],
                owner_path=company["sales"].path,
                cycle=quarter,
                parent=top,
            )
            for i in range(TREE_CHILDREN_PAGE)
        ]
    )
    Goal.objects.bulk_create(
        [
            Goal(
                level="person",
                title=f"Person goal {i:03}-{j:02}",
                owner_person=company["alice"],
                owner_path=company["field"].path,
                cycle=quarter,
                parent=mid,
            )
            for i, mid in enumerate(mids)
            for j in range(TREE_CHILDREN_PAGE)
        ]
    )
    client = login(company["bob"])
    client.get(reverse("goals:list"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("goals:tree", args=[top.pk])).content.decode()
    assert page.count("<details") == 1 + TREE_CHILDREN_PAGE + TREE_LEVEL_CAP
    # every unit goal shows its first children; its other ones are one "more" away
    per_node = TREE_LEVEL_CAP // TREE_CHILDREN_PAGE
    assert f"Person goal 000-{per_node - 1:02}" in page
    assert f"Person goal 000-{per_node:02}" not in page
    assert page.count(f"{TREE_CHILDREN_PAGE - per_node} more goals") == TREE_CHILDREN_PAGE


def test_the_tree_leaves_out_goals_the_viewer_may_not_see(login, company, quarter, make_goal):
    top = make_goal(company["acme"], level=Goal.Level.COMPANY, title="Grow market share by 5 %")
    make_goal(company["alice"], title="Open goal", parent=top)
    make_goal(company["dave"], title="Private plan", parent=top, visibility=Goal.Visibility.PRIVATE)
    page = login(company["alice"]).get(reverse("goals:tree", args=[top.pk])).content.decode()
    assert "Open goal" in page and "Private plan" not in page and "more goal" not in page
