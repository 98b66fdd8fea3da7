"""The dashboard's server-drawn charts: the company overview's progress by unit and check-in
completion (full width, whole unit names), its unit × week check-in heatmap (red is few, green
is most), the manager's progress and check-in trend, and the chart helper itself."""

import datetime as dt

import pytest
from django.urls import reverse

from core import charts
from tests.dashboard.conftest import section, section_of
from tests.dashboard.test_pages import THIS_WEEK, _grow_team, _submit
from tracking.selectors.trends import unit_check_in_rates


def _svg(html: str) -> str:
    return html[html.index("<svg") : html.index("</svg>")]


def test_company_progress_by_unit_is_a_full_width_chart_with_whole_names(
    login, company, quarter, cascade
):
    company["marketing"].name = "Marketing and Communications Europe"
    company["marketing"].save()
    html = login(company["zed"]).get(reverse("dashboard:company"), {"cycle": quarter.pk})
    html = html.content.decode()
    progress = section(html, "progress-by-unit")
    svg = _svg(progress)
    assert 'class="kchart bars wide' in progress
    assert 'viewBox="0 0 360 ' in svg and 'width="' not in svg.split(">")[0]
    for name in ("Sales", "Marketing and Communications Europe", "HR"):
        assert '<text class="label" x="4" y="' in svg and f">{name}</text>" in svg
    assert svg.count('<rect class="fill"') == 3  # one bar per department
    completion = section(html, "completion")
    assert _svg(completion).count('<rect class="fill"') == 3
    assert ">Sales</text>" in _svg(completion)  # not "Sale"
    table = completion[completion.index("<table") :]
    assert '<th scope="row">Sales</th><td class="num">0%</td><td class="num">0 / 3</td>' in table


def test_company_heatmap_of_check_ins_by_unit_and_week(login, company, quarter, cascade):
    _submit(company["alice"])  # Sales has bob, alice and erin (and Field team's): 1 of 3
    _submit(company["alice"], week=THIS_WEEK - dt.timedelta(days=7))
    _submit(company["erin"], week=THIS_WEEK - dt.timedelta(days=7))
    _submit(company["dave"])  # Marketing: mia and dave, 1 of 2
    html = login(company["zed"]).get(reverse("dashboard:company"), {"cycle": quarter.pk})
    heat = section(html.content.decode(), "unit-heatmap")
    svg = _svg(heat)
    # 3 departments × 7 weeks (ISO 40–46)
    assert svg.count('<g class="cell') == 21
    assert '<g class="cell h1"><rect' in svg and "<title>Sales · 46: 33%</title>" in svg
    assert "<title>Sales · 45: 67%</title>" in svg
    assert "<title>Marketing · 46: 50%</title>" in svg
    assert "<title>HR · 40: 0%</title>" in svg
    table = heat[heat.index("<table") :]
    assert '<th scope="row">Sales</th>' in table and "2026-W46" in table


def test_heat_colours_go_from_red_to_green():
    assert [charts.heat_class(v) for v in (0.0, 0.3, 0.6, 0.9, None)] == [
        "h0", "h1", "h2", "h3", "none",
    ]  # fmt: skip


@pytest.mark.parametrize("extra", [1, 28])
def test_unit_heatmap_series_is_two_queries(
    company, cascade, make_goal, extra, django_assert_num_queries
):
    _grow_team(company, make_goal, cascade, extra)
    units = [company["sales"], company["marketing"], company["hr"]]
    weeks = [THIS_WEEK - dt.timedelta(weeks=n) for n in range(6, -1, -1)]
    with django_assert_num_queries(2):
        rows = unit_check_in_rates(units, weeks=weeks)
    sales = {u.name: v for u, v in rows}["Sales"]
    assert sales[-1] == pytest.approx(extra / (3 + extra))


def test_manager_trend_chart_fits_a_phone(login, company, quarter, cascade):
    html = section_of(login(company["bob"]), "trend").content.decode()
    trend = section(html, "trend")
    assert 'viewBox="0 0 360 170"' in trend  # scales down to a 390 px screen
    assert 'class="series expected' not in trend
    assert "Average progress reported" in trend and "Checked in" in trend


def test_line_chart_places_points_and_leaves_gaps():
    chart = charts.line_chart(
        label="x",
        x_labels=["a", "b", "c"],
        series=[("A", "actual", [0.0, None, 1.0])],
        dotted=("actual",),
        table=charts.Table("x", ["k"], []),
    )
    (line,) = chart.lines
    assert len(line.dots) == 2
    first, last = line.points.split()
    assert first == f"{chart.left}.0,{chart.bottom}.0" or first.endswith(f",{chart.bottom}.0")
    assert last.endswith(f",{chart.top}.0")
