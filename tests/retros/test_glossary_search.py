"""Search across both languages: the organisation's glossary expands a query (客户 ↔ customer),
words match inside longer words, and retrospectives are found beside lessons."""

import pytest

from retros import search, selectors, services
from retros.models import GlossaryTerm
from tests.retros.factories import make_lesson


@pytest.fixture
def glossary(company):
    carol = company["carol"]  # an HRBP
    services.add_glossary_term(actor=carol, term="客户", translation="customer")
    services.add_glossary_term(actor=carol, term="渠道", translation="sales pipeline")


@pytest.fixture
def lessons(company):
    mia, bob = company["mia"], company["bob"]
    return {
        "zh": make_lesson(
            author=mia, title="老客户转介绍", what_worked="每月回访老客户，请他们推荐。"
        ),
        "en": make_lesson(
            author=bob, title="Customer referrals", what_worked="Ask happy customers monthly."
        ),
        "pipe": make_lesson(
            author=bob,
            title="Weekly pipeline review",
            what_worked="Every deal in the sales pipeline.",
        ),
        "hiring": make_lesson(
            author=bob, title="Structured interviews", what_worked="Four fixed questions."
        ),
    }


def titles(result):
    return {lesson.title for lesson in result.lessons}


def test_expand_adds_the_other_side_of_each_pair():
    pairs = [("客户", "customer"), ("渠道", "sales pipeline")]
    assert search.expand(["客户"], pairs) == [[("客户",), ("customer",)]]
    assert search.expand(["customers"], pairs) == [[("customers",)]]  # no prefix backwards
    assert search.expand(["custom"], pairs) == [[("custom",), ("客户",)]]
    assert search.expand(["渠道"], pairs) == [[("渠道",), ("sales", "pipeline")]]
    assert search.expand(["pipeline"], pairs) == [[("pipeline",), ("渠道",)]]
    assert search.tsquery_groups(search.expand(["渠道", "review"], pairs)) == (
        "(渠道 | (sales:* & pipeline:*)) & review:*"
    )


def test_a_chinese_query_finds_english_lessons_through_the_glossary(company, glossary, lessons):
    result = selectors.search_lessons(viewer=company["alice"], query="客户")
    assert titles(result) == {lessons["zh"].title, lessons["en"].title}
    assert "customer" in result.terms


def test_an_english_query_finds_chinese_lessons_through_the_glossary(company, glossary, lessons):
    result = selectors.search_lessons(viewer=company["alice"], query="customer")
    assert titles(result) == {lessons["zh"].title, lessons["en"].title}
    pipeline = selectors.search_lessons(viewer=company["alice"], query="渠道")
    assert titles(pipeline) == {lessons["pipe"].title}


def test_without_the_glossary_the_languages_stay_apart(company, lessons):
    result = selectors.search_lessons(viewer=company["alice"], query="客户")
    assert titles(result) == {lessons["zh"].title}


def test_partial_words_match_inside_longer_words(company, lessons):
    result = selectors.search_lessons(viewer=company["alice"], query="view")
    assert titles(result) == {lessons["pipe"].title, lessons["hiring"].title}


def test_retrospectives_are_found_beside_lessons(company, retro, glossary, lessons):
    services.update_retrospective(
        actor=company["bob"],
        retro=retro,
        reasons="太少新客户，渠道不够",
        what_worked="Referrals",
        improvements="",
    )
    viewer = company["bob"]
    found = selectors.search_lessons(viewer=viewer, query="customer", with_retrospectives=True)
    assert [r.pk for r in found.retrospectives] == [retro.pk]
    # Not a participant, not in the chain: the retrospective stays hidden.
    hidden = selectors.search_lessons(
        viewer=company["dave"], query="customer", with_retrospectives=True
    )
    assert hidden.retrospectives == []


def test_search_page_lists_retrospectives_and_highlights(company, retro, glossary, login):
    services.update_retrospective(
        actor=company["bob"],
        retro=retro,
        reasons="太少新客户",
        what_worked="",
        improvements="",
    )
    body = login(company["bob"]).get("/retros/", {"q": "customer"}).content.decode()
    assert f'href="/retros/retrospectives/{retro.pk}/"' in body
    assert "<mark>客户</mark>" in body


def test_search_page_query_count(
    company, retro, glossary, lessons, login, django_assert_max_num_queries
):
    for n in range(15):
        make_lesson(author=company["bob"], title=f"Customer story {n}", what_worked="Customers.")
    client = login(company["bob"])
    client.get("/retros/", {"q": "customer"})  # warm the session and caches
    with django_assert_max_num_queries(20):
        page = client.get("/retros/", {"q": "customer"})
    assert page.status_code == 200
    # 20: the search providers' reads too (coordination's meetings: the people the viewer
    # follows, one read per level of the org chart, and the matching meetings, all terms then
    # any), the same for any number of rows.
    with django_assert_max_num_queries(20):
        partial = client.get("/retros/", {"q": "客户 view"}, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200


def test_glossary_page_for_hrbps_and_admins_only(company, login, client):
    assert login(company["alice"]).get("/retros/glossary/").status_code == 404
    assert (
        login(company["bob"])
        .post("/retros/glossary/", {"term": "客户", "translation": "customer"})
        .status_code
        == 404
    )
    assert not GlossaryTerm.objects.exists()
    carol = login(company["carol"])
    assert carol.get("/retros/glossary/").status_code == 200
    r = carol.post("/retros/glossary/", {"term": " 客户 ", "translation": "customer"})
    assert r.status_code == 302
    pair = GlossaryTerm.objects.get()
    assert (pair.term, pair.translation, pair.created_by) == ("客户", "customer", company["carol"])
    same = carol.post("/retros/glossary/", {"term": "x", "translation": "X"})
    assert same.status_code == 200 and GlossaryTerm.objects.count() == 1
    assert carol.post("/retros/glossary/", {"delete": "abc"}).status_code == 404
    zed = login(company["zed"])  # the admin
    assert zed.post("/retros/glossary/", {"delete": pair.pk}).status_code == 302
    assert not GlossaryTerm.objects.exists()
