import pytest

from retros import search, selectors
from retros.models import Lesson
from tests.retros.factories import make_lesson


@pytest.fixture
def corpus(company):
    bob, mia = company["bob"], company["mia"]
    lessons = {
        "zh": make_lesson(
            author=mia,
            title="短视频引流+社群转化 works for young customers",
            category="online promotion",
            context="针对二十五岁以下的年轻客户，线上获客成本持续上升。",
            what_worked="用短视频引流，再通过社群转化，转化率提升了一倍。",
            tags=["短视频", "社群"],
            unit=company["marketing"],
            effectiveness=5,
        ),
        "en": make_lesson(
            author=mia,
            title="Short video ads with a community follow-up convert young buyers",
            category="online promotion",
            what_worked="Short videos on social platforms drove leads; a community converted them.",
            tags=["video"],
            unit=company["marketing"],
        ),
        "show": make_lesson(
            author=bob,
            title="Trade show leads need a 48-hour follow-up",
            category="sales",
            problem="Leads from the autumn trade show went cold.",
            solution="Send a short product video within 48 hours and call on day two.",
            tags=["leads"],
            unit=company["field"],
        ),
        "live": make_lesson(
            author=mia,
            title="直播带货提升客单价",
            category="online promotion",
            what_worked="每周两场直播，配合社群转化，客单价提高百分之二十。",
            unit=company["marketing"],
        ),
        "hiring": make_lesson(
            author=bob,
            title="Structured interviews reduce bad hires",
            category="hiring",
            what_worked="Four fixed questions and a scoring sheet for every candidate.",
            unit=company["sales"],
        ),
    }
    lessons["draft"] = make_lesson(
        author=company["alice"],
        title="Short video scripts for cold leads",
        problem="Draft notes",
        publish=False,
    )
    return lessons


def titles(result):
    return [lesson.title for lesson in result.lessons]


def test_tokens_segment_chinese_and_lowercase_english():
    assert search.tokens("短视频引流+社群转化 Works") == [
        "短",
        "视频",
        "引流",
        "社群",
        "转化",
        "works",
    ]
    assert search.tokens("the short video") == ["short", "video"]


def test_chinese_query_finds_the_chinese_lesson(company, corpus):
    result = selectors.search_lessons(viewer=company["bob"], query="短视频引流")
    assert titles(result) == [corpus["zh"].title]


def test_english_query_finds_the_english_counterpart_first(company, corpus):
    result = selectors.search_lessons(viewer=company["bob"], query="short video")
    # The title hit ranks above a lesson that mentions it once in its solution; the draft of
    # another author is never found.
    assert titles(result) == [corpus["en"].title, corpus["show"].title]


def test_ranking_in_chinese_prefers_title_hits(company, corpus):
    result = selectors.search_lessons(viewer=company["bob"], query="社群转化")
    assert titles(result) == [corpus["zh"].title, corpus["live"].title]


def test_prefix_matching_finds_plurals_and_typing(company, corpus):
    result = selectors.search_lessons(viewer=company["bob"], query="interv")
    assert titles(result) == [corpus["hiring"].title]


def test_any_term_fallback_when_nothing_matches_all(company, corpus):
    result = selectors.search_lessons(viewer=company["bob"], query="直播 zebra")
    assert titles(result) == [corpus["live"].title]


def test_filters(company, corpus):
    bob = company["bob"]
    by_category = selectors.search_lessons(viewer=bob, query="video", category="Sales")
    assert titles(by_category) == [corpus["show"].title]
    by_tag = selectors.search_lessons(viewer=bob, query="video", tag="VIDEO")
    assert titles(by_tag) == [corpus["en"].title]
    in_sales = selectors.search_lessons(viewer=bob, query="video", unit=company["sales"])
    assert titles(in_sales) == [corpus["show"].title]  # Field team is inside Sales
    listed = selectors.lesson_list(viewer=bob, category="online promotion")
    assert {lesson.pk for lesson in listed} == {corpus[k].pk for k in ("zh", "en", "live")}


def test_drafts_only_for_their_author(company, corpus):
    mine = selectors.search_lessons(viewer=company["alice"], query="short video")
    assert corpus["draft"].title in titles(mine)
    assert Lesson.objects.get(pk=corpus["draft"].pk).state == "draft"


def test_snippets_highlight_the_terms(corpus):
    terms = search.query_terms("短视频引流")
    lesson = corpus["zh"]
    html = search.snippet([lesson.context, lesson.what_worked], terms)
    assert "<mark>视频</mark>" in html and "<mark>引流</mark>" in html
    assert str(search.highlight("<b>short</b> video", ["video"])) == (
        "&lt;b&gt;short&lt;/b&gt; <mark>video</mark>"
    )


def test_search_vector_is_filled_on_postgres(corpus):
    lesson = Lesson.objects.get(pk=corpus["zh"].pk)
    assert "视频" in lesson.search_document.split()
    if search.is_postgres():
        assert "'视频'" in lesson.search_vector
    else:
        assert lesson.search_vector is None
