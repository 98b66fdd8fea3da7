"""This week draws no burn-up: each key result's section loads its chart when opened (htmx,
`hx-trigger="toggle once"`), or opens it on a page of its own without JavaScript. The chart is
the one the page drew before (the same numbers, the same markup), for the page's week; only a
key result the page shows answers, and the page and the chart each cost a fixed number of
queries whatever the number of key results."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.chart_markup import line_markup
from goals.models import Goal, KeyResult
from goals.selectors_charts import burnup_charts
from tests.tracking.conftest import MONDAY
from tests.tracking.factories import person_goal, submitted
from tracking.selectors import active_key_results

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}
LAST_WEEK = MONDAY - dt.timedelta(weeks=1)


def _url(kr, week=None) -> str:
    url = reverse("tracking:kr-burnup", args=[kr.pk])
    return f"{url}?week={week:%Y-%m-%d}" if week else url


def _section(html: str, kr) -> str:
    part = html[html.index(f'id="burnup-{kr.pk}"') :]
    return part[: part.index("</details>")]


def _expected(kr, *, today) -> str:
    """The burn-up as the page drew it before: `burnup_chart` over every measurement of the
    key result, up to the end of the page's week, written by `{% chart %}`."""
    kr = KeyResult.objects.select_related("goal__cycle").get(pk=kr.pk)
    ((_kr, chart),) = burnup_charts([kr], today=today)
    return str(line_markup(chart)).strip()


def test_the_page_has_a_section_per_key_result_that_loads_its_burn_up(login, company, cascade):
    client = login(company["alice"])
    html = client.get(reverse("tracking:this-week"), **HX).content.decode()
    assert 'class="series expected' not in html  # no chart drawn with the page
    for kr in (cascade["customers"], cascade["calls"]):
        section = _section(html, kr)
        assert "Burn-up against the expected pace" in section
        assert f'hx-get="{_url(kr)}"' in section and 'hx-trigger="toggle once"' in section
        # its own request queue, not the form's autosave (hx-sync is inherited)
        assert 'hx-sync="this:drop"' in section
        assert f'<a href="{_url(kr)}">Show the burn-up</a>' in section  # without JavaScript


def test_the_section_loads_the_chart_the_page_drew_before(login, company, cascade):
    alice = company["alice"]
    submitted(alice, {cascade["customers"]: 6, cascade["calls"]: 40}, week=LAST_WEEK)
    submitted(alice, {cascade["customers"]: 14, cascade["calls"]: 90})
    client = login(alice)
    for kr in (cascade["customers"], cascade["calls"]):
        response = client.get(_url(kr), **HX)
        assert response.status_code == 200
        chart = response.content.decode()
        assert "<html" not in chart
        assert 'class="series expected dashed"' in chart and "<table" in chart
        assert chart.strip() == _expected(kr, today=MONDAY)
    customers = client.get(_url(cascade["customers"]), **HX).content.decode()
    assert '<td class="num">14</td>' in customers  # this week's value


def test_a_late_check_in_loads_the_burn_up_of_its_week(login, company, cascade):
    alice = company["alice"]
    submitted(alice, {cascade["customers"]: 6, cascade["calls"]: 40}, week=LAST_WEEK)
    submitted(alice, {cascade["customers"]: 14, cascade["calls"]: 90})
    client = login(alice)
    kr = cascade["customers"]
    page = client.get(reverse("tracking:this-week"), {"week": f"{LAST_WEEK}"}).content.decode()
    assert f'hx-get="{_url(kr, LAST_WEEK)}"' in _section(page, kr).replace("&amp;", "&")
    chart = client.get(_url(kr, LAST_WEEK), **HX).content.decode()
    # up to the end of that week: last week's value, not this week's
    assert chart.strip() == _expected(kr, today=LAST_WEEK + dt.timedelta(days=6))
    assert chart.strip() != _expected(kr, today=MONDAY)


def test_without_javascript_the_link_opens_the_burn_up_on_a_page(login, company, cascade):
    kr = cascade["customers"]
    response = login(company["alice"]).get(_url(kr))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html and "New customers" in html
    assert _expected(kr, today=MONDAY) in html
    assert f'href="{reverse("tracking:this-week")}#kr-{kr.pk}"' in html
    assert "Vary" in response and "HX-Request" in response["Vary"]


def test_only_a_key_result_of_the_page_answers(login, company, cascade, cycle, client):
    alice, bob = company["alice"], company["bob"]
    kr = cascade["customers"]
    # Alice's manager sees her goal elsewhere, but this is Alice's own page.
    assert login(bob).get(_url(kr), **HX).status_code == 404
    assert login(company["erin"]).get(_url(kr), **HX).status_code == 404
    # a key result rolled up from contributors, and one of a closed goal: not on her page
    rolled = cascade["calls"]
    KeyResult.objects.filter(pk=rolled.pk).update(source=KeyResult.Source.ROLLUP)
    closed = person_goal(alice, cycle, names=("Old",))
    Goal.objects.filter(pk=closed.pk).update(state=Goal.State.CLOSED)
    client = login(alice)
    for other in (rolled, closed.key_results.get(), cascade["erin_kr"]):
        assert client.get(_url(other), **HX).status_code == 404
        assert client.get(_url(other)).status_code == 404
    assert client.get(_url(kr), **HX).status_code == 200
    assert client.get(_url(kr, MONDAY + dt.timedelta(weeks=1)), **HX).status_code == 200
    client.logout()
    assert client.get(_url(kr)).status_code == 302  # to the sign-in page


# Signing in (3), the key result, its measurements.
BURNUP_BOUND = 5


@pytest.mark.parametrize("n_goals", [2, 6])
def test_the_page_and_a_burn_up_cost_the_same_queries_for_any_number_of_key_results(
    login, company, cycle, n_goals
):
    from tests.tracking.test_page_bounds import THIS_WEEK_BOUND, _employee_with_history

    alice = _employee_with_history(company, cycle, n_goals)
    client = login(alice)
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(reverse("tracking:this-week"), **HX).content.decode()
    assert page.count('hx-trigger="toggle once"') == 3 * n_goals
    assert len(page_queries) <= THIS_WEEK_BOUND, len(page_queries)
    kr = active_key_results(person=alice, week=MONDAY).last()
    with CaptureQueriesContext(connection) as chart_queries:
        response = client.get(_url(kr), **HX)
    assert response.status_code == 200 and "<svg" in response.content.decode()
    assert len(chart_queries) <= BURNUP_BOUND, "\n".join(q["sql"][:150] for q in chart_queries)
