import datetime as dt

import pytest

from retros import services
from retros.models import Lesson, Retrospective
from tests.retros.conftest import CHAIN
from tests.retros.factories import make_goal, make_lesson


def test_create_hold_publish_flow(company, q3, sales_goal, api):
    bob = company["bob"]
    r = api.as_(bob).post(
        "/api/v1/retrospectives/",
        {"cycle": q3.pk, "goal": sales_goal.pk, "participants": [company["erin"].pk]},
    )
    assert r.status_code == 201, r.content
    data = r.json()
    pk = data["id"]
    assert data["state"] == "draft" and data["results"]["goals"][0]["title"] == "Grow sales"
    assert set(data["questions"]) == {"results", "reasons", "what_worked", "improvements"}
    r = api.post(f"/api/v1/retrospectives/{pk}/publish/")
    assert r.status_code == 400
    assert "Hold the retrospective" in r.json()["non_field_errors"][0]
    assert api.post(f"/api/v1/retrospectives/{pk}/hold/").json()["state"] == "held"
    r = api.patch(f"/api/v1/retrospectives/{pk}/", {"reasons": "Not enough leads"})
    assert r.status_code == 200 and r.json()["reasons"] == "Not enough leads"
    assert api.post(f"/api/v1/retrospectives/{pk}/publish/").json()["state"] == "published"
    # A participant may look but not publish or hold.
    assert api.as_(company["erin"]).post(f"/api/v1/retrospectives/{pk}/hold/").status_code == 403
    assert api.as_(company["erin"]).get(f"/api/v1/retrospectives/{pk}/").status_code == 200


def test_create_bad_input_is_400(company, q3, sales_goal, api):
    client = api.as_(company["bob"])
    r = client.post("/api/v1/retrospectives/", {"cycle": q3.pk})
    assert r.status_code == 400 and "goal" in r.json()
    r = client.post("/api/v1/retrospectives/", {"cycle": "x", "goal": sales_goal.pk})
    assert r.status_code == 400 and "cycle" in r.json()
    r = api.as_(company["dave"]).post(
        "/api/v1/retrospectives/", {"cycle": q3.pk, "goal": sales_goal.pk}
    )
    assert r.status_code == 403


def test_five_why_api(company, retro, api):
    client = api.as_(company["bob"])
    payload = {
        "retrospective": retro.pk,
        "problem": "Sales below target",
        "whys": [{"text": t} for t in CHAIN[:3]],
        "countermeasure": "Training system",
        "countermeasure_owner": company["alice"].pk,
        "countermeasure_due_on": "2026-11-30",
    }
    r = client.post("/api/v1/five-whys/", payload, format="json")
    assert r.status_code == 400
    assert "mark the level" in r.json()["whys"][0]
    payload["whys"] = [{"text": t} for t in CHAIN]
    r = client.post("/api/v1/five-whys/", payload, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert [w["text"] for w in data["whys"]] == CHAIN
    assert data["root_cause"] == CHAIN[-1]
    assert data["action"]["progress"] == "open"
    r = client.patch(
        f"/api/v1/five-whys/{data['id']}/",
        {"whys": [{"text": "A"}, {"text": "A"}, {"text": "B", "is_root_cause": True}]},
        format="json",
    )
    assert r.status_code == 400 and r.json()["whys.2"] == [
        "Why 2 repeats why 1; each answer must go one level deeper."
    ]
    r = client.patch(f"/api/v1/five-whys/{data['id']}/", {"problem": "Revenue below target"})
    assert r.status_code == 200 and r.json()["problem"] == "Revenue below target"
    assert api.as_(company["dave"]).get(f"/api/v1/five-whys/{data['id']}/").status_code == 404
    r = api.as_(company["dave"]).post("/api/v1/five-whys/", payload, format="json")
    assert r.status_code == 400 and "retrospective" in r.json()


def test_follow_through_api(company, retro, q4, api):
    client = api.as_(company["bob"])
    r = client.post(
        f"/api/v1/retrospectives/{retro.pk}/improvements/",
        {"description": "Weekly pitch practice", "owner": company["erin"].pk},
    )
    assert r.status_code == 201, r.content
    action_id = r.json()["id"]
    r = client.post(f"/api/v1/retro-actions/{action_id}/follow-through/", {"to": "goal"})
    assert r.status_code == 200, r.content
    assert r.json()["goal"] and r.json()["progress"] == "in_progress"
    r = client.post(f"/api/v1/retro-actions/{action_id}/follow-through/", {"to": "plan"})
    assert r.status_code == 400
    r = client.post(f"/api/v1/retro-actions/{action_id}/follow-through/", {"to": "moon"})
    assert r.status_code == 400 and "to" in r.json()
    assert (
        api.as_(company["dave"])
        .post(f"/api/v1/retro-actions/{action_id}/follow-through/")
        .status_code
        == 404
    )


def test_lessons_api_search_filters_and_snippets(company, api):
    mia = company["mia"]
    make_lesson(
        author=mia,
        title="短视频引流+社群转化 works for young customers",
        category="online promotion",
        what_worked="用短视频引流，再通过社群转化。",
        tags=["短视频"],
    )
    make_lesson(
        author=mia,
        title="Short video ads convert young buyers",
        category="online promotion",
        what_worked="Short videos drove leads.",
        tags=["video"],
    )
    client = api.as_(company["alice"])
    r = client.get("/api/v1/lessons/", {"search": "短视频引流"})
    assert r.status_code == 200
    rows = r.json()["results"]
    assert [row["title"] for row in rows] == ["短视频引流+社群转化 works for young customers"]
    assert "<mark>引流</mark>" in rows[0]["snippet"] and rows[0]["rank"] > 0
    rows = client.get("/api/v1/lessons/", {"search": "short video"}).json()["results"]
    assert rows[0]["title"] == "Short video ads convert young buyers"
    assert "<mark>Short</mark>" in rows[0]["title_highlighted"]
    assert client.get("/api/v1/lessons/", {"tag": "video"}).json()["count"] == 1
    assert client.get("/api/v1/lessons/", {"category": "Online Promotion"}).json()["count"] == 2
    assert client.get("/api/v1/lessons/", {"unit": "abc"}).status_code == 400


def test_lesson_create_publish_and_drafts(company, retro, api):
    alice, bob = company["alice"], company["bob"]
    r = api.as_(alice).post(
        "/api/v1/lessons/", {"title": "Pitch per group", "tags": ["pitch", "Pitch"]}, format="json"
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    assert r.json()["tags"] == ["pitch"] and r.json()["state"] == "draft"
    assert api.as_(bob).get(f"/api/v1/lessons/{pk}/").status_code == 404
    assert api.as_(bob).get("/api/v1/lessons/").json()["count"] == 0
    r = api.as_(alice).post(f"/api/v1/lessons/{pk}/publish/")
    assert r.status_code == 400  # nothing to learn yet
    assert (
        api.as_(alice).patch(f"/api/v1/lessons/{pk}/", {"solution": "A playbook"}).status_code
        == 200
    )
    assert api.as_(alice).post(f"/api/v1/lessons/{pk}/publish/").json()["state"] == "published"
    assert api.as_(bob).get(f"/api/v1/lessons/{pk}/").status_code == 200
    assert api.as_(bob).patch(f"/api/v1/lessons/{pk}/", {"title": "x"}).status_code == 403
    r = api.as_(alice).post("/api/v1/lessons/", {"effectiveness": 9, "title": "x"}, format="json")
    assert r.status_code == 400 and "effectiveness" in r.json()


def test_lesson_prefilled_from_retrospective(company, retro, api):
    services.update_retrospective(
        actor=company["bob"], retro=retro, reasons="Too few leads", what_worked="Referrals"
    )
    services.save_five_why(
        actor=company["bob"],
        retrospective=retro,
        problem="Sales below target",
        whys=CHAIN,
        countermeasure="Build the training system",
        countermeasure_owner=company["alice"],
        countermeasure_due_on=dt.date(2026, 11, 30),
    )
    r = api.as_(company["bob"]).post(
        "/api/v1/lessons/", {"source_retrospective": retro.pk, "publish": True}, format="json"
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["title"] == retro.title and data["category"] == "sales"
    assert "Too few leads" in data["problem"] and CHAIN[-1] in data["problem"]
    assert data["what_worked"] == "Referrals"
    assert "Build the training system" in data["solution"]
    assert "New customers: 60 of 100 (60%)" in data["context"]
    assert data["state"] == "published" and data["unit"] == company["field"].pk
    r = api.as_(company["dave"]).post(
        "/api/v1/lessons/", {"source_retrospective": retro.pk}, format="json"
    )
    assert r.status_code == 400 and "source_retrospective" in r.json()


def test_templates_api(company, api):
    r = api.as_(company["bob"]).post("/api/v1/retro-templates/", {"name": "T"}, format="json")
    assert r.status_code == 403
    r = api.as_(company["zed"]).post(
        "/api/v1/retro-templates/",
        {
            "name": "Sales",
            "questions": {"reasons": ["Which leads did we lose?"]},
            "is_default": True,
        },
        format="json",
    )
    assert r.status_code == 201, r.content
    rows = api.as_(company["bob"]).get("/api/v1/retro-templates/").json()["results"]
    assert [(t["name"], t["is_default"]) for t in rows] == [("Sales", True), ("Standard", False)]


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_counts(company, q3, api, django_assert_max_num_queries, rows):
    bob = company["bob"]
    goal = make_goal(actor=bob, cycle=q3, owner=company["alice"])
    for n in range(rows):
        retro = services.create_retrospective(
            actor=bob, cycle=q3, goal=goal, participants=[company["erin"]]
        )
        make_lesson(
            author=bob,
            title=f"Lesson {n} about short video",
            what_worked="Short videos.",
            tags=["a", "b"],
            source_retrospective=retro,
        )
    client = api.as_(company["carol"])
    with django_assert_max_num_queries(12):
        r = client.get("/api/v1/retrospectives/")
    assert r.json()["count"] == rows
    with django_assert_max_num_queries(10):
        r = client.get("/api/v1/lessons/")
    assert r.json()["count"] == rows
    with django_assert_max_num_queries(10):
        r = client.get("/api/v1/lessons/", {"search": "short video"})
    assert r.json()["count"] == rows
    with django_assert_max_num_queries(10):
        r = client.get("/api/v1/retro-actions/")
    assert Retrospective.objects.count() == rows and Lesson.objects.count() == rows
