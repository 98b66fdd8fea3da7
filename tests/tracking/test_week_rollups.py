"""The unit × week check-in rollup (tracking.services.week_rollups) equals a from-scratch
rebuild after every kind of write: submit, late submit, amendment, reopen, delete, and people
joining, moving, leaving and coming back."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from org.models import Unit
from tests.factories import PersonFactory, UserFactory
from tests.tracking.conftest import MONDAY
from tests.tracking.factories import submitted
from tracking.models import CheckIn, KeyResultUpdate, UnitWeekRollup
from tracking.services import week_rollups

LAST_WEEK = MONDAY - dt.timedelta(weeks=1)


def _same_as_rebuild():
    drift = week_rollups.drift()
    assert drift == [], [str(d) for d in drift]


def _row(unit, week=MONDAY):
    return UnitWeekRollup.objects.get(unit=unit, week=week)


def test_submit_late_submit_and_amendment(company, cascade):
    c = company
    _same_as_rebuild()
    submitted(c["alice"], {cascade["customers"]: 2, cascade["calls"]: 100})
    _same_as_rebuild()
    row = _row(c["field"])
    assert (row.people, row.submitted, row.late, row.on_time, row.missing) == (2, 1, 0, 1, 1)
    assert (row.updates, row.off_track, row.on_track) == (2, 1, 1)
    # A late check-in for last week, from another unit.
    submitted(c["dave"], {cascade["dave_kr"]: 5}, week=LAST_WEEK)
    _same_as_rebuild()
    row = _row(c["marketing"], LAST_WEEK)
    assert (row.submitted, row.late, row.on_time) == (1, 1, 0)
    # An amendment during the week changes the numbers, not the count.
    submitted(c["alice"], {cascade["customers"]: 20})
    _same_as_rebuild()
    assert _row(c["field"]).submitted == 1
    # A draft counts nowhere.
    from tracking import services

    services.open_check_in(person=c["erin"])
    _same_as_rebuild()
    assert _row(c["field"]).submitted == 1


def test_reopen_and_delete(company, cascade):
    c = company
    check_in = submitted(c["alice"], {cascade["customers"]: 2})
    submitted(c["erin"], {cascade["erin_kr"]: 2})
    assert _row(c["field"]).submitted == 2
    check_in = CheckIn.objects.get(pk=check_in.pk)
    check_in.state = CheckIn.State.DRAFT
    check_in.save()
    _same_as_rebuild()
    assert _row(c["field"]).submitted == 1
    CheckIn.objects.get(person=c["erin"]).delete()
    _same_as_rebuild()
    assert not UnitWeekRollup.objects.filter(unit=c["field"]).exists()


def test_an_update_edited_or_deleted_on_its_own(company, cascade):
    """An update of a submitted check-in changed outside the check-in service (the admin, a
    correction script) moves its row in the same transaction; a draft's does not."""
    c = company
    check_in = submitted(c["alice"], {cascade["customers"]: 2, cascade["calls"]: 100})
    update = KeyResultUpdate.objects.get(check_in=check_in, key_result=cascade["calls"])
    before, old_progress = _row(c["field"]), update.progress
    update.progress = 0.9
    update.status = "on_track"
    update.save()  # loaded without its check-in: the receiver looks the row up
    _same_as_rebuild()
    after = _row(c["field"])
    assert after.progress_sum == pytest.approx(before.progress_sum - old_progress + 0.9)
    update.delete()
    _same_as_rebuild()
    assert _row(c["field"]).updates == 1
    from tracking import services

    draft, _created = services.open_check_in(person=c["erin"])
    KeyResultUpdate.objects.create(
        check_in=draft, key_result=cascade["erin_kr"], value=1, progress=0.5, status="on_track"
    )
    _same_as_rebuild()


def test_submit_recomputes_its_row_once(company, cascade, django_assert_max_num_queries):
    """The service's updates and the submission are one batch: the row's queries do not grow
    with the key results reported."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = company
    with CaptureQueriesContext(connection) as one:
        submitted(c["erin"], {cascade["erin_kr"]: 2})
    with CaptureQueriesContext(connection) as two:
        submitted(c["alice"], {cascade["customers"]: 2, cascade["calls"]: 100})
    for captured in (one, two):  # lock (insert and lock again when new), compute, write
        rollup = [q["sql"] for q in captured.captured_queries if "unitweekrollup" in q["sql"]]
        assert len(rollup) <= 4, rollup
        assert sum(sql.startswith("UPDATE") for sql in rollup) == 1, rollup
    _same_as_rebuild()


def test_people_joining_moving_leaving(company, cascade):
    c = company
    submitted(c["alice"], {cascade["customers"]: 2})
    submitted(c["alice"], {cascade["customers"]: 1}, week=LAST_WEEK)
    submitted(c["dave"], {cascade["dave_kr"]: 5})
    newcomer = PersonFactory(user=UserFactory(username="newcomer"), unit=c["field"])
    _same_as_rebuild()
    assert _row(c["field"]).people == 3 and _row(c["field"], LAST_WEEK).people == 3
    # Alice moves to Marketing: both weeks of her check-ins go with her.
    alice = c["alice"]
    alice.unit = c["marketing"]
    alice.save()
    _same_as_rebuild()
    assert not UnitWeekRollup.objects.filter(unit=c["field"]).exists()
    assert (_row(c["marketing"]).submitted, _row(c["marketing"]).people) == (2, 3)
    assert _row(c["marketing"], LAST_WEEK).submitted == 1
    # Leaving: no longer expected, their check-ins no longer counted; and coming back.
    alice.is_active = False
    alice.save()
    _same_as_rebuild()
    assert (_row(c["marketing"]).submitted, _row(c["marketing"]).people) == (1, 2)
    alice.is_active = True
    alice.save(update_fields=["is_active"])
    _same_as_rebuild()
    assert _row(c["marketing"]).submitted == 2
    newcomer.user.delete()  # the person goes with their user
    _same_as_rebuild()


def test_rebuild_reports_and_repairs_drift(company, cascade):
    c = company
    submitted(c["alice"], {cascade["customers"]: 2})
    UnitWeekRollup.objects.filter(unit=c["field"]).update(submitted=7)
    UnitWeekRollup.objects.create(unit=c["hr"], week=MONDAY, submitted=1)
    drift = week_rollups.drift()
    assert {(d.unit_id, tuple(d.differences())) for d in drift} == {
        (c["field"].pk, ("submitted",)),
        (c["hr"].pk, ("submitted",)),
    }
    assert "submitted: 7 → 1" in " ".join(str(d) for d in drift)
    assert week_rollups.drift()  # reporting wrote nothing
    assert len(week_rollups.rebuild()) == 2
    _same_as_rebuild()
    assert _row(c["field"]).submitted == 1


def test_rebuild_rollups_and_check_numbers_cover_the_week_rollup(company, cascade):
    """The goals' commands rebuild the read models other apps register (tracking's included)."""
    c = company
    submitted(c["alice"], {cascade["customers"]: 2})
    UnitWeekRollup.objects.filter(unit=c["field"]).update(submitted=7)
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("rebuild_rollups", "--check", stdout=out)
    assert "submitted: 7 → 1" in out.getvalue()
    assert _row(c["field"]).submitted == 7  # --check wrote nothing
    call_command("rebuild_rollups", stdout=io.StringIO())
    assert _row(c["field"]).submitted == 1
    call_command("check_numbers", stdout=io.StringIO())  # 0 differences: no SystemExit


def test_subtree_totals_are_read_by_path(company, cascade):
    c = company
    submitted(c["alice"], {cascade["customers"]: 2})
    submitted(c["dave"], {cascade["dave_kr"]: 5})
    sales = Unit.objects.get(pk=c["sales"].pk)
    rows = week_rollups.subtree_rows([sales.path], [MONDAY])
    assert sum(r.submitted for r in rows) == 1
    acme = Unit.objects.get(pk=c["acme"].pk)
    assert sum(r.submitted for r in week_rollups.subtree_rows([acme.path], [MONDAY])) == 2


def test_recompute_of_several_units_and_weeks(company, cascade):
    c = company
    submitted(c["alice"], {cascade["customers"]: 2})
    submitted(c["alice"], {cascade["customers"]: 1}, week=LAST_WEEK)
    submitted(c["dave"], {cascade["dave_kr"]: 5})
    submitted(c["dave"], {cascade["dave_kr"]: 4}, week=LAST_WEEK)
    UnitWeekRollup.objects.update(submitted=9)
    week_rollups.recompute({(c["field"].pk, MONDAY), (c["marketing"].pk, LAST_WEEK)})
    assert _row(c["field"]).submitted == 1 and _row(c["marketing"], LAST_WEEK).submitted == 1
    assert _row(c["field"], LAST_WEEK).submitted == 9  # not asked for
    week_rollups.rebuild()
    _same_as_rebuild()
