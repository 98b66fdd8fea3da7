"""The people directory (/people/): a bounded number of queries whatever the number of people
and units, and the chart's numbers equal to the level-by-level computation."""

import pickle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org import permissions, selectors
from org.models import Person, Unit
from tests.factories import PersonFactory, UnitFactory
from tests.org.reference import managed_ids_by_levels

PAGE_BOUND = 12


def _grow(company, n: int) -> None:
    """n more people under Bob in the field team, and n more teams under Sales and Marketing."""
    for i in range(n):
        PersonFactory(unit=company["field"], manager=company["bob"])
        team = UnitFactory(name=f"Team {n}-{i}", parent=company["sales" if i % 2 else "marketing"])
        PersonFactory(unit=team)


def _count(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries), r.content.decode()


@pytest.mark.parametrize("n", [3, 9])
@pytest.mark.parametrize("who", ["alice", "bob", "zed"])
def test_directory_page_is_bounded(company, login, n, who):
    _grow(company, n)
    queries, _page = _count(login(company[who]), "/people/")
    assert queries <= PAGE_BOUND, queries


def test_chart_and_levels_equal_the_level_by_level_computation(company, login):
    _grow(company, 4)
    UnitFactory(name="Nested", parent=company["field"])
    viewer = company["bob"]
    top = selectors.unit_tree_top(viewer=viewer)
    expected = selectors.unit_children(viewer=viewer)
    for node in expected:
        node["children"] = selectors.unit_children(viewer=viewer, parent=node["unit"])

    def flat(nodes):
        return [
            (n["unit"].pk, n["headcount"], n["has_children"], flat(n.get("children", [])))
            for n in nodes
        ]

    assert flat(top) == flat(expected)
    assert top[0]["headcount"] == Person.objects.filter(is_active=True).count()
    # The level column shows for exactly the people the viewer may read it of.
    for who in ("alice", "bob", "carol", "zed"):
        page = login(company[who]).get("/people/").context["sensitive_ids"]
        allowed = set(
            permissions.visible_people(company[who])
            .filter(permissions.sensitive_people_q(company[who]))
            .values_list("pk", flat=True)
        )
        shown = set(
            Person.objects.filter(is_active=True)
            .order_by("display_name", "pk")[:50]
            .values_list("pk", flat=True)
        )
        assert page == allowed & shown
    assert Unit.objects.count() >= 10


def test_managed_people_in_one_query_equal_the_level_by_level_walk(
    company, django_assert_num_queries
):
    """`Viewer.managed_ids` is one recursive query; it finds what the walk level by level
    finds (reports, units headed, their reports in turn; a management loop ends)."""
    from org import scopes

    c = company
    deep = UnitFactory(name="Deep", parent=c["field"])
    deep.head = c["alice"]
    deep.save()
    below = PersonFactory(unit=deep)
    PersonFactory(unit=c["hr"], manager=below)  # reports across the tree
    c["zed"].manager = c["dave"]  # a loop: zed → mia → dave → zed
    c["zed"].save()
    for person in Person.objects.select_related("unit"):
        with django_assert_num_queries(1):
            ids = scopes._managed_ids(person.pk)
        viewer = scopes.Viewer(person)
        assert ids == managed_ids_by_levels(person, viewer.headed_paths), person
        # The same people as a filter (subtree paths and a few ids), fresh and as the
        # identity cache brings it back (pickled).
        with django_assert_num_queries(1):
            scope = scopes.Viewer(person).managed_scope
        for kept in (scope, pickle.loads(pickle.dumps(scope))):
            again = scopes.Viewer(person)
            again.__dict__["managed_scope"] = kept
            assert set(scopes.managed_people(again).values_list("pk", flat=True)) == ids, person
            for other in Person.objects.select_related("unit"):
                assert again.manages(other) == (other.pk in ids), (person, other)
                assert again.manages_pk(other.pk) == (other.pk in ids), (person, other)
    assert below.pk in scopes.Viewer(c["bob"]).managed_ids
    # bob heads Sales: one subtree, and the person reporting to someone in it from HR by id.
    scope = scopes.Viewer(c["bob"]).managed_scope
    assert scope.paths == (c["sales"].path,)
    assert len(scope.extra) >= 1
