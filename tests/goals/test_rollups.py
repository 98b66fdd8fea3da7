"""The person × cycle and unit × cycle read models: kept in the same transaction as every write
that moves them (they always equal a from-scratch rebuild), rebuilt by `rebuild_rollups` with a
drift report, and brought to a new day by the nightly task."""

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import F

from goals import services
from goals.models import Goal, GoalSettings, PersonCycleRollup, UnitCycleRollup
from goals.services import rollups
from tests.goals.conftest import kr
from tests.tracking.factories import submitted

pytestmark = pytest.mark.django_db


def assert_no_drift():
    drift = rollups.rebuild(fix=False)
    assert drift == [], "\n".join(str(d) for d in drift)


def person_row(person, cycle) -> PersonCycleRollup:
    return PersonCycleRollup.objects.get(person=person, cycle=cycle)


def test_rollups_equal_a_rebuild_after_every_kind_of_write(company, quarter, make_goal):
    alice, bob, erin = company["alice"], company["bob"], company["erin"]
    sales = make_goal(company["sales"], state=Goal.State.AGREED, key_results=[kr("200")])
    goal = make_goal(alice, parent=sales, key_results=[kr("40"), kr("10", name="Demos")])
    other = make_goal(alice, title="Learn the new CRM", weight="3")
    assert_no_drift()
    row = person_row(alice, quarter)
    assert (row.goals_draft, row.open_goals, row.open_weight) == (2, 2, D("4"))

    services.propose_goal(actor=alice, goal=goal)
    services.agree_goal(actor=bob, goal=goal)
    assert_no_drift()
    assert person_row(alice, quarter).goals_agreed == 1

    first, second = goal.key_results.order_by("pk")
    services.record_measurement(key_result=first, value="30", source="api")
    assert_no_drift()
    row = person_row(alice, quarter)
    assert row.open_weighted_progress > 0 and row.as_of == dt.date(2026, 11, 15)

    submitted(alice, {first: 38, second: 2})  # the weekly check-in
    assert_no_drift()
    row = person_row(alice, quarter)
    assert row.krs_on_track + row.krs_at_risk + row.krs_off_track == 3  # two + the CRM goal's
    assert row.agreed_on_track + row.agreed_at_risk + row.agreed_off_track == 2

    # The goal moves to another owner, and its owner to another unit.
    other.owner_person = erin
    other.save()
    assert_no_drift()
    assert person_row(erin, quarter).goals_draft == 1
    assert person_row(alice, quarter).goals_draft == 0
    alice.unit = company["marketing"]
    alice.save()
    assert_no_drift()
    marketing = UnitCycleRollup.objects.get(unit=company["marketing"], cycle=quarter)
    assert marketing.goals_agreed == 1

    # Scoring closes the goal: it leaves the open totals.
    services.close_goal(actor=bob, goal=goal, score=0.8)
    assert_no_drift()
    row = person_row(alice, quarter)
    assert (row.goals_closed, row.open_goals, row.krs_on_track + row.krs_off_track) == (1, 0, 0)

    # A deleted goal leaves no trace; the progress chain above it stays right.
    Goal.objects.get(pk=other.pk).delete()
    assert_no_drift()


def test_a_unit_row_holds_its_own_goals_and_a_subtree_is_a_sum(company, quarter, make_goal):
    make_goal(company["sales"], state=Goal.State.AGREED)
    make_goal(company["alice"])
    make_goal(company["erin"])
    make_goal(company["dave"])
    own = {
        r.unit_id: r.open_goals
        for r in UnitCycleRollup.objects.filter(cycle=quarter)
        if r.open_goals
    }
    assert own == {company["sales"].pk: 1, company["field"].pk: 2, company["marketing"].pk: 1}
    subtree = rollups.totals(
        UnitCycleRollup.objects.filter(cycle=quarter, unit__path__startswith=company["sales"].path)
    )
    assert subtree["open_goals"] == 3 and subtree["goals_draft"] == 2


def test_rebuild_reports_drift_and_repairs_it(company, quarter, make_goal, capsys):
    make_goal(company["alice"], state=Goal.State.AGREED)
    PersonCycleRollup.objects.update(goals_agreed=F("goals_agreed") + 2)  # a lost write
    UnitCycleRollup.objects.all().delete()  # a table emptied
    with pytest.raises(SystemExit) as exit_:
        call_command("rebuild_rollups", "--check")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"person {company['alice'].pk} × cycle {quarter.pk}: goals_agreed: 3 → 1" in out
    assert f"unit {company['field'].pk} × cycle {quarter.pk}" in out
    assert "Rollups: 2 rows differed (found)." in out
    assert person_row(company["alice"], quarter).goals_agreed == 3  # --check writes nothing

    call_command("rebuild_rollups")
    assert "2 rows differed (repaired)" in capsys.readouterr().out
    call_command("rebuild_rollups", "--check")
    assert "Rollups: 0 rows differed" in capsys.readouterr().out
    assert person_row(company["alice"], quarter).goals_agreed == 1


def test_check_numbers_compares_the_rollups_too(company, quarter, make_goal, capsys):
    make_goal(company["alice"])
    PersonCycleRollup.objects.update(open_goals=7)
    with pytest.raises(SystemExit):
        call_command("check_numbers")
    assert "open_goals: 7 → 1" in capsys.readouterr().out
    call_command("check_numbers", "--fix")
    call_command("check_numbers")
    assert "Numbers: 0 differences found." in capsys.readouterr().out


def test_the_nightly_task_moves_the_pace_counts_to_the_new_day(company, quarter, make_goal):
    from goals.tasks import refresh_rollups

    goal = make_goal(company["alice"], state=Goal.State.AGREED, key_results=[kr("100")])
    services.record_measurement(key_result=goal.key_results.get(), value="55", source="api")
    row = person_row(company["alice"], quarter)
    assert (row.agreed_on_track, row.as_of) == (1, dt.date(2026, 11, 15))
    # Six weeks later, nothing written since: 55 of 100 is now behind the expected pace.
    with time_machine.travel(dt.datetime(2026, 12, 28, 2, 0, tzinfo=dt.UTC), tick=False):
        assert refresh_rollups.apply().get() == 0  # moved by the day, not drifted
        row.refresh_from_db()
        assert row.as_of == dt.date(2026, 12, 28)
        assert row.agreed_on_track == 0 and row.agreed_at_risk + row.agreed_off_track == 1
        assert_no_drift()


def test_new_thresholds_make_the_rows_stale_and_a_read_refreshes_them(company, quarter, make_goal):
    goal = make_goal(company["alice"], state=Goal.State.AGREED, key_results=[kr("100")])
    services.record_measurement(key_result=goal.key_results.get(), value="40", source="api")
    settings = GoalSettings.load()
    settings.on_track_ratio, settings.at_risk_ratio = 0.1, 0.05
    settings.save()
    assert person_row(company["alice"], quarter).as_of is None
    assert rollups.refresh(PersonCycleRollup.objects.all()) == 1
    assert person_row(company["alice"], quarter).agreed_on_track == 1
    assert rollups.refresh(PersonCycleRollup.objects.all()) == 0  # current: one query
    assert_no_drift()


def test_cascade_in_bulk_keeps_the_rollups(company, quarter, make_goal):
    sales = make_goal(company["sales"], state=Goal.State.AGREED, key_results=[kr("90")])
    services.cascade_goal(
        actor=company["bob"],
        goal=sales,
        key_result=sales.key_results.get(),
        split="equal",
        children=[{"owner_person": company["alice"]}, {"owner_person": company["erin"]}],
    )
    assert person_row(company["erin"], quarter).goals_proposed == 1
    assert_no_drift()
