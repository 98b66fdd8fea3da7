"""Each key result's burn-up on the goal page: its measurements as they were true at the end of
each week (by effective time) against the expected pace, with the table of the same numbers;
one query for every key result's measurements."""

import datetime as dt
from decimal import Decimal

from django.urls import reverse

from goals.selectors_charts import burnup_charts
from goals.services import record_measurement

from .conftest import kr


def _at(day: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, 0, tzinfo=dt.UTC)


def _svg(html: str, start: str) -> str:
    part = html[html.index(start) :]
    return part[part.index("<svg") : part.index("</svg>")]


def test_goal_page_draws_each_key_results_burn_up_against_its_pace(login, company, make_goal):
    goal = make_goal(
        company["alice"],
        key_results=[kr("40"), kr("10", name="Demos given", metric="demos", unit="demos")],
    )
    first, second = goal.key_results.order_by("position", "pk")
    for day, value in ((5, 8), (20, 12)):
        record_measurement(key_result=first, value=value, source="manual", at=_at(day, 10))
    record_measurement(key_result=first, value=20, source="manual", at=_at(10))
    html = login(company["alice"]).get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert 'id="burnup"' in html
    svg = _svg(html, f'id="burnup-{first.pk}"')
    # Q4 (Oct 1 – Dec 31) week by week: 14 week ends; today (Sun Nov 15) is the 7th
    expected = svg[svg.index('class="series expected') :]
    assert expected.split('points="')[1].split('"')[0].count(",") == 14
    assert svg.count('<circle class="dot actual"') == 7
    first_table = html[html.index(f'id="burnup-{first.pk}"') :]
    table = first_table[first_table.index("<table") : first_table.index("</table>")]
    # the last point is today's value: 20 of 40 = 50 %, as the key result's row says
    assert '<th scope="row">2026-11-15</th><td class="num">20</td><td class="num">50%</td>' in table
    assert '<th scope="row">2026-10-11</th><td class="num">8</td><td class="num">20%</td>' in table
    # the second key result has no measurement: flat at its start
    second_svg = _svg(html, f'id="burnup-{second.pk}"')
    assert second_svg.count('<circle class="dot actual"') == 7
    assert "<title>Actual · 15/11: 0%</title>" in second_svg


def test_burn_up_series_take_one_query_for_any_number_of_key_results(
    company, make_goal, django_assert_num_queries
):
    goals = [
        make_goal(company["alice"], title=f"Goal {i}", key_results=[kr("10"), kr("20")])
        for i in range(3)
    ]
    krs = [k for g in goals for k in g.key_results.select_related("goal__cycle")]
    for k in krs:
        record_measurement(key_result=k, value=Decimal("5"), source="manual", at=_at(2))
    with django_assert_num_queries(1):
        charts = burnup_charts(krs, today=dt.date(2026, 11, 15))
    assert len(charts) == 6
    assert all(c.table.rows for _k, c in charts)
