"""This week, the weekly review and the check-in heatmap: at most 12 queries (counted through
the test client, signing in included) for n and 3n rows, with the same numbers as the
from-scratch computation over the check-ins."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from org import scopes
from org.models import Unit
from tests.factories import PersonFactory, UserFactory
from tests.tracking.conftest import MONDAY
from tests.tracking.factories import person_goal, submitted
from tests.tracking.reference import team_trend
from tracking import selectors, services
from tracking.selectors.trends import unit_check_in_rates, weeks_up_to
from tracking.services import week_rollups

PAGE_BOUND = 12
LAST_WEEK = MONDAY - dt.timedelta(weeks=1)


def _count(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.status_code
    return len(ctx.captured_queries), r.content.decode()


def _employee_with_history(company, cycle, n_goals: int):
    """Alice with n goals of three key results, last week's check-in submitted late, this
    week's submitted, feedback on it and an open improvement plan."""
    alice, bob = company["alice"], company["bob"]
    krs = []
    for i in range(n_goals):
        krs += list(
            person_goal(alice, cycle, names=("A", "B", "C"), target=30 + i).key_results.all()
        )
    submitted(alice, dict.fromkeys(krs, 5), week=LAST_WEEK)
    check_in = submitted(alice, {kr: 2 if i == 0 else 10 for i, kr in enumerate(krs)})
    services.give_feedback(actor=bob, check_in=check_in, kind="praise", text="Good")
    services.create_plan_from_update(
        actor=bob,
        update=check_in.updates.get(key_result=krs[0]),
        actions=[{"kind": "coaching", "description": "Pair up", "owner": bob}],
    )
    return alice


# This week with everything on it (goals, last week's and this week's check-ins, feedback, an
# open plan, an off-track key result): 3 for signing in, 3 for the navigation's roles (the
# headed units, whether one manages anyone, the HRBP units), then the settings, the check-in,
# the submitted weeks (streak, completion, missed weeks), the key results, this week's and
# the earlier updates, the measurements (the sparklines' weeks; the burn-ups load on demand,
# tests/tracking/test_burnups_on_demand.py), the feedback, the plans
# with their actions and the cause tags. Not yet at the 12 of issue 18 without the viewer
# kept between requests (on with Redis; next test).
THIS_WEEK_BOUND = 15


@pytest.mark.parametrize("n_goals", [2, 6])
def test_this_week_is_bounded(login, company, cycle, n_goals):
    alice = _employee_with_history(company, cycle, n_goals)
    queries, page = _count(login(alice), "/tracking/")
    assert page.count("<fieldset") == 3 * n_goals
    assert "Pair up" in page and "Good" in page
    assert queries <= THIS_WEEK_BOUND, queries


@pytest.mark.parametrize("n_goals", [2, 6])
def test_this_week_with_the_viewer_kept_is_within_the_page_bound(
    login, company, cycle, n_goals, settings
):
    from django.core.cache import cache

    alice = _employee_with_history(company, cycle, n_goals)
    settings.KEEL_VIEWER_CACHE = True
    cache.clear()
    client = login(alice)
    client.get("/tracking/")  # keeps the viewer
    queries, page = _count(client, "/tracking/")
    cache.clear()
    assert page.count("<fieldset") == 3 * n_goals
    assert queries <= PAGE_BOUND, queries


def test_this_week_numbers_equal_the_one_by_one_reads(company, cycle):
    alice = _employee_with_history(company, cycle, 2)
    data = selectors.this_week(person=alice)
    assert data["streak"] == selectors.check_in_streak(person=alice)
    assert [(c.pk, r) for c, r in data["completion"]] == [
        (c.pk, selectors.completion_rate(person=alice, cycle=c)) for c, _r in data["completion"]
    ]
    assert data["missed_weeks"] == selectors.missed_weeks(person=alice, window=2)
    assert [r.key_result.pk for r in data["rows"]] == list(
        selectors.active_key_results(person=alice, week=MONDAY).values_list("pk", flat=True)
    )
    assert all(r.update is not None and r.last_week == 5 for r in data["rows"])
    assert [p.title for p in data["open_plans"]] and data["open_plans"][0].open_actions


def _team(company, cycle, n: int):
    """n reps under Bob in the field team (Alice and Erin there too), n more in a team Bob
    does not head but whose reps report to him (a unit shared with people outside his team),
    each checking in this week and last."""
    bob = company["bob"]
    other = Unit.objects.create(name=f"Partners {n}", parent=company["marketing"])
    PersonFactory(user=UserFactory(username=f"outsider{n}"), unit=other)
    for i in range(2 * n):
        person = PersonFactory(
            user=UserFactory(username=f"rep{n}-{i}"),
            unit=company["field"] if i < n else other,
            manager=bob,
        )
        goal = person_goal(person, cycle, names=("Customers", "Calls"))
        krs = list(goal.key_results.all())
        submitted(person, {krs[0]: 3 + i % 5, krs[1]: 15}, week=LAST_WEEK)
        if i % 3:
            submitted(person, {krs[0]: 3 + i % 7, krs[1]: 150})
    # Bob (a member of Sales, which he heads) checks in too: not counted in his own team.
    bob_goal = person_goal(bob, cycle, names=("Pipeline",))
    submitted(bob, {bob_goal.key_results.get(): 20})


@pytest.mark.parametrize("n", [2, 6])
def test_weekly_review_is_bounded_and_reads_the_rollup(login, company, cycle, n):
    _team(company, cycle, n)
    queries, page = _count(login(company["bob"]), "/tracking/review/?week=2026-11-16")
    assert queries <= PAGE_BOUND, queries
    team = list(scopes.managed_people(company["bob"]).filter(is_active=True))
    weeks = weeks_up_to(MONDAY)
    from_scratch = team_trend(people=team, size=len(team), weeks=weeks)
    assert f"of {len(team)}" in page
    for row in from_scratch[-2:]:
        assert f"{row['submitted']} / {len(team)}" in page


@pytest.mark.parametrize("manager", ["bob", "zed", "mia"])
def test_team_trend_from_the_rollup_equals_the_check_ins(company, cycle, manager):
    _team(company, cycle, 3)
    company["erin"].is_active = False
    company["erin"].save()
    person = company[manager]
    team = list(scopes.managed_people(person).filter(is_active=True).select_related("unit"))
    weeks = weeks_up_to(MONDAY)
    assert week_rollups.drift() == []
    scratch = team_trend(people=team, size=len(team), weeks=weeks)
    # The weekly review's (the team listed) and the dashboard's (the team's scope, by path).
    for rollup in (
        selectors.team_trend_from_rollup(team=team, manager=person, weeks=weeks),
        selectors.managed_trend(scopes.Viewer(person), size=len(team), weeks=weeks),
    ):
        assert [(r["week"], r["submitted"], r["rate"]) for r in rollup] == [
            (r["week"], r["submitted"], r["rate"]) for r in scratch
        ]
        for a, b in zip(rollup, scratch, strict=True):
            assert (a["progress"] is None) == (b["progress"] is None)
            if a["progress"] is not None:
                assert a["progress"] == pytest.approx(b["progress"])
    # The manager dashboard's summary reads this week's count the same way.
    from dashboard.views.team_data import team_people, team_summary
    from tracking.models import CheckIn

    viewer = scopes.Viewer(person)
    summary = team_summary(viewer, team_people(viewer), cycle=cycle, today=MONDAY)
    done = CheckIn.objects.filter(week=MONDAY, state="submitted", person__in=team).count()
    assert (summary["size"], summary["submitted"]) == (len(team), done)
    assert done and summary["missing"] == len(team) - done


def test_heatmap_rates_equal_the_check_ins(company, cycle):
    _team(company, cycle, 3)
    units = list(Unit.objects.filter(parent=company["acme"]).order_by("name"))
    weeks = [LAST_WEEK, MONDAY]
    rates = unit_check_in_rates(units, weeks=weeks)
    from org.models import Person
    from tracking.models import CheckIn

    for unit, values in rates:
        people = Person.objects.filter(is_active=True, unit__path__startswith=unit.path).count()
        for week, value in zip(weeks, values, strict=True):
            done = CheckIn.objects.filter(
                week=week,
                state="submitted",
                person__is_active=True,
                person__unit__path__startswith=unit.path,
            ).count()
            assert value == (done / people if people else 0.0)
    assert any(v for _u, values in rates for v in values)
