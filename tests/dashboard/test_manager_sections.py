"""The manager dashboard's sections on small fixtures: budget utilisation, the check-in
completion trend (chart and the accessible table of the same numbers), and the pending
approvals (adjustments, resource requests, awards)."""

import datetime as dt

from django.urls import reverse

from goals.services import request_adjustment
from tests.dashboard.conftest import section, section_of, submit_request
from tests.dashboard.test_pages import THIS_WEEK, _submit
from tests.incentives.factories import make_award, make_rule


def test_budget_utilisation_per_unit(login, quarter, resource_world):
    c = resource_world
    page = section_of(login(c["bob"]), "resources", cycle=quarter.pk).content
    budgets = section(page.decode(), "budgets")
    rows = {
        row.split("</th>")[0].split(">")[-1]: row for row in budgets.split('<th scope="row">')[1:]
    }
    assert set(rows) == {"Field team", "Sales"}
    assert "10,000 CNY" in rows["Field team"] and ">9,500<" in rows["Field team"]
    assert 'class="progress off_track"' in rows["Field team"] and "95%" in rows["Field team"]
    assert ">2,000<" in rows["Sales"] and 'class="progress on_track"' in rows["Sales"]
    assert "20%" in rows["Sales"]


def test_check_in_completion_trend_chart_and_its_table(login, company, quarter, cascade):
    kr = cascade["alice"].key_results.get()
    reported = {"key_result": kr, "value": 20, "status": "on_track"}
    _submit(company["alice"], **reported, progress=0.5)  # week 46: both submitted
    _submit(company["erin"])
    # week 45: one of two
    _submit(company["alice"], week=THIS_WEEK - dt.timedelta(days=7), **reported, progress=0.25)
    response = section_of(login(company["bob"]), "trend", cycle=quarter.pk)
    trend = section(response.content.decode(), "trend")
    svg = trend[trend.index("<svg") : trend.index("</svg>")]
    # Q4 from the week of Oct 1 (ISO week 40) to this week (46): seven points of the rate
    assert svg.count('<circle class="dot rate"') == 7
    assert "<title>Checked in · 46: 100%</title>" in svg
    assert "<title>Checked in · 45: 50%</title>" in svg
    assert "<title>Checked in · 44: 0%</title>" in svg
    # the reported progress: only the weeks with check-ins have a point
    assert svg.count('<circle class="dot actual"') == 2
    assert "<title>Average progress reported · 45: 25%</title>" in svg
    table = trend[trend.index("<table") : trend.index("</table>")]
    assert (
        '<th scope="row">2026-W46</th><td class="num">50%</td><td class="num">100%</td>'
        '<td class="num">2 / 2</td>'
    ) in table
    assert (
        '<th scope="row">2026-W45</th><td class="num">25%</td><td class="num">50%</td>'
        '<td class="num">1 / 2</td>'
    ) in table
    assert '<th scope="row">2026-W40</th><td class="num">—</td><td class="num">0%</td>' in table
    assert table.count('<th scope="row">') == 7


def test_pending_approvals_list_adjustments_requests_and_awards(login, company, quarter, cascade):
    c = company
    kr = cascade["alice"].key_results.get()
    request_adjustment(
        actor=c["alice"],
        key_result=kr,
        new_target="40",
        reason="market",
        evidence="Two competitors cut prices",
    )
    waiting = submit_request(c["erin"], cascade["erin"], "Lead list for the north")
    rule = make_rule(c["sales"], "recognition", {"title": "Customer hero"}, name="Customer hero")
    make_award(rule, c["erin"], title="Customer hero of week 46")
    published = make_award(
        rule, c["alice"], state="published", title="Old hero", period_start=dt.date(2026, 10, 5)
    )
    # bob decides the adjustment and the request; awards wait for HR or an admin (zed)
    for who, expect_award in (("bob", False), ("zed", True)):
        page = section_of(login(c[who]), "approvals", cycle=quarter.pk)
        approvals = section(page.content.decode(), "approvals")
        assert "New qualified customers" in approvals
        assert c["alice"].display_name in approvals
        assert f'href="{reverse("goals:adjustments")}"' in approvals
        assert reverse("resources:resource-detail", args=[waiting.pk]) in approvals
        assert "Lead list for the north" in approvals
        assert page.context["adjustments_count"] == 1 and page.context["requests_count"] == 1
        assert ("Customer hero of week 46" in approvals) is expect_award
        assert (page.context["awards_count"] == 1) is expect_award
        assert "Old hero" not in approvals
        assert reverse("incentives:award", args=[published.pk]) not in approvals
