"""The cycles page: everyone reads the cycles; admins create and edit them (form errors for
overlaps and years outside 2000–2100) and move them along planning → active → scoring → closed
→ reopened with the row's buttons (htmx swaps the row back). To anyone else the writes are 404."""

import datetime as dt

import pytest
from django.urls import reverse

from goals import services
from goals.models import Cycle, Goal
from tests.factories import PersonFactory, UserFactory
from tests.goals.conftest import kr
from tests.goals.factories import CycleFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _transition(client, cycle, to, **extra):
    return client.post(
        reverse("goals:cycle-transition", args=[cycle.pk]), {"to": to, **extra}, **HX
    )


def test_everyone_reads_the_cycles_admins_see_counts_and_buttons(login, company, quarter):
    page = login(company["alice"]).get(reverse("goals:cycles")).content.decode()
    assert "2026 Q4" in page and "2026-10-01 – 2026-12-31" in page
    assert 'name="to"' not in page and reverse("goals:cycle-create") not in page
    assert reverse("goals:cycles") not in page.split("</nav>")[0]  # no nav link for her
    page = login(company["zed"]).get(reverse("goals:cycles")).content.decode()
    nav = page[page.index('<nav class="nav"') : page.index("</nav>")]
    assert reverse("goals:cycles") in nav
    assert reverse("goals:cycle-create") in page
    assert 'data-move="scoring"' in page  # an active quarter goes to scoring only
    assert 'data-move="closed"' not in page


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_cycle_writes_are_404_for_non_admins(login, company, quarter, who):
    client = login(company[who])
    assert client.get(reverse("goals:cycle-create")).status_code == 404
    assert client.get(reverse("goals:cycle-edit", args=[quarter.pk])).status_code == 404
    data = {"name": "X", "kind": "quarter", "starts_on": "2027-01-01", "ends_on": "2027-03-31"}
    assert client.post(reverse("goals:cycle-create"), data).status_code == 404
    assert _transition(client, quarter, "scoring").status_code == 404
    assert client.get(reverse("goals:cycle-carry-over", args=[quarter.pk])).status_code == 404
    quarter.refresh_from_db()
    assert quarter.state == Cycle.State.ACTIVE
    assert not Cycle.objects.filter(name="X").exists()


def test_admin_creates_a_cycle_and_sees_form_errors(login, company, quarter):
    client = login(company["zed"])
    url = reverse("goals:cycle-create")
    assert client.get(url).status_code == 200
    overlap = {
        "name": "Q4 bis",
        "kind": "quarter",
        "starts_on": "2026-12-01",
        "ends_on": "2027-02-28",
    }
    page = client.post(url, overlap)
    assert page.status_code == 200
    assert "These dates overlap the quarter 2026 Q4." in page.content.decode()
    assert 'value="Q4 bis"' in page.content.decode()  # what was typed stays
    far = {"name": "Far", "kind": "quarter", "starts_on": "2101-01-01", "ends_on": "2101-03-31"}
    page = client.post(url, far).content.decode()
    assert "Choose a date between 2000 and 2100." in page
    backwards = {"name": "B", "kind": "quarter", "starts_on": "2027-03-01", "ends_on": "2027-01-01"}
    assert "A cycle cannot end before it starts." in client.post(url, backwards).content.decode()
    assert not Cycle.objects.filter(name__in=["Q4 bis", "Far", "B"]).exists()
    good = {
        "name": "2027 Q1",
        "kind": "quarter",
        "starts_on": "2027-01-01",
        "ends_on": "2027-03-31",
    }
    response = client.post(url, good)
    assert response.status_code == 302
    created = Cycle.objects.get(name="2027 Q1")
    assert created.state == Cycle.State.PLANNING


def test_admin_edits_a_cycle_with_errors_kept(login, company, quarter, year):
    nxt = CycleFactory(
        name="2027 Q1",
        kind=Cycle.Kind.QUARTER,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 3, 31),
        state=Cycle.State.PLANNING,
    )
    client = login(company["zed"])
    url = reverse("goals:cycle-edit", args=[nxt.pk])
    page = client.get(url).content.decode()
    assert 'value="2027 Q1"' in page
    bad = {
        "name": "Early Q1",
        "kind": "quarter",
        "starts_on": "2026-12-15",
        "ends_on": "2027-03-31",
    }
    page = client.post(url, bad).content.decode()
    assert "These dates overlap the quarter 2026 Q4." in page and 'value="Early Q1"' in page
    nxt.refresh_from_db()
    assert nxt.name == "2027 Q1"
    ok = {"name": "Q1 2027", "kind": "quarter", "starts_on": "2027-01-01", "ends_on": "2027-03-31"}
    assert client.post(url, ok).status_code == 302
    nxt.refresh_from_db()
    assert nxt.name == "Q1 2027"


def test_every_transition_through_the_page(login, company, quarter, make_goal):
    """planning → active → scoring → (back to active → scoring) → closed → reopened, each with
    the row's button; refusals come back in the row with the reason."""
    zed, bob = company["zed"], company["bob"]
    goal = make_goal(company["alice"], state=Goal.State.AGREED, key_results=[kr("10")])
    Cycle.objects.filter(pk=quarter.pk).update(state=Cycle.State.PLANNING)
    client = login(zed)

    row = _transition(client, quarter, "closed")  # not allowed from planning
    assert row.status_code == 200 and "<html" not in row.content.decode()
    assert "From planning, the cycle can go to: Active." in row.content.decode()
    row = _transition(client, quarter, "active").content.decode()
    assert 'data-state="active"' in row and 'data-move="scoring"' in row
    row = _transition(client, quarter, "scoring").content.decode()
    assert 'data-move="closed"' in row and 'data-move="active"' in row
    assert "Close anyway (1 goal is not scored)" in row
    row = _transition(client, quarter, "active").content.decode()  # back, then again
    assert 'data-state="active"' in row
    _transition(client, quarter, "scoring")

    row = _transition(client, quarter, "closed").content.decode()
    assert "1 goal is not scored yet: score it, or close anyway." in row
    quarter.refresh_from_db()
    assert quarter.state == Cycle.State.SCORING
    services.score_goal(actor=bob, goal=goal, manager_score="0.6")
    row = _transition(client, quarter, "closed").content.decode()
    assert 'data-state="closed"' in row and 'name="reason"' in row
    goal.refresh_from_db()
    assert goal.state == Goal.State.CLOSED

    row = _transition(client, quarter, "active", reason="  ").content.decode()
    assert "Say why the closed cycle is reopened." in row
    row = _transition(client, quarter, "active", reason="Finance corrected Q4").content.decode()
    assert 'data-state="active"' in row and "Finance corrected Q4" in row
    quarter.refresh_from_db()
    goal.refresh_from_db()
    assert quarter.state == Cycle.State.ACTIVE and goal.state == Goal.State.AGREED
    page = client.get(reverse("goals:cycles")).content.decode()
    assert "Reason: Finance corrected Q4" in page and "State history" in page


def test_close_anyway_closes_with_unscored_goals(login, company, quarter, make_goal):
    make_goal(company["alice"], state=Goal.State.AGREED)
    make_goal(company["erin"], state=Goal.State.AGREED)
    Cycle.objects.filter(pk=quarter.pk).update(state=Cycle.State.SCORING)
    client = login(company["zed"])
    page = client.get(reverse("goals:cycles")).content.decode()
    assert "Close anyway (2 goals are not scored)" in page and "0 / 2 scored" in page
    row = _transition(client, quarter, "closed", close_anyway="on").content.decode()
    assert 'data-state="closed"' in row
    quarter.refresh_from_db()
    assert quarter.state == Cycle.State.CLOSED


def test_transition_without_htmx_redirects_with_a_message(login, company, quarter):
    client = login(company["zed"])
    response = client.post(
        reverse("goals:cycle-transition", args=[quarter.pk]), {"to": "closed"}, follow=True
    )
    assert "From active, the cycle can go to: Scoring." in response.content.decode()
    response = client.post(
        reverse("goals:cycle-transition", args=[quarter.pk]), {"to": "scoring"}, follow=True
    )
    assert "2026 Q4 is now scoring." in response.content.decode()


@pytest.mark.parametrize("n", [2, 12])
def test_cycles_list_query_count(login, company, n, django_assert_max_num_queries):
    for i in range(n):
        cycle = CycleFactory(
            name=f"M{i}",
            kind=Cycle.Kind.MONTH,
            starts_on=dt.date(2020 + i, 1, 1),
            ends_on=dt.date(2020 + i, 1, 31),
            state=Cycle.State.PLANNING,
        )
        person = PersonFactory(user=UserFactory(username=f"c{n}-{i}"), unit=company["field"])
        services.create_goal(
            actor=None,
            cycle=cycle,
            title=f"Goal {i}",
            level="person",
            owner_person=person,
            key_results=[{"name": "a", "target_value": "5"}],
        )
        services.transition_cycle(actor=company["zed"], cycle=cycle, to="active")
    client = login(company["zed"])
    client.get(reverse("goals:cycles"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("goals:cycles")).content.decode()
    assert page.count('id="cycle-') == n


def test_the_cycle_pages_speak_chinese(login, company, quarter):
    zed = company["zed"]
    zed.language = "zh-hans"
    zed.save(update_fields=["language"])
    page = login(zed).get(reverse("goals:cycles")).content.decode()
    assert "周期依次经历规划、进行中、评分和关闭" in page and "新建周期" in page
    nav = page[page.index('<nav class="nav"') : page.index("</nav>")]
    assert "周期" in nav
    page = login(zed).get(reverse("goals:cycle-scoring", args=[quarter.pk])).content.decode()
    assert "2026 Q4 评分" in page and "各部门评分进度" in page
