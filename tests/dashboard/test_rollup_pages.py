"""The pages that summarise many goals read the person × cycle and unit × cycle read models
(goals.services.rollups): their numbers equal a scan of the goals, and their cost does not grow
with the number of people below the viewer."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db.models import Avg, Count
from django.urls import reverse

from dashboard.views import company_data, team_data
from goals import services
from goals.models import Goal, KeyResult, PersonCycleRollup, Status
from goals.services import pace
from org import scopes
from tests.factories import PersonFactory
from tests.goals.conftest import kr

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 15)


def _team(company, make_goal, cascade, n):
    """n more people under bob with goals in every state, weights and values."""
    states = [Goal.State.AGREED, Goal.State.PROPOSED, Goal.State.DRAFT, Goal.State.CLOSED]
    for i in range(n):
        person = PersonFactory(unit=company["field"], manager=company["bob"])
        goal = make_goal(
            person,
            title=f"Win {i} new accounts",
            parent=cascade["sales"],
            state=states[i % 4],
            weight=str(1 + i % 3),
            key_results=[kr("40"), kr("10", name="Demos")],
        )
        if goal.state != Goal.State.CLOSED:
            first = goal.key_results.order_by("pk").first()
            services.record_measurement(key_result=first, value=str(5 * (i % 9)), source="api")
        make_goal(person, title=f"Learn {i}", state=Goal.State.AGREED, weight="0")


def _scanned(people, cycle):
    """What the manager dashboard computed from the goals before the read models."""
    pace.refresh(KeyResult.objects.all(), TODAY)
    states = dict(
        Goal.objects.filter(owner_person__in=people, cycle=cycle)
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    behind = {Status.ON_TRACK: 0, Status.AT_RISK: 0, Status.OFF_TRACK: 0}
    for status, n in (
        KeyResult.objects.filter(
            goal__owner_person__in=people, goal__cycle=cycle, goal__state=Goal.State.AGREED
        )
        .order_by()
        .values_list("pace_status")
        .annotate(n=Count("pk"))
    ):
        behind[status] = n
    per_person = {}
    for person in people:
        goals = list(
            Goal.objects.filter(owner_person=person, cycle=cycle).exclude(state=Goal.State.CLOSED)
        )
        counts = defaultdict(int)
        for status in KeyResult.objects.filter(goal__in=goals).values_list(
            "pace_status", flat=True
        ):
            counts[status] += 1
        per_person[person.pk] = (
            team_data.weighted_progress(goals),
            {s: counts[s] for s in (Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)},
        )
    return states, behind, per_person


def test_manager_dashboard_numbers_equal_a_scan_of_the_goals(
    login, company, quarter, cascade, make_goal
):
    _team(company, make_goal, cascade, 8)
    response = login(company["bob"]).get(reverse("dashboard:manager"), {"cycle": quarter.pk})
    people = team_data.team_people(company["bob"])
    states, behind, per_person = _scanned(people, quarter)
    assert response.context["summary"]["goal_states"] == states
    assert response.context["kr_counts"] == behind
    rows = response.context["rows"]
    assert len(rows) == min(people.count(), team_data.PAGE_SIZE)
    for row in rows:
        progress, statuses = per_person[row.person.pk]
        assert row.weighted_progress == pytest.approx(progress)
        assert row.statuses == statuses


def test_company_overview_cascades_equal_a_scan_of_the_goals(
    login, company, quarter, cascade, make_goal
):
    _team(company, make_goal, cascade, 6)
    make_goal(company["dave"], state=Goal.State.AGREED)
    response = login(company["zed"]).get(reverse("dashboard:company"), {"cycle": quarter.pk})
    for row in response.context["cascades"]:
        scan = (
            Goal.objects.filter(cycle=quarter, owner_path__startswith=row["unit"].path)
            .exclude(state=Goal.State.CLOSED)
            .aggregate(n=Count("pk"), avg=Avg("progress"))
        )
        assert row["goals"] == scan["n"]
        assert row["progress"] == pytest.approx(scan["avg"] or 0.0)


@pytest.mark.parametrize("n", [4, 12])
def test_team_numbers_cost_the_same_for_n_and_3n_people(
    company, quarter, cascade, make_goal, n, django_assert_max_num_queries
):
    """The whole team's goal and key-result numbers: the same handful of queries for n and 3n
    people (sums of one row per person), the page of rows too."""
    _team(company, make_goal, cascade, n)
    viewer = scopes.Viewer(company["bob"])
    people = team_data.team_people(viewer)
    people.count()  # the scope, as the page's permission check has it before
    # the count, this week's unit rows, the people outside the subtrees and the manager's own
    # check-ins, the read models brought to today, their sums
    with django_assert_max_num_queries(5):
        team_data.team_summary(viewer, people, cycle=quarter, today=TODAY)
    with django_assert_max_num_queries(2):
        team_data.behind_pace(people, cycle=quarter, today=TODAY)
    with django_assert_max_num_queries(4):
        team_data.team_rows(people, cycle=quarter, today=TODAY, page_number=1)
    departments = company_data.departments()[1]
    with django_assert_max_num_queries(1):
        company_data.unit_cascades(quarter, departments)


def test_rows_of_an_earlier_day_are_brought_to_today_by_the_page(
    login, company, quarter, cascade, make_goal
):
    import time_machine

    _team(company, make_goal, cascade, 3)
    before = login(company["bob"]).get(reverse("dashboard:manager"), {"cycle": quarter.pk})
    with time_machine.travel(dt.datetime(2026, 12, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        later = login(company["bob"]).get(reverse("dashboard:manager"), {"cycle": quarter.pk})
        people = team_data.team_people(company["bob"])
        pace.refresh(KeyResult.objects.all(), dt.date(2026, 12, 20))
        behind = {Status.ON_TRACK: 0, Status.AT_RISK: 0, Status.OFF_TRACK: 0}
        for status in KeyResult.objects.filter(
            goal__owner_person__in=people, goal__cycle=quarter, goal__state=Goal.State.AGREED
        ).values_list("pace_status", flat=True):
            behind[status] += 1
        as_of = set(
            PersonCycleRollup.objects.filter(person__in=people, cycle=quarter).values_list(
                "as_of", flat=True
            )
        )
    assert later.context["kr_counts"] == behind
    assert as_of == {dt.date(2026, 12, 20)}
    assert sum(behind.values()) == sum(before.context["kr_counts"].values())


def test_weighted_progress_with_weights_that_add_up_to_nothing(company, quarter, make_goal):
    for progress_value in ("10", "30"):
        goal = make_goal(company["alice"], weight="0", key_results=[kr("40")])
        services.record_measurement(
            key_result=goal.key_results.get(), value=progress_value, source="api"
        )
    row = PersonCycleRollup.objects.get(person=company["alice"], cycle=quarter)
    goals = list(Goal.objects.filter(owner_person=company["alice"]))
    assert row.open_weight == Decimal("0")
    assert row.weighted_progress == pytest.approx(team_data.weighted_progress(goals))
