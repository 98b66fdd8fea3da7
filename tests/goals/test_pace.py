"""The stored pace (expected progress and status per key result and day) agrees with the live
computation, goes stale when its inputs change, and is refreshed in bulk."""

import datetime as dt

import pytest

from goals import services
from goals.models import GoalSettings, KeyResult
from goals.services import pace
from tests.goals.conftest import kr

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 15)


def test_stored_pace_is_the_live_status(company, make_goal):
    goals = [make_goal(company["alice"], key_results=[kr("100")]) for _ in range(3)]
    for goal, value in zip(goals, ("20", "45", "70"), strict=True):
        services.record_measurement(key_result=goal.key_results.get(), value=value, source="api")
    # The write brought the pace to the day (the read models count it: goals.rollups).
    assert pace.refresh(KeyResult.objects.all(), TODAY) == 0  # current: nothing to do
    KeyResult.objects.update(pace_on=None)
    assert pace.refresh(KeyResult.objects.all(), TODAY) == 3
    for key_result in KeyResult.objects.select_related("goal__cycle"):
        assert key_result.pace_status == key_result.status(TODAY)
        assert key_result.pace_expected == pytest.approx(key_result.expected_progress(TODAY))
    # A new value makes the row stale; the write refreshes it to the truth.
    first = goals[0].key_results.get()
    first.target_value = 200
    first.save()
    first.refresh_from_db()
    assert first.pace_on == TODAY and first.pace_status == first.status(TODAY)
    services.record_measurement(key_result=first, value="198", source="api")
    first.refresh_from_db()
    assert first.pace_on == TODAY and first.pace_status == "on_track"


def test_new_thresholds_and_a_new_day_restale_everything(company, make_goal):
    goal = make_goal(company["alice"], key_results=[kr("100")])
    services.record_measurement(key_result=goal.key_results.get(), value="30", source="api")
    pace.reclassify_all(TODAY)
    settings = GoalSettings.load()
    settings.at_risk_ratio = 0.3
    settings.save()
    assert KeyResult.objects.get().pace_on is None
    assert pace.reclassify_all(TODAY) == 1
    assert pace.reclassify_all(TODAY + dt.timedelta(days=1)) == 1  # the calendar moved


def test_nightly_task_runs_the_service(company, make_goal):
    from goals.tasks import reclassify_pace

    make_goal(company["alice"])
    KeyResult.objects.update(pace_on=None)
    assert reclassify_pace.apply().get() == 1
