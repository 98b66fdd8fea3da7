import datetime as dt

import pytest

from retros import services
from retros.models import FiveWhyAnalysis, Lesson, RetroAction
from tests.retros.conftest import CHAIN
from tests.retros.factories import make_lesson


def test_knowledge_base_search_as_you_type(company, login):
    make_lesson(
        author=company["mia"],
        title="短视频引流+社群转化 works for young customers",
        what_worked="用短视频引流，再通过社群转化。",
    )
    make_lesson(author=company["mia"], title="Structured interviews", what_worked="Scores.")
    client = login(company["alice"])
    page = client.get("/retros/")
    assert page.status_code == 200
    assert 'id="lesson-search"' in page.content.decode()
    r = client.get("/retros/", {"q": "短视频引流"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body
    assert "<mark>引流</mark>" in body and "Structured interviews" not in body
    assert r["Vary"] and "HX-Request" in r["Vary"]


def test_nav_links_the_knowledge_base(company, login):
    body = login(company["alice"]).get("/").content.decode()
    assert 'href="/retros/"' in body


def test_retrospective_page_shows_results_causes_and_actions(company, retro, login, q4):
    services.save_five_why(
        actor=company["bob"],
        retrospective=retro,
        problem="Sales below target",
        whys=CHAIN,
        countermeasure="Build the training system",
        countermeasure_owner=company["alice"],
        countermeasure_due_on=dt.date(2026, 11, 30),
    )
    action = RetroAction.objects.get()
    client = login(company["bob"])
    r = client.post(f"/retros/actions/{action.pk}/follow-through/", {"to": "goal"})
    assert r.status_code == 302
    body = client.get(f"/retros/retrospectives/{retro.pk}/").content.decode()
    assert "New customers" in body and "60%" in body
    assert CHAIN[-1] in body and "Root cause" in body
    assert "2026 Q4" in body and "In progress" in body


def test_five_why_editor_adds_a_level_with_htmx(company, retro, login):
    client = login(company["bob"])
    page = client.get(f"/retros/retrospectives/{retro.pk}/five-whys/new/")
    assert page.content.decode().count('name="why"') == 5
    r = client.get("/retros/five-whys/level/", {"number": 6}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert 'id="why-6"' in body and 'hx-swap-oob="true"' in body and "number=7" in body


def test_five_why_editor_shows_errors_in_place(company, retro, login):
    client = login(company["bob"])
    url = f"/retros/retrospectives/{retro.pk}/five-whys/new/"
    r = client.post(url, {"problem": "Sales below target", "why": [CHAIN[0], "", CHAIN[2]]})
    body = r.content.decode()
    assert r.status_code == 400
    assert "Why 2 is empty" in body and "mark the level" in body
    assert "The countermeasure needs an owner." in body
    r = client.post(
        url,
        {
            "problem": "Sales below target",
            "why": CHAIN[:2],
            "root": "2",
            "countermeasure": "Playbook",
            "countermeasure_owner": company["alice"].pk,
            "countermeasure_due_on": "2026-11-30",
        },
    )
    assert r.status_code == 302
    assert FiveWhyAnalysis.objects.get().levels.count() == 2


def test_sections_improvements_hold_and_publish_pages(company, retro, login):
    client = login(company["bob"])
    base = f"/retros/retrospectives/{retro.pk}/"
    assert client.post(base + "sections/", {"reasons": "Few leads"}).status_code == 302
    r = client.post(base + "improvements/", {"description": ""})
    assert r.status_code == 400 and "This field is required" in r.content.decode()
    r = client.post(
        base + "improvements/", {"description": "Pitch practice", "owner": company["erin"].pk}
    )
    assert r.status_code == 302
    client.post(base + "hold/")
    client.post(base + "publish/")
    retro.refresh_from_db()
    assert retro.state == "published"
    assert login(company["carol"]).post(base + "hold/").status_code == 403


def test_lesson_from_retrospective_page(company, retro, login):
    services.update_retrospective(actor=company["bob"], retro=retro, what_worked="Referrals")
    client = login(company["bob"])
    form = client.get("/retros/lessons/new/", {"retrospective": retro.pk}).content.decode()
    assert "Referrals" in form and retro.title in form
    r = client.post(
        "/retros/lessons/new/",
        {
            "title": "Referrals work",
            "what_worked": "Referrals",
            "tags": "referral，sales",
            "source_retrospective": retro.pk,
            "publish": "1",
        },
    )
    assert r.status_code == 302
    lesson = Lesson.objects.get()
    assert lesson.state == "published" and lesson.source_retrospective == retro
    assert lesson.tag_names == ["referral", "sales"]
    assert (
        login(company["dave"]).get("/retros/lessons/new/", {"retrospective": retro.pk}).status_code
        == 404
    )


@pytest.mark.parametrize("rows", [3, 30])
def test_pages_query_counts(company, q3, login, django_assert_max_num_queries, rows, sales_goal):
    for n in range(rows):
        services.create_retrospective(actor=company["bob"], cycle=q3, goal=sales_goal)
        make_lesson(
            author=company["bob"], title=f"Lesson {n} short video", what_worked="ok", tags=["x"]
        )
    client = login(company["bob"])
    with django_assert_max_num_queries(20):
        assert client.get("/retros/").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/retros/", {"q": "short video"}).status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/retros/retrospectives/").status_code == 200


def test_pages_speak_chinese(company, login):
    alice = company["alice"]
    alice.language = "zh-hans"
    alice.save()
    body = login(alice).get("/retros/").content.decode()
    assert "搜索经验" in body


def test_start_a_unit_retrospective_page(company, q3, login):
    client = login(company["bob"])
    assert client.get("/retros/retrospectives/new/").status_code == 200
    r = client.post(
        "/retros/retrospectives/new/",
        {"cycle": q3.pk, "unit": company["sales"].pk, "participants": [company["alice"].pk]},
    )
    assert r.status_code == 302
    r = login(company["dave"]).post(
        "/retros/retrospectives/new/", {"cycle": q3.pk, "unit": company["sales"].pk}
    )
    assert r.status_code == 200 and "Only the owner" in r.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_retrospective_page_query_count(company, retro, login, django_assert_max_num_queries, rows):
    for n in range(rows):
        services.add_improvement(
            actor=company["bob"], retro=retro, description=f"Improve {n}", owner=company["erin"]
        )
    for n in range(3 if rows == 3 else 10):
        services.save_five_why(
            actor=company["bob"],
            retrospective=retro,
            problem=f"Problem {n}",
            whys=[{"text": f"Cause {n}", "is_root_cause": True}],
            countermeasure="Fix",
            countermeasure_owner=company["alice"],
            countermeasure_due_on=dt.date(2026, 11, 30),
        )
    client = login(company["bob"])
    # 20: the results snapshot is filtered to the goals the viewer may see (two queries).
    with django_assert_max_num_queries(20):
        assert client.get(f"/retros/retrospectives/{retro.pk}/").status_code == 200
