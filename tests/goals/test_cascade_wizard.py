"""The cascade wizard starts with units; people are found by name, unit or title and shown a
page at a time, and people chosen on one page stay chosen on the others."""

import re

import pytest
from django.urls import reverse

from goals.models import Goal
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def goal(make_goal, company):
    return make_goal(
        company["sales"],
        title="Win 200 new customers",
        key_results=[{"name": "New customers", "unit": "c", "target_value": "200"}],
    )


def _team(company, n):
    return [
        PersonFactory(
            user=UserFactory(username=f"rep{i:03}"),
            display_name=f"Rep {i:03}",
            unit=company["field"],
            manager=company["bob"],
        )
        for i in range(n)
    ]


def test_units_come_first(login, company, goal):
    page = login(company["bob"]).get(reverse("goals:cascade", args=[goal.pk])).content.decode()
    assert page.index("<h2>Units</h2>") < page.index("<h2>People</h2>")
    assert 'id="people-q"' in page


def test_people_are_searched_by_name_or_unit(login, company, goal):
    client = login(company["bob"])
    url = reverse("goals:cascade", args=[goal.pk])
    found = client.get(url, {"people_q": company["alice"].display_name}, HTTP_HX_REQUEST="true")
    html = found.content.decode()
    assert "<html" not in html and company["alice"].display_name in html
    assert company["erin"].display_name not in html
    nobody = client.get(url, {"people_q": "zzzz"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Nobody matches." in nobody


def test_people_come_a_page_at_a_time_and_choices_survive_paging(login, company, goal):
    reps = _team(company, 60)
    client = login(company["bob"])
    url = reverse("goals:cascade", args=[goal.pk])
    first = client.get(url).content.decode()
    assert len(re.findall(r'name="person" value="\d+" id=', first)) == 50
    assert "Page 1 of 2" in first
    chosen = reps[0]  # on page 1
    second = client.get(
        url,
        {"people_page": 2, "person": [chosen.pk], f"weight-p{chosen.pk}": "3"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert f'<input type="hidden" name="person" value="{chosen.pk}">' in second
    assert f'name="weight-p{chosen.pk}" value="3"' in second
    assert "1 more person chosen on other pages." in second
    last = reps[-1]  # on page 2
    created = client.post(
        url,
        {
            "key_result": goal.key_results.get().pk,
            "split": "equal",
            "person": [chosen.pk, last.pk],
            "create": "1",
        },
    )
    assert created.status_code == 302
    owners = set(Goal.objects.filter(parent=goal).values_list("owner_person", flat=True))
    assert owners == {chosen.pk, last.pk}


def test_nobody_outside_the_viewers_team_can_be_cascaded_to(login, company, goal):
    client = login(company["bob"])
    client.post(
        reverse("goals:cascade", args=[goal.pk]),
        {
            "key_result": goal.key_results.get().pk,
            "split": "equal",
            "person": [company["dave"].pk],
            "create": "1",
        },
    )
    assert not Goal.objects.filter(parent=goal, owner_person=company["dave"]).exists()


@pytest.mark.parametrize("n", [5, 60])
def test_the_people_page_query_count_is_bounded(
    login, company, goal, n, django_assert_max_num_queries
):
    _team(company, n)
    client = login(company["bob"])
    url = reverse("goals:cascade", args=[goal.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        client.get(url, {"people_q": "Rep"}, HTTP_HX_REQUEST="true")
    with django_assert_max_num_queries(18):
        client.get(url)
