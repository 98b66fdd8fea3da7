"""No user-supplied HTML is rendered: markup typed into a goal title, a key result name, a
check-in, feedback, a lesson and a person's title comes back as text on every page that shows
it, in htmx partials, and in the API's highlighted search snippets."""

import datetime as dt

import pytest
import time_machine

from retros.models import Lesson
from retros.search import highlight, snippet
from tests.retros.factories import make_lesson
from tests.security.test_csp import inline_script_problems
from tests.tracking.factories import make_cycle, person_goal
from tracking import services
from tracking.sparkline import sparkline_svg

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
PAYLOAD = f"Playbook {SCRIPT} {IMG} end"
ESCAPED = ["&lt;script&gt;alert(1)&lt;/script&gt;", "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"]


def assert_inert(html: str, *, escaped: bool = True) -> None:
    assert SCRIPT not in html
    assert "<img src=x" not in html and '<img src="x"' not in html
    assert not inline_script_problems(html)  # nothing became a script, a handler or a style
    if escaped:
        for text in ESCAPED:
            assert text in html


@pytest.fixture(autouse=True)
def monday():
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def hostile(company):
    """Everything Alice and Bob can type, filled with markup."""
    alice, bob = company["alice"], company["bob"]
    alice.title = PAYLOAD
    alice.save()
    cycle = make_cycle()
    goal = person_goal(alice, cycle, names=(PAYLOAD,), target=30)
    goal.title = PAYLOAD
    goal.save()
    kr = goal.key_results.get()
    check_in, _created = services.open_check_in(person=alice)
    check_in = services.submit_check_in(
        actor=alice,
        check_in=check_in,
        updates=[{"key_result": kr.pk, "value": "15", "confidence": "on_track", "note": PAYLOAD}],
        fields={"plan": PAYLOAD, "done": PAYLOAD, "act": PAYLOAD, "blockers": PAYLOAD},
    )
    feedback = services.give_feedback(actor=bob, check_in=check_in, kind="praise", text=PAYLOAD)
    lesson = make_lesson(
        author=alice,
        title=f"Playbook lesson {SCRIPT}",
        context=PAYLOAD,
        problem=PAYLOAD,
        what_worked=PAYLOAD,
        unit=company["field"],
    )
    return {"goal": goal, "kr": kr, "check_in": check_in, "feedback": feedback, "lesson": lesson}


def test_the_payload_is_stored_as_typed(hostile):
    assert hostile["goal"].title == PAYLOAD
    assert hostile["kr"].name == PAYLOAD
    assert hostile["check_in"].updates.get().note == PAYLOAD
    assert hostile["feedback"].text == PAYLOAD
    assert Lesson.objects.get(pk=hostile["lesson"].pk).context == PAYLOAD


def test_goal_detail_shows_title_and_key_result_as_text(company, hostile, login):
    for viewer in ("alice", "bob"):
        response = login(company[viewer]).get(f"/goals/{hostile['goal'].pk}/")
        assert response.status_code == 200
        assert_inert(response.content.decode())


def test_goal_list_and_home_show_the_title_as_text(company, hostile, login):
    client = login(company["alice"])
    for path in ["/goals/", "/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert_inert(response.content.decode())


def test_this_week_shows_note_feedback_and_fields_as_text(company, hostile, login):
    response = login(company["alice"]).get("/tracking/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_inert(html)


def test_check_in_detail_shows_note_feedback_and_fields_as_text(company, hostile, login):
    url = f"/tracking/check-ins/{hostile['check_in'].pk}/"
    for viewer in ("alice", "bob"):
        response = login(company[viewer]).get(url)
        assert response.status_code == 200
        assert_inert(response.content.decode())


def test_team_pages_show_the_check_in_as_text(company, hostile, login):
    client = login(company["bob"])
    for path in ["/tracking/team/", "/tracking/review/"]:
        response = client.get(path)
        assert response.status_code == 200
        assert_inert(response.content.decode(), escaped=False)


def test_person_title_is_text_on_profile_and_directory(company, hostile, login):
    client = login(company["erin"])
    profile = client.get(f"/people/{company['alice'].pk}/")
    assert profile.status_code == 200
    assert_inert(profile.content.decode())
    directory = client.get("/people/", {"q": "alice"}, HTTP_HX_REQUEST="true")
    assert directory.status_code == 200
    assert_inert(directory.content.decode(), escaped=False)


@pytest.mark.parametrize("query", ["playbook", "script", "img onerror"])
def test_lesson_search_results_via_htmx_escape_before_highlighting(company, hostile, login, query):
    response = login(company["alice"]).get("/retros/", {"q": query}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<mark>" in html  # the highlighted path ran
    assert_inert(html, escaped=False)
    assert "&lt;" in html


def test_lesson_page_shows_the_lesson_as_text(company, hostile, login):
    response = login(company["alice"]).get(f"/retros/lessons/{hostile['lesson'].pk}/")
    assert response.status_code == 200
    assert_inert(response.content.decode())


@pytest.mark.parametrize("query", ["playbook", "script"])
def test_api_lesson_search_snippets_are_escaped_html(company, hostile, api, query):
    response = api.as_(company["alice"]).get("/api/v1/lessons/", {"search": query})
    assert response.status_code == 200
    row = response.json()["results"][0]
    for field in ("snippet", "title_highlighted"):
        assert "<mark>" in row[field]
        assert "<script" not in row[field] and "<img" not in row[field]
        assert "&lt;" in row[field]
    # Plain fields are data, not HTML: JSON returns them exactly as typed.
    assert row["context"] == PAYLOAD


def test_highlight_and_snippet_escape_every_piece():
    assert highlight(SCRIPT, ["script"]) == (
        "&lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt;"
    )
    assert highlight(IMG, ["img"]) == "&quot;&gt;&lt;<mark>img</mark> src=x onerror=alert(1)&gt;"
    assert highlight(SCRIPT, []) == "&lt;script&gt;alert(1)&lt;/script&gt;"
    # A window cut through the markup is escaped after cutting, so no tag is ever half-open.
    cut = snippet([("x" * 200) + SCRIPT], ["alert"], width=20)
    assert "<script" not in cut and "&lt;" in cut
    # A term that is itself markup matches as text.
    assert highlight("a <b> c", ["<b>"]) == "a <mark>&lt;b&gt;</mark> c"


def test_notifications_about_the_check_in_show_as_text(company, hostile, login):
    client = login(company["alice"])
    inbox = client.get("/notifications/")
    assert inbox.status_code == 200
    assert_inert(inbox.content.decode(), escaped=False)
    bell = client.get("/notifications/bell/", HTTP_HX_REQUEST="true")
    assert bell.status_code == 200
    assert_inert(bell.content.decode(), escaped=False)


def test_the_sparkline_label_is_escaped():
    svg = str(sparkline_svg([1.0, 2.0, 3.0], label=PAYLOAD))
    assert SCRIPT not in svg and "<img" not in svg
    assert 'aria-label="Playbook &lt;script&gt;' in svg
