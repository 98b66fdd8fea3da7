"""The team's progress and check-in trend on the weekly review, and the burn-up of each key
result of the This-week page (loaded on demand)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.tracking.reference import team_trend
from tracking.models import CheckIn, KeyResultUpdate, local_today, week_start
from tracking.selectors import team_trend_from_rollup, weeks_up_to

pytestmark = pytest.mark.django_db


def _submitted(person, week, kr=None, progress=None):
    # In the order the check-in service writes: the updates, then the submission (which the
    # unit × week rollup follows).
    check_in = CheckIn.objects.create(person=person, week=week, state=CheckIn.State.DRAFT)
    if kr is not None:
        KeyResultUpdate.objects.create(
            check_in=check_in,
            key_result=kr,
            value=Decimal("1"),
            progress=progress,
            status="on_track",
        )
    check_in.state = CheckIn.State.SUBMITTED
    check_in.submitted_at = dt.datetime.combine(week, dt.time(12), tzinfo=dt.UTC)
    check_in.save()
    return check_in


def _section(html: str, ident: str) -> str:
    part = html[html.index(f'id="{ident}"') :]
    return part[: part.index("</section>")]


def test_weekly_review_draws_the_teams_progress_and_check_ins_by_week(login, company, cascade):
    monday = week_start(local_today(company["bob"]))
    _submitted(company["alice"], monday, cascade["customers"], progress=0.6)
    _submitted(company["erin"], monday, cascade["erin_kr"], progress=0.2)
    _submitted(company["alice"], monday - dt.timedelta(weeks=1), cascade["customers"], 0.3)
    url = f"{reverse('tracking:weekly-review')}?week={monday}"
    html = login(company["bob"]).get(url).content.decode()
    trend = _section(html, "team-trend")
    svg = trend[trend.index("<svg") : trend.index("</svg>")]
    assert svg.count('<circle class="dot rate"') == 12  # twelve weeks up to the reviewed one
    assert svg.count('<circle class="dot actual"') == 2  # two weeks with check-ins
    week = f"{monday:%V}"
    assert f"<title>Checked in · {week}: 100%</title>" in svg  # both of bob's team
    assert f"<title>Average progress reported · {week}: 40%</title>" in svg
    table = trend[trend.index("<table") : trend.index("</table>")]
    assert (
        f'<th scope="row">{monday:%G-W%V}</th><td class="num">40%</td>'
        '<td class="num">100%</td><td class="num">2 / 2</td>'
    ) in table


def test_team_trend_from_the_rollup_is_bounded_and_equals_the_check_ins(
    company, cascade, django_assert_max_num_queries
):
    monday = week_start(local_today(company["bob"]))
    people = [company["alice"], company["erin"], company["dave"]]
    for person, kr in zip(people, ("customers", "erin_kr", "dave_kr"), strict=True):
        _submitted(person, monday, cascade[kr], progress=0.5)
    weeks = weeks_up_to(monday)
    with django_assert_max_num_queries(2):
        rows = team_trend_from_rollup(team=people, manager=None, weeks=weeks)
    assert rows[-1] == {"week": monday, "submitted": 3, "rate": 1.0, "progress": 0.5}
    assert rows[0]["progress"] is None and rows[0]["rate"] == 0.0
    assert rows == team_trend(people=people, size=3, weeks=weeks)


def test_dashboard_and_weekly_review_show_the_same_trend(login, company, cascade):
    """Both pages read the unit × week rollup: the same team and week, the same row."""
    monday = week_start(local_today(company["bob"]))
    _submitted(company["alice"], monday, cascade["customers"], progress=0.6)
    _submitted(company["erin"], monday, cascade["erin_kr"], progress=0.2)
    _submitted(company["alice"], monday - dt.timedelta(weeks=1), cascade["customers"], 0.3)
    client = login(company["bob"])
    review = client.get(f"{reverse('tracking:weekly-review')}?week={monday}").content.decode()
    dashboard = client.get(
        reverse("dashboard:manager-section", args=["trend"]), HTTP_HX_REQUEST="true"
    ).content.decode()

    def row(html: str, week: dt.date) -> str:
        part = html[html.index(f'<th scope="row">{week:%G-W%V}</th>') :]
        return part[: part.index("</tr>")]

    for week in (monday, monday - dt.timedelta(weeks=1)):
        assert row(dashboard, week) == row(review, week)
    assert '<td class="num">40%</td><td class="num">100%</td>' in row(dashboard, monday)


def test_this_week_loads_each_key_results_burn_up_on_demand(login, company, cascade):
    """The page has a section per key result; its chart is the section's own fragment
    (tests/tracking/test_burnups_on_demand.py)."""
    client = login(company["alice"])
    html = client.get(reverse("tracking:this-week")).content.decode()
    for kr in (cascade["customers"], cascade["calls"]):
        card = html[html.index(f'id="burnup-{kr.pk}"') :]
        card = card[: card.index("</details>")]
        assert "Burn-up against the expected pace" in card
        chart = client.get(
            reverse("tracking:kr-burnup", args=[kr.pk]), HTTP_HX_REQUEST="true"
        ).content.decode()
        assert 'class="series expected dashed"' in chart
        assert "<table" in chart


def test_an_unchanged_off_track_key_result_carries_last_weeks_cause_and_action(
    login, company, cascade
):
    from tracking.models import CauseTag

    monday = week_start(local_today(company["alice"]))
    tag = CauseTag.objects.filter(is_active=True).first()
    last = _submitted(company["alice"], monday - dt.timedelta(weeks=1))
    KeyResultUpdate.objects.create(
        check_in=last, key_result=cascade["customers"], value=Decimal("0"), status="off_track",
        cause=tag, action="Call the ten warm leads",
    )  # fmt: skip
    client = login(company["alice"])
    html = client.get(reverse("tracking:this-week")).content.decode()
    card = html[html.index(f'id="kr-{cascade["customers"].pk}"') :]
    card = card[: card.index("</fieldset>")]
    assert f'<option value="{tag.slug}" selected>' in card
    assert "Call the ten warm leads" in card
