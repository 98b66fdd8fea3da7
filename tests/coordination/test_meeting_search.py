"""Meetings are found by the lessons knowledge base search: coordination registers a search
provider in retros (which sits below it in the layers), and the lessons page shows the matching
meetings the viewer may see in the same result list as the lessons."""

import datetime as dt
import re

import pytest

from coordination import services
from retros import providers
from retros.models import GlossaryTerm
from tests.retros.factories import make_lesson

pytestmark = pytest.mark.django_db


def _meeting(company, title="Q4 alignment: Sales and Marketing", **extra):
    return services.record_meeting(
        actor=company["bob"],
        kind="alignment",
        title=title,
        held_on=dt.date(2026, 11, 16),
        decisions=extra.pop("decisions", "A lead counts as qualified once budget is confirmed."),
        participants=[company["bob"], company["alice"]],
        actions=[
            {
                "text": "Follow up webinar leads within 48 hours",
                "owner": company["alice"],
                "due_on": dt.date(2026, 11, 20),
            }
        ],
        **extra,
    )


def _results(client, q, **params):
    body = client.get("/retros/", {"q": q, **params}).content.decode()
    return body.split('id="lesson-results"')[1].split("</section>")[0]


def test_coordination_registers_its_meetings_provider():
    assert "meetings" in providers.registered()


def test_lessons_search_returns_meetings_in_the_same_list(login, company):
    meeting = _meeting(company)
    make_lesson(
        author=company["bob"],
        title="Qualified leads need a shared definition",
        what_worked="Sales and Marketing agreed one checklist.",
    )
    results = _results(login(company["alice"]), "qualified")
    url = f'href="/coordination/meetings/{meeting.pk}/"'
    assert url in results and "leads need a shared definition" in results
    assert "Alignment meeting" in results  # what the hit is
    assert "<mark>qualified</mark>" in results
    # Found by an action's words, and by a decision's.
    assert url in _results(login(company["alice"]), "webinar")
    assert url in _results(login(company["alice"]), "budget confirmed")
    assert url not in _results(login(company["alice"]), "nothing-like-this")


def test_only_meetings_the_viewer_may_see(login, company):
    meeting = _meeting(company)
    url = f'href="/coordination/meetings/{meeting.pk}/"'
    for who in ("alice", "bob", "zed", "carol"):  # took part, above them, HRBP, admin
        assert url in _results(login(company[who]), "webinar"), who
    for who in ("erin", "dave", "mia"):  # follow nobody in it
        assert url not in _results(login(company[who]), "webinar"), who


def test_a_meeting_alone_is_found_and_a_filtered_search_is_about_lessons(login, company):
    meeting = _meeting(company)
    client = login(company["alice"])
    results = _results(client, "webinar")
    assert f'href="/coordination/meetings/{meeting.pk}/"' in results
    assert "No lesson matches your search." not in results
    # Filtering by a lesson category asks about lessons only.
    filtered = _results(client, "webinar", category="sales")
    assert f'href="/coordination/meetings/{meeting.pk}/"' not in filtered


def test_glossary_terms_find_meetings_across_languages(login, company):
    GlossaryTerm.objects.create(term="线索", translation="lead", created_by=company["carol"])
    meeting = _meeting(company)
    results = _results(login(company["alice"]), "线索")
    assert f'href="/coordination/meetings/{meeting.pk}/"' in results


def test_meetings_rank_among_lessons(login, company):
    _meeting(company, title="Webinar leads", decisions="Webinar leads go to Sales the same day.")
    make_lesson(author=company["bob"], title="Pricing", what_worked="One webinar mention.")
    results = _results(login(company["alice"]), "webinar")
    assert results.index("Webinar</mark> leads") < results.index("Pricing")


@pytest.mark.parametrize("n", [2, 12])
def test_lessons_search_with_meetings_query_bound(login, company, n, django_assert_max_num_queries):
    for i in range(n):
        _meeting(company, title=f"Webinar sync {i}")
        make_lesson(author=company["bob"], title=f"Webinar lesson {i}", what_worked="Follow up.")
    client = login(company["alice"])
    client.get("/retros/", {"q": "webinar"})
    with django_assert_max_num_queries(20):
        page = client.get("/retros/", {"q": "webinar"})
    found = re.findall(r'href="/coordination/meetings/\d+/"', page.content.decode())
    assert len(found) == min(n, providers.MAX_HITS_PER_PROVIDER)
