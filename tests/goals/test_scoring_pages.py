"""The scoring page of a cycle in scoring: a person gives her own goals a self score (prefilled
with the suggestion, with a comment; htmx swaps the row), a manager scores his team's goals in
one form (one bad row saves nothing, the typed values come back), HRBPs and admins read the
progress per unit."""

import pytest
from django.urls import reverse

from goals import services
from goals.models import Cycle, Goal
from tests.factories import PersonFactory, UserFactory
from tests.goals.conftest import kr

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def scoring(company, quarter, make_goal):
    """Alice's goal at 40 %, Erin's aspirational one at 0, Sales' unit goal; Q4 in scoring."""
    alice = make_goal(company["alice"], state=Goal.State.AGREED, key_results=[kr("100")])
    services.record_measurement(key_result=alice.key_results.get(), value="40", source="api")
    erin = make_goal(
        company["erin"],
        title="Open a second region",
        state=Goal.State.AGREED,
        commitment=Goal.Commitment.ASPIRATIONAL,
    )
    sales = make_goal(company["sales"], title="Sales grows", state=Goal.State.AGREED)
    Cycle.objects.filter(pk=quarter.pk).update(state=Cycle.State.SCORING)
    quarter.refresh_from_db()
    alice.refresh_from_db()
    return {"alice": alice, "erin": erin, "sales": sales}


def _url(cycle):
    return reverse("goals:cycle-scoring", args=[cycle.pk])


def test_a_person_self_scores_her_goal_with_a_comment(login, company, quarter, scoring):
    goal = scoring["alice"]
    client = login(company["alice"])
    page = client.get(_url(quarter)).content.decode()
    assert 'name="self_score"' in page and 'value="0.40"' in page  # the suggestion
    assert "Open a second region" not in page  # Erin's goal is not hers to score
    assert 'id="team-scores"' not in page and 'id="scoring-progress"' not in page
    url = reverse("goals:cycle-self-score", args=[quarter.pk, goal.pk])
    row = client.post(url, {"self_score": "1.7", "comment": "Tough quarter"}, **HX)
    body = row.content.decode()
    assert "<html" not in body and "Enter a score between 0.0 and 1.0." in body
    assert 'value="1.7"' in body and 'value="Tough quarter"' in body  # typed input kept
    goal.refresh_from_db()
    assert goal.self_score is None
    body = client.post(url, {"self_score": "0.5", "comment": "Tough quarter"}, **HX)
    assert "Saved" in body.content.decode()
    goal.refresh_from_db()
    assert (goal.self_score, goal.score_comment) == (0.5, "Tough quarter")


def test_self_score_of_someone_elses_goal_is_404(login, company, quarter, scoring):
    url = reverse("goals:cycle-self-score", args=[quarter.pk, scoring["alice"].pk])
    for who in ("erin", "bob", "zed"):
        assert login(company[who]).post(url, {"self_score": "1"}, **HX).status_code == 404
    scoring["alice"].refresh_from_db()
    assert scoring["alice"].self_score is None


def test_a_manager_scores_his_team_in_one_form(login, company, quarter, scoring):
    alice, erin = scoring["alice"], scoring["erin"]
    client = login(company["bob"])
    page = client.get(_url(quarter)).content.decode()
    assert 'id="team-scores"' in page
    assert f'name="manager-{alice.pk}"' in page and f'name="manager-{erin.pk}"' in page
    assert "Aspirational: expected score 0.70" in page  # read against its expected score
    assert f'name="manager-{scoring["sales"].pk}"' not in page  # his own unit's goal
    data = {"goal": [alice.pk, erin.pk], f"manager-{alice.pk}": "0.4", f"manager-{erin.pk}": "x"}
    page = client.post(_url(quarter), data).content.decode()
    assert "Enter a score between 0.0 and 1.0." in page
    assert 'value="x"' in page and 'value="0.4"' in page
    alice.refresh_from_db()
    assert alice.manager_score is None  # one bad row saves nothing
    data[f"manager-{erin.pk}"] = "0.65"
    response = client.post(_url(quarter), data, follow=True)
    assert "2 goals scored." in response.content.decode()
    alice.refresh_from_db()
    erin.refresh_from_db()
    assert (alice.manager_score, alice.score, erin.manager_score) == (0.4, 0.4, 0.65)


def test_scoring_someone_outside_the_team_is_404(login, company, quarter, scoring):
    goal = scoring["alice"]
    for who in ("mia", "dave", "carol", "alice"):
        response = login(company[who]).post(
            _url(quarter), {"goal": goal.pk, f"manager-{goal.pk}": "1"}
        )
        assert response.status_code == 404, who
    goal.refresh_from_db()
    assert goal.manager_score is None


def test_hrbp_and_admin_read_the_progress_per_unit(login, company, quarter, scoring):
    services.score_goal(actor=company["bob"], goal=scoring["alice"], manager_score="0.4")
    page = login(company["carol"]).get(_url(quarter)).content.decode()
    assert 'id="scoring-progress"' in page
    progress = page[page.index('id="scoring-progress"') : page.index('id="own-scores"')]
    assert "Field team" in progress and "1 / 2" in progress  # Alice scored, Erin not
    assert "Sales" in progress and "0 / 1" in progress
    assert 'name="manager-' not in page  # read-only
    page = login(company["zed"]).get(_url(quarter)).content.decode()
    assert "Field team" in page and "1 / 2" in page
    assert 'id="scoring-progress"' not in login(company["dave"]).get(_url(quarter)).content.decode()


def test_outside_scoring_the_page_is_read_only(login, company, quarter, scoring):
    Cycle.objects.filter(pk=quarter.pk).update(state=Cycle.State.ACTIVE)
    page = login(company["bob"]).get(_url(quarter)).content.decode()
    assert "Scoring is open while the cycle is in scoring" in page
    assert 'name="manager-' not in page
    goal = scoring["alice"]
    page = login(company["bob"]).post(_url(quarter), {"goal": goal.pk, f"manager-{goal.pk}": "1"})
    assert "Goals are scored while their cycle is in scoring" in page.content.decode()


@pytest.mark.parametrize("n", [2, 15])
def test_scoring_page_query_count(login, company, quarter, n, django_assert_max_num_queries):
    for i in range(n):
        person = PersonFactory(
            user=UserFactory(username=f"s{n}-{i}"), unit=company["field"], manager=company["bob"]
        )
        goal = services.create_goal(
            actor=None,
            cycle=quarter,
            title=f"Goal {i}",
            level="person",
            owner_person=person,
            commitment="aspirational" if i % 2 else "committed",
            key_results=[{"name": "a", "target_value": "5"}],
        )
        Goal.objects.filter(pk=goal.pk).update(state=Goal.State.AGREED)
    Cycle.objects.filter(pk=quarter.pk).update(state=Cycle.State.SCORING)
    for who in ("bob", "zed"):
        client = login(company[who])
        client.get(_url(quarter))
        with django_assert_max_num_queries(16):
            page = client.get(_url(quarter)).content.decode()
        if who == "bob":
            assert page.count('name="goal"') == n


def test_a_goal_closed_on_its_own_is_shown_but_not_in_the_bulk_form(
    login, company, quarter, scoring
):
    erin = scoring["erin"]
    Goal.objects.filter(pk=erin.pk).update(state=Goal.State.CLOSED)
    client = login(company["bob"])
    page = client.get(_url(quarter)).content.decode()
    assert "Open a second region" in page and f'name="manager-{erin.pk}"' not in page
    alice = scoring["alice"]
    response = client.post(
        _url(quarter), {"goal": alice.pk, f"manager-{alice.pk}": "0.4"}, follow=True
    )
    assert "1 goal scored." in response.content.decode()


def test_goal_page_and_list_lead_to_the_scoring_page(login, company, quarter, scoring):
    url = reverse("goals:cycle-scoring", args=[quarter.pk])
    client = login(company["alice"])
    assert url in client.get(reverse("goals:detail", args=[scoring["alice"].pk])).content.decode()
    assert url in client.get(reverse("goals:list") + f"?cycle={quarter.pk}").content.decode()
    page = login(company["dave"]).get(reverse("goals:detail", args=[scoring["alice"].pk]))
    assert url not in page.content.decode()  # not his to score
