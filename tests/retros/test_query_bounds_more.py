"""More query bounds (3 rows vs 30, the same bound): the 5-Why and retrospective-template
lists; and, on PostgreSQL, the lessons search uses the GIN index on the search vector."""

import datetime as dt
import importlib

import pytest
from django.db import connection

from retros import selectors, services
from tests.retros.conftest import CHAIN
from tests.retros.factories import make_goal, make_lesson


@pytest.mark.parametrize("rows", [3, 30])
def test_five_whys_list_query_count(company, q3, api, django_assert_max_num_queries, rows):
    bob = company["bob"]
    goal = make_goal(actor=bob, cycle=q3, owner=company["alice"])
    for n in range(rows):
        retro = services.create_retrospective(
            actor=bob, cycle=q3, goal=goal, participants=[company["erin"]]
        )
        services.save_five_why(
            actor=bob,
            retrospective=retro,
            problem=f"Sales below target ({n})",
            whys=CHAIN,
            countermeasure="Build the training system",
            countermeasure_owner=company["alice"],
            countermeasure_due_on=dt.date(2026, 11, 30),
        )
    for who in ("bob", "carol"):  # the facilitator and the unit's HRBP
        client = api.as_(company[who])
        with django_assert_max_num_queries(10):
            r = client.get("/api/v1/five-whys/")
        assert r.status_code == 200
        data = r.json()
        assert data["count"] == rows
        first = data["results"][0]
        assert [w["text"] for w in first["whys"]] == CHAIN
        assert first["action"]["progress"] == "open"


@pytest.mark.parametrize("rows", [3, 30])
def test_retro_templates_list_query_count(company, api, django_assert_max_num_queries, rows):
    for n in range(rows):
        services.save_template(
            actor=company["zed"],
            name=f"Template {n:02d}",
            questions={
                "reasons": [f"Why did we miss target {n}?"],
                "what_worked": ["What worked?"],
            },
        )
    client = api.as_(company["alice"])
    with django_assert_max_num_queries(6):
        r = client.get("/api/v1/retro-templates/")
    assert r.status_code == 200
    assert r.json()["count"] == rows + 1  # and the default "Standard" template


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GIN index is PostgreSQL's")
def test_lessons_search_plan_uses_the_gin_index(company):
    """EXPLAIN of the search query (sequential scans off, statistics fresh): the planner finds
    the matching lessons through the GIN index on the search vector, for English and
    Chinese queries alike."""
    from django.utils import timezone

    from retros import search
    from retros.models import Lesson
    from retros.services.lessons import refresh_search_vectors

    index = importlib.import_module("retros.migrations.0002_lesson_search_gin").INDEX
    assert index == "retros_lesson_search_gin"
    make_lesson(
        author=company["mia"],
        title="短视频引流+社群转化 works for young customers",
        what_worked="Short videos drove leads; 用短视频引流，再通过社群转化。",
    )
    filler = [
        (f"Trade show leads need a fast follow-up ({n})", "Call every lead within 48 hours.")
        for n in range(2000)
    ]
    Lesson.objects.bulk_create(
        [
            Lesson(
                author=company["bob"],
                title=title,
                what_worked=worked,
                state=Lesson.State.PUBLISHED,
                published_at=timezone.now(),
                search_title=search.document(title),
                search_document=search.document(title, worked),
            )
            for title, worked in filler
        ]
    )
    refresh_search_vectors(Lesson.objects.filter(search_vector__isnull=True))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE retros_lesson")  # what autovacuum would do: real statistics
    for query in ("short video", "短视频引流"):
        result = selectors.search_lessons(viewer=company["bob"], query=query)
        assert [lesson.title for lesson in result.lessons][:1] == [
            "短视频引流+社群转化 works for young customers"
        ]
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            plan = result.lessons.queryset.explain()
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = on")
        assert index in plan, plan
