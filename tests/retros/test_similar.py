from decimal import Decimal

import pytest

from goals.models import Goal
from retros import selectors
from retros.models import Lesson
from tests.retros.factories import make_goal, make_lesson


@pytest.fixture
def lessons(company):
    mia, bob = company["mia"], company["bob"]
    return {
        "video": make_lesson(
            author=mia,
            title="短视频引流+社群转化 works for young customers",
            category="online promotion",
            what_worked="Short videos bring young leads; a community converts them.",
        ),
        "video_en": make_lesson(
            author=mia,
            title="Short video ads convert young buyers",
            category="online promotion",
            what_worked="Three short videos a week.",
        ),
        "referral": make_lesson(
            author=bob,
            title="Referral bonus doubles new customers",
            category="sales",
            what_worked="Existing customers refer friends for a discount.",
        ),
        "pitch": make_lesson(
            author=bob,
            title="Tailored pitch per customer group",
            category="sales",
            solution="A playbook for each customer group lifted conversion.",
        ),
        "hiring": make_lesson(
            author=bob,
            title="Structured interviews reduce bad hires",
            category="hiring",
            what_worked="Scoring sheets.",
        ),
        "draft": make_lesson(
            author=bob,
            title="New customers from short video (draft)",
            category="sales",
            problem="notes",
            publish=False,
        ),
    }


def test_similar_for_a_goal_uses_words_and_category(company, q3, lessons):
    goal = make_goal(
        actor=company["bob"],
        cycle=q3,
        owner=company["alice"],
        title="Win new customers",
        category="sales",
        krs=[{"name": "New customers per month", "target_value": Decimal(30)}],
    )
    goal = Goal.objects.prefetch_related("key_results").get(pk=goal.pk)
    result = selectors.similar_lessons(viewer=company["alice"], goal=goal)
    assert [lesson.pk for lesson in result.lessons] == [
        lessons["referral"].pk,  # title words and category
        lessons["pitch"].pk,  # category and a body word
        lessons["video"].pk,  # words only ("young customers")
    ]
    assert lessons["draft"].pk not in [lesson.pk for lesson in result.lessons]


def test_similar_for_a_key_result(company, q3, lessons):
    goal = make_goal(
        actor=company["mia"],
        cycle=q3,
        owner=company["dave"],
        title="Grow online leads",
        category="online promotion",
        krs=[{"name": "Leads from short video", "target_value": Decimal(500)}],
    )
    kr = goal.key_results.get()
    result = selectors.similar_lessons(viewer=company["dave"], key_result=kr)
    # Both video lessons share the category and the words (PostgreSQL prefers the title hit
    # of the English one, SQLite the extra word "leads" of the other); nothing else matches.
    pks = [lesson.pk for lesson in result.lessons]
    assert set(pks[:2]) == {lessons["video"].pk, lessons["video_en"].pk}
    assert len(pks) == 2  # nothing else shares a word or the category


def test_similar_partial_and_click_through_counts(company, q3, lessons, login):
    goal = make_goal(
        actor=company["bob"], cycle=q3, owner=company["alice"], title="Win new customers"
    )
    client = login(company["alice"])
    r = client.get(f"/retros/similar/?goal={goal.pk}", HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    body = r.content.decode()
    url = f"/retros/lessons/{lessons['referral'].pk}/?from=suggestion"
    assert url in body
    r = client.get(url)
    assert r.status_code == 302
    assert Lesson.objects.get(pk=lessons["referral"].pk).opened_from_suggestion == 1
    client.get(f"/retros/lessons/{lessons['referral'].pk}/")
    assert Lesson.objects.get(pk=lessons["referral"].pk).opened_from_suggestion == 1
    assert client.get("/retros/similar/").status_code == 400
    assert client.get("/retros/similar/?goal=999999").status_code == 404


def test_similar_api(company, q3, lessons, api):
    goal = make_goal(
        actor=company["bob"], cycle=q3, owner=company["alice"], title="Win new customers"
    )
    kr = goal.key_results.get()
    r = api.as_(company["alice"]).get(f"/api/v1/lessons/similar/?key_result={kr.pk}")
    assert r.status_code == 200, r.content
    data = r.json()
    assert len(data) == 3
    assert data[0]["url"].endswith("?from=suggestion")
    assert api.get("/api/v1/lessons/similar/").status_code == 400
    assert api.get("/api/v1/lessons/similar/?goal=abc").status_code == 400


def test_similar_hides_goals_the_viewer_cannot_see(company, q3, lessons, api):
    goal = make_goal(
        actor=company["bob"], cycle=q3, owner=company["alice"], title="Win new customers"
    )
    Goal.objects.filter(pk=goal.pk).update(visibility=Goal.Visibility.PRIVATE)
    assert (
        api.as_(company["dave"]).get(f"/api/v1/lessons/similar/?goal={goal.pk}").status_code == 404
    )
    assert (
        api.as_(company["bob"]).get(f"/api/v1/lessons/similar/?goal={goal.pk}").status_code == 200
    )
