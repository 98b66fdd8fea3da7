"""The OKR board's cards and the unit filter's options are written in Python
(dashboard.board_markup), not through the template engine: the markup is the templates' own,
character for character, in English and Chinese, for every level, state, commitment and link
count, with values to escape, and on a real board through its view."""

from pathlib import Path

import pytest
from django.template import Context, Engine
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from goals.models import Goal, KeyResult
from goals.selectors_support import CardLinks
from org.models import Person, Unit

# The templates the markup replaced: dashboard/_board_cards.html with the goals/_commitment.html
# it included per card, and dashboard/_filters.html.
REFERENCE = Path(__file__).parent / "reference"
ENGINE = Engine(dirs=[REFERENCE], libraries={"i18n": "django.templatetags.i18n"})
LANGUAGES = ["en", "zh-hans"]


def _old(name: str, context: dict) -> str:
    return ENGINE.get_template(name).render(Context(context))


def _goal(pk, **values) -> Goal:
    """A goal card as the board's view prepares it (nothing saved)."""
    owner = values.pop("owner", None) or Person(display_name="Zoë <Liu> & co")
    goal = Goal(
        pk=pk,
        title=values.pop("title", "Win 45 new customers"),
        level=values.pop("level", Goal.Level.PERSON),
        state=values.pop("state", Goal.State.AGREED),
        progress=values.pop("progress", 0.4),
        commitment=values.pop("commitment", Goal.Commitment.COMMITTED),
    )
    if isinstance(owner, Unit):
        goal.owner_unit = owner
    else:
        goal.owner_person = owner
    goal.current_status = values.pop("current_status", "on_track")
    goal.kr_count = values.pop("kr_count", 3)
    goal.expected = values.pop("expected", 0.7)
    goal.links = values.pop("links", CardLinks())
    assert not values, values
    return goal


def _cards():
    """Every branch of the old template, with values the engine escapes or localizes."""
    yield _goal(1)
    yield _goal(
        2,
        title='Grow "revenue" <b>fast</b> & well',
        owner=Unit(name="R&D <lab>"),
        level=Goal.Level.COMPANY,
        state=Goal.State.PROPOSED,
        progress=0.125,  # 12.5 % rounds to even
        kr_count=1,
        commitment=Goal.Commitment.ASPIRATIONAL,
        expected=0.35,
        links=CardLinks(supported_by=1),
    )
    yield _goal(
        3,
        level=Goal.Level.UNIT,
        state=Goal.State.DRAFT,
        progress=1.0049,
        kr_count=0,
        links=CardLinks(supports=2),
        current_status="off_track",
    )
    yield _goal(
        4,
        state=Goal.State.RETURNED,
        progress=0,
        kr_count=1234,
        expected=1,
        links=CardLinks(supported_by=3, supports=1, at_risk=True),
        current_status="at_risk",
    )
    yield _goal(5, state="unknown", level="team", progress=None, links=CardLinks(at_risk=True))
    yield _goal(6, progress=2.5, kr_count=1, links=CardLinks(supported_by=1, supports=1))


@pytest.mark.parametrize("grouping", [False, True])
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("more_url", [None, "", "/dashboard/board/?cycle=1&column=on_track&page=2"])
def test_cards_are_the_templates_markup(language, more_url, grouping, settings):
    settings.USE_THOUSAND_SEPARATOR = grouping  # (counts and ids: 1234 or 1,234)
    cards = list(_cards())
    with translation.override(language):
        for goals in (cards, cards[:1], []):
            context = {"goals": goals, "more_url": more_url}
            new = render_to_string("dashboard/_board_cards.html", context)
            assert new == _old("dashboard/_board_cards.html", context)


def _units():
    acme = Unit(pk=1, name="Acme")
    return [acme, Unit(pk=2, name="R&D <lab>"), Unit(pk=12345, name="销售部 “east”")]


@pytest.mark.parametrize("grouping", [False, True])
@pytest.mark.parametrize("language", LANGUAGES)
def test_filter_options_are_the_templates_markup(language, grouping, settings):
    from goals.models import Cycle

    settings.USE_THOUSAND_SEPARATOR = grouping
    units = _units()
    cycles = [Cycle(pk=3, name="2026 Q4"), Cycle(pk=4, name="2027 <H1>")]
    with translation.override(language):
        for unit in (None, units[1], Unit(pk=99, name="elsewhere")):
            for allow in (True, False):
                context = {
                    "units": units,
                    "unit": unit,
                    "cycles": cycles,
                    "cycle": cycles[1],
                    "allow_all_units": allow,
                }
                new = render_to_string("dashboard/_filters.html", context)
                assert new == _old("dashboard/_filters.html", context)
        context = {"units": [], "unit": None, "cycles": cycles, "cycle": None}
        assert render_to_string("dashboard/_filters.html", context) == _old(
            "dashboard/_filters.html", context
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_real_board_is_the_templates_markup(login, company, quarter, make_goal, language):
    """Through the view: every column's cards as prepared from the database (support links
    both ways and a dependency off track included), and the htmx "more" page."""
    bob, mia = company["bob"], company["mia"]
    sales = make_goal(company["sales"], title="Win <customers>", state=Goal.State.AGREED)
    leads = make_goal(company["marketing"], title="Leads & more", state=Goal.State.AGREED)
    leads.supports.add(sales)
    KeyResult.objects.filter(goal=leads).update(progress=0.0, pace_on=None)
    for i in range(55):
        make_goal(bob if i % 2 else mia, title=f"Proposal {i:02}", state=Goal.State.PROPOSED)
    client = login(company["zed"])
    with translation.override(language):
        response = client.get(reverse("dashboard:board"), {"cycle": quarter.pk})
        page = response.content.decode()
        columns = response.context["columns"]
        assert sum(len(c["goals"]) for c in columns) >= 52
        assert any(g.links.at_risk for c in columns for g in c["goals"])
        for col in columns:
            context = {"goals": col["goals"], "more_url": col["more_url"]}
            old = _old("dashboard/_board_cards.html", context)
            assert old in page
            assert render_to_string("dashboard/_board_cards.html", context) == old
        more = client.get(columns[0]["more_url"], HTTP_HX_REQUEST="true")
        context = {"goals": more.context["goals"], "more_url": more.context["more_url"]}
        assert more.content.decode() == _old("dashboard/_board_cards.html", context)
        filters = {k: response.context[k] for k in ("units", "unit", "cycles", "cycle")}
        filters["allow_all_units"] = True
        assert _old("dashboard/_filters.html", filters) in page
