"""Home, manager dashboard, company overview, OKR board and timeline: content, who may see them,
and query counts that do not grow with the team (3 people vs 30)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from dashboard.views.manager import SECTIONS
from goals.models import Goal, KeyResult, Measurement
from tests.dashboard.conftest import section_of
from tests.factories import PersonFactory
from tracking.models import CheckIn, KeyResultUpdate

THIS_WEEK = dt.date(2026, 11, 9)  # the Monday of the week of 2026-11-15


def _submit(person, week=THIS_WEEK, **update):
    check_in = CheckIn.objects.create(
        person=person,
        week=week,
        state=CheckIn.State.SUBMITTED,
        submitted_at=dt.datetime(2026, 11, 13, 16, 0, tzinfo=dt.UTC),
    )
    if update:
        KeyResultUpdate.objects.create(check_in=check_in, **update)
    return check_in


def _grow_team(company, make_goal, cascade, n):
    """n more people under bob, each with a goal, a submitted check-in and an at-risk update."""
    people = []
    for i in range(n):
        person = PersonFactory(unit=company["field"], manager=company["bob"])
        goal = make_goal(person, title=f"Win {i} new accounts", parent=cascade["sales"])
        kr = goal.key_results.get()
        _submit(person, key_result=kr, value=Decimal("1"), status="at_risk", progress=0.1)
        people.append((person, goal))
    return people


def _grow_approvals(company, quarter, team):
    """For each (person, goal) of `team`: the goal agreed with a target adjustment pending, a
    resource request waiting for two weeks, a proposed award; and a unit of Sales with its
    budget 95 % committed. bob also partners the Field team as HRBP, so the awards wait for
    him too."""
    import time_machine

    from goals.services import request_adjustment
    from resources.services import submit_request
    from tests.factories import HRBPAssignmentFactory, UnitFactory
    from tests.incentives.factories import make_award, make_rule
    from tests.resources.factories import BudgetFactory

    HRBPAssignmentFactory(person=company["bob"], unit=company["field"])
    rule = make_rule(company["sales"], "recognition", {"title": "Customer hero"}, name="Hero")
    for i, (person, goal) in enumerate(team):
        Goal.objects.filter(pk=goal.pk).update(state=Goal.State.AGREED)
        goal.refresh_from_db()
        request_adjustment(
            actor=person,
            key_result=goal.key_results.get(),
            new_target="30",
            reason="market",
            evidence="A competitor cut prices",
        )
        with time_machine.travel(dt.datetime(2026, 11, 1, tzinfo=dt.UTC), tick=False):
            submit_request(
                requester=person,
                kind="budget",
                title=f"Fair stand {i}",
                justification="Leads for the gap",
                goal=goal,
                amount=Decimal("500"),
            )
        make_award(rule, person, title=f"Hero {i}")
        unit = UnitFactory(name=f"Sales pod {i}", parent=company["sales"])
        BudgetFactory(unit=unit, cycle=quarter, committed=Decimal("9500"))


# --- home ------------------------------------------------------------------------------------


def test_employee_home_shows_goals_check_in_state_and_notifications(login, company, cascade):
    from notifications.services import notify

    notify(recipients=[company["alice"]], kind="x", text="Your goal was agreed", url="/goals/")
    page = login(company["alice"]).get(reverse("home")).content.decode()
    assert cascade["alice"].title in page
    assert "Not started" in page
    assert "Your goal was agreed" in page
    assert reverse("dashboard:manager") not in page


def test_home_shows_submitted_check_in(login, company, cascade):
    _submit(company["alice"])
    page = login(company["alice"]).get(reverse("home")).content.decode()
    assert "Submitted" in page


def test_manager_home_links_the_team_dashboard(login, company, cascade):
    page = login(company["bob"]).get(reverse("home")).content.decode()
    assert reverse("dashboard:manager") in page


def test_manager_home_loads_the_team_card(login, company, cascade):
    client = login(company["bob"])
    page = client.get(reverse("home")).content.decode()
    url = reverse("dashboard:manager-section", args=["people"])
    assert f'hx-get="{url}?cycle=' in page
    card = section_of(client, "people").content.decode()
    assert 'id="my-team"' in card and "Sales" in card and "Field team" in card
    assert company["alice"].display_name in card and company["erin"].display_name in card
    assert url not in login(company["alice"]).get(reverse("home")).content.decode()


# Queries of a warm request: without Redis (every sign-in read from the database) and as in
# production with Redis (the session and the viewer from the cache, the user row read).
HOME_BOUNDS = {"cold": 17, "production": 12}


@pytest.mark.parametrize("signed_in", HOME_BOUNDS)
@pytest.mark.parametrize("n", [3, 30])
def test_home_query_count(
    request, login, company, cascade, make_goal, n, signed_in, django_assert_max_num_queries
):
    """3 vs 30 of each thing the home lists: goals, notifications, feedback, awards."""
    if signed_in == "production":
        request.getfixturevalue("production_sign_in")
    from notifications.models import Notification
    from tests.incentives.factories import make_award, make_rule
    from tracking.models import Feedback

    alice = company["alice"]
    rule = make_rule(
        company["sales"], "recognition", {"title": "Customer hero"}, name="Customer hero"
    )
    for i in range(n):
        make_goal(alice, title=f"Goal {i:02d}", state=Goal.State.AGREED, parent=cascade["sales"])
        Notification.objects.create(recipient=alice, kind="x", text=f"Note {i}", url="/goals/")
        check_in = _submit(alice, week=THIS_WEEK - dt.timedelta(weeks=i))
        Feedback.objects.create(check_in=check_in, author=company["bob"], text=f"Tip {i}")
        make_award(
            rule,
            alice,
            period_start=dt.date(2026, 10, 5) + dt.timedelta(weeks=i),
            state="published",
            points="10",
            title=f"Hero {i}",
        )
    client = login(alice)
    page = client.get(reverse("home")).content.decode()
    recognition = page[page.index('id="recognition"') :]
    assert f'<span class="stat">{10 * n}</span>' in recognition
    assert f"Hero {n - 1}" in recognition
    goals = page[page.index('id="my-goals"') :]
    assert goals.count('href="/goals/') == n + 1  # the cascade's goal of alice and n more
    assert f"Goal {n - 1:02d}" in goals
    notes = page[page.index('id="notifications"') : page.index('id="recognition"')]
    assert f'<span class="badge brand">{n}</span>' in notes  # unread
    assert notes.count("<li>") == min(n, 6) and "Note " in notes
    assert f"Tip {n - 1}" in page[page.index('id="feedback"') :]
    with django_assert_max_num_queries(HOME_BOUNDS[signed_in]):
        assert client.get(reverse("home")).status_code == 200


# --- manager dashboard -----------------------------------------------------------------------


def test_manager_dashboard_team_table_risks_missing_and_approvals(
    login, company, quarter, cascade, make_goal
):
    kr = cascade["alice"].key_results.get()
    _submit(
        company["alice"],
        key_result=kr,
        value=Decimal("5"),
        status="off_track",
        progress=0.1,
        note="Two deals slipped",
    )
    _submit(company["alice"], week=THIS_WEEK - dt.timedelta(days=7))
    proposed = make_goal(
        company["erin"], title="Win 3 partner referrals", state="proposed", parent=cascade["sales"]
    )
    client = login(company["bob"])
    response = client.get(reverse("dashboard:manager"), {"cycle": quarter.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert company["alice"].display_name in page and company["erin"].display_name in page
    for name in set(SECTIONS) - {"people"}:  # each loads once the page is shown, or by its link
        url = reverse("dashboard:manager-section", args=[name])
        assert f'hx-get="{url}?cycle={quarter.pk}" hx-trigger="load"' in page
        assert f'<a href="{url}?cycle={quarter.pk}">' in page
    risks = section_of(client, "risks", cycle=quarter.pk).content.decode()
    assert "Two deals slipped" in risks  # the cause of an off-track key result
    approvals = section_of(client, "approvals", cycle=quarter.pk)
    assert proposed.title in approvals.content.decode()  # a goal proposal waiting
    assert 'id="waiting-total" hx-swap-oob="true">1<' in approvals.content.decode()
    rows = {r.person.pk: r for r in response.context["rows"]}
    assert rows[company["alice"].pk].streak == 2
    assert rows[company["alice"].pk].last_check_in == THIS_WEEK
    assert rows[company["erin"].pk].streak == 0
    missing = section_of(client, "missing", cycle=quarter.pk)
    assert [p.pk for p in missing.context["missing"]] == [company["erin"].pk]
    assert missing.context["missing_count"] == 1
    assert response.context["summary"]["completion"] == 50


def test_a_section_without_javascript_is_a_page_of_its_own(login, company, quarter, cascade):
    client = login(company["bob"])
    url = reverse("dashboard:manager-section", args=["risks"])
    page = client.get(url, {"cycle": quarter.pk}).content.decode()
    assert "<html" in page and 'id="risks"' in page
    assert f'href="{reverse("dashboard:manager")}?cycle={quarter.pk}"' in page
    fragment = section_of(client, "risks", cycle=quarter.pk).content.decode()
    assert "<html" not in fragment and 'id="risks"' in fragment


@pytest.mark.parametrize("name", [*SECTIONS, "nothing"])
def test_sections_are_404_for_non_managers_and_unknown_names(login, company, cascade, name):
    assert section_of(login(company["alice"]), name).status_code == 404
    if name == "nothing":
        assert section_of(login(company["bob"]), name).status_code == 404


def test_manager_dashboard_is_404_for_non_managers(login, company, cascade):
    assert login(company["alice"]).get(reverse("dashboard:manager")).status_code == 404


def test_manager_dashboard_does_not_show_other_teams(login, company, cascade):
    response = login(company["mia"]).get(reverse("dashboard:manager"))
    page = response.content.decode()
    assert company["dave"].display_name in page
    assert company["alice"].display_name not in page


def test_team_table_pages_and_htmx_partial(login, company, cascade, make_goal):
    _grow_team(company, make_goal, cascade, 30)
    client = login(company["bob"])
    first = client.get(reverse("dashboard:manager"))
    assert len(first.context["rows"]) == 25
    partial = client.get(
        reverse("dashboard:manager"),
        {"page": 2},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="team-table",
    )
    body = partial.content.decode()
    assert "<html" not in body and 'id="team-table"' in body
    assert body.count('<th scope="row">') == 7


@pytest.mark.parametrize("n", [3, 30])
def test_manager_dashboard_query_count(
    login, company, quarter, cascade, make_goal, n, django_assert_max_num_queries
):
    """3 vs 30 people, each with a goal, a check-in, an adjustment, a resource request and an
    award waiting: the page (summary and first page of the team table) in the same bound,
    counted with every query of the request, the sign-in's included (as without Redis: the
    session, the person and their roles read from the database). This week's check-ins are
    read from the unit × week rows by the manager's scope (the count of the team, the rows of
    its subtrees, and the check-ins of the few outside them and of the manager when in one:
    three queries whatever the team's size, where one scan of the team's check-ins was one
    query that grew with it)."""
    team = _grow_team(company, make_goal, cascade, n)
    _grow_approvals(company, quarter, team)
    client = login(company["bob"])
    response = client.get(reverse("dashboard:manager"))
    assert response.context["summary"]["size"] == n + 2
    assert len(response.context["rows"]) == min(n + 2, 25)
    with django_assert_max_num_queries(15):
        assert client.get(reverse("dashboard:manager")).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_manager_dashboard_query_count_signed_in_as_in_production(
    production_sign_in,
    login,
    company,
    quarter,
    cascade,
    make_goal,
    n,
    django_assert_max_num_queries,
):
    """The same page as production serves it with Redis (sessions and the viewer from the
    cache, the user row read): at most 12 queries whatever the team's size."""
    team = _grow_team(company, make_goal, cascade, n)
    _grow_approvals(company, quarter, team)
    client = login(company["bob"])
    assert client.get(reverse("dashboard:manager")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("dashboard:manager")).status_code == 200
    with django_assert_max_num_queries(10):
        partial = client.get(
            reverse("dashboard:manager"),
            {"page": 2},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="team-table",
        )
    assert partial.status_code == 200


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("name", SECTIONS)
def test_manager_dashboard_section_query_count(
    production_sign_in,
    login,
    company,
    quarter,
    cascade,
    make_goal,
    n,
    name,
    django_assert_max_num_queries,
):
    """Each section loaded by the page: the same bound for 3 and 30 of everything it lists
    (adjustments, resource requests, awards waiting, budgets near their limit)."""
    team = _grow_team(company, make_goal, cascade, n)
    _grow_approvals(company, quarter, team)
    client = login(company["bob"])
    first = section_of(client, name)
    assert first.status_code == 200
    if name == "approvals":
        for key in ("adjustments", "requests", "awards"):
            assert first.context[f"{key}_count"] == n
            assert len(first.context[key]) == min(n, 10)
    if name == "resources":
        assert first.context["waiting_count"] == n and first.context["near_limit_count"] == n
        assert len(first.context["waiting"]) == min(n, 10)
        assert len(first.context["budgets"]) == n
    with django_assert_max_num_queries(10):
        assert section_of(client, name).status_code == 200


def test_unit_head_sees_units_by_weeks_heatmap(login, company, cascade):
    kr = cascade["alice"].key_results.get()
    _submit(company["alice"], key_result=kr, value=Decimal("20"), status="on_track", progress=0.5)
    response = section_of(login(company["bob"]), "heatmap")
    heat = response.context["heat"]
    (unit, cells) = heat["rows"][0]
    assert unit == company["field"]
    assert (0.5, "h2") in cells


# --- company overview ------------------------------------------------------------------------


def test_company_overview_for_admins(login, company, quarter, cascade):
    kr = cascade["sales"].key_results.get()
    Measurement.objects.create(
        key_result=kr,
        value=Decimal("150"),
        source="manual",
        recorded_at=dt.datetime(2026, 10, 20, tzinfo=dt.UTC),
    )
    response = login(company["zed"]).get(reverse("dashboard:company"), {"cycle": quarter.pk})
    assert response.status_code == 200
    page = response.content.decode()
    assert cascade["company"].title in page
    history = dict(response.context["history"])
    # nothing measured in the first weeks: off track; 150 of 200 from Oct 20: on track
    statuses = history[cascade["sales"]]
    assert statuses[0] == "off_track" and statuses[-1] == "on_track"
    cascades = {c["unit"].name: c for c in response.context["cascades"]}
    assert cascades["Sales"]["goals"] == 3


@pytest.mark.parametrize("who", ["alice", "bob", "carol"])
def test_company_overview_is_404_for_others(login, company, cascade, who):
    assert login(company[who]).get(reverse("dashboard:company")).status_code == 404


@pytest.mark.parametrize("extra", [1, 28])
def test_company_overview_query_count(
    login, company, cascade, make_goal, extra, django_assert_max_num_queries
):
    _grow_team(company, make_goal, cascade, extra)
    client = login(company["zed"])
    client.get(reverse("dashboard:company"))
    with django_assert_max_num_queries(20):
        assert client.get(reverse("dashboard:company")).status_code == 200


# --- board and timeline ----------------------------------------------------------------------


def test_board_groups_cards_by_status_and_filters_by_unit(
    login, company, quarter, cascade, make_goal
):
    make_goal(company["dave"], title="Publish 12 articles", state="proposed")
    response = login(company["zed"]).get(reverse("dashboard:board"), {"cycle": quarter.pk})
    columns = {col["key"]: col["goals"] for col in response.context["columns"]}
    assert [g.title for g in columns["not_agreed"]] == ["Publish 12 articles"]
    assert cascade["sales"] in columns["off_track"] or cascade["sales"] in columns["at_risk"]
    narrowed = login(company["zed"]).get(
        reverse("dashboard:board"), {"cycle": quarter.pk, "unit": company["marketing"].pk}
    )
    titles = [g.title for col in narrowed.context["columns"] for g in col["goals"]]
    assert titles == ["Publish 12 articles"]


def test_board_hides_goals_the_viewer_may_not_see(login, company, quarter, cascade, make_goal):
    make_goal(company["dave"], title="Private plan for 2 hires", visibility=Goal.Visibility.PRIVATE)
    page = login(company["alice"]).get(reverse("dashboard:board")).content.decode()
    assert "Private plan for 2 hires" not in page


def test_timeline_bars_milestones_and_today(login, company, quarter, cascade):
    KeyResult.objects.filter(goal=cascade["sales"]).update(
        due_on=dt.date(2026, 12, 15), milestones=[{"date": "2026-11-01", "value": "100"}]
    )
    response = login(company["zed"]).get(reverse("dashboard:timeline"), {"cycle": quarter.pk})
    assert response.status_code == 200
    # Nov 15 in Oct 1 – Dec 31 (91 days): 45 days in
    assert response.context["today_left"] == pytest.approx(49.45, abs=0.1)
    kr_rows = [r for r in response.context["rows"] if r["kind"] == "kr" and r["stones"]]
    assert kr_rows and kr_rows[0]["stones"][0]["left"] == pytest.approx(34.07, abs=0.1)
    assert 'class="tl-today"' in response.content.decode()


@pytest.mark.parametrize("name", ["dashboard:board", "dashboard:timeline"])
@pytest.mark.parametrize("extra", [1, 28])
def test_board_and_timeline_query_count(
    login, company, cascade, make_goal, extra, name, django_assert_max_num_queries
):
    _grow_team(company, make_goal, cascade, extra)
    client = login(company["zed"])
    client.get(reverse(name))
    with django_assert_max_num_queries(16):
        assert client.get(reverse(name)).status_code == 200


def test_unknown_cycle_or_unit_is_404(login, company, cascade):
    client = login(company["zed"])
    assert client.get(reverse("dashboard:board"), {"cycle": 9999}).status_code == 404
    assert client.get(reverse("dashboard:board"), {"unit": 9999}).status_code == 404


def test_home_asks_for_similar_lessons_for_what_is_behind(login, company, cascade):
    # mid-quarter with nothing measured: alice's key result is off track
    page = login(company["alice"]).get(reverse("home")).content.decode()
    kr = cascade["alice"].key_results.get()
    assert f"{reverse('retros:similar')}?key_result={kr.pk}" in page


def test_manager_dashboard_counts_key_results_behind_pace(login, company, quarter, cascade):
    # nothing measured by mid-November: both reps' key results are off track
    client = login(company["bob"])
    response = client.get(reverse("dashboard:manager"), {"cycle": quarter.pk})
    assert response.context["kr_counts"]["off_track"] == 2
    risks = section_of(client, "risks", cycle=quarter.pk)
    assert {kr.goal.owner_person for kr in risks.context["behind"]} == {
        company["alice"],
        company["erin"],
    }


def test_home_shows_feedback_on_my_check_ins(login, company, cascade):
    from tracking.models import Feedback

    check_in = _submit(company["alice"])
    Feedback.objects.create(check_in=check_in, author=company["bob"], text="Great pipeline work")
    page = login(company["alice"]).get(reverse("home")).content.decode()
    assert "Great pipeline work" in page
    assert reverse("tracking:check-in", args=[check_in.pk]) in page
    assert reverse("tracking:this-week") in page


def test_home_reads_this_week_in_the_viewers_time_zone(client, company):
    """Sunday 20:00 UTC is already Monday in Shanghai: the check-in Alice submitted for her new
    week is the one her home shows, not the server's week before it."""
    import time_machine

    from org.models import Person

    alice = company["alice"]
    Person.objects.filter(pk=alice.pk).update(timezone="Asia/Shanghai")
    with time_machine.travel(dt.datetime(2026, 11, 15, 20, 0, tzinfo=dt.UTC), tick=False):
        CheckIn.objects.create(
            person=alice,
            week=dt.date(2026, 11, 16),
            state=CheckIn.State.SUBMITTED,
            submitted_at=dt.datetime(2026, 11, 15, 19, 0, tzinfo=dt.UTC),
        )
        client.force_login(alice.user)
        page = client.get("/", headers={"HX-Request": "true"}).content.decode()
    assert "Submitted" in page
    assert "Not started" not in page
