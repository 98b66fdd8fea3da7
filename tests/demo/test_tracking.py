import datetime as dt

import pytest

from demo.seed import org as org_seed
from demo.seed import org_synthetic
from demo.seed import tracking as tracking_seed
from goals.models import Measurement
from tests.tracking.factories import make_cycle, person_goal
from tracking.models import CheckIn, Feedback, ImprovementPlan, KeyResultUpdate, WeeklyReview

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tracking_day")]


def _counts():
    return [
        m.objects.count()
        for m in (CheckIn, KeyResultUpdate, Measurement, Feedback, ImprovementPlan, WeeklyReview)
    ]


def test_demo_without_key_results_does_nothing():
    ctx = org_seed.seed_company()
    tracking_seed.seed(ctx)
    assert _counts() == [0, 0, 0, 0, 0, 0]


def test_demo_seeds_eight_weeks_with_drift_idempotently():
    ctx = org_seed.seed_company()
    cycle = make_cycle(starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 12, 31))
    reps = ["employee", "sales-inside.1", "sales-inside.2", "sales-inside.3", "sales-key.1"]
    for username in reps:
        person_goal(ctx.people[username], cycle, names=("New customers", "Calls"), target=120)
    tracking_seed.seed(ctx)
    first = _counts()
    check_ins = CheckIn.objects.filter(person=ctx.people["employee"])
    assert check_ins.count() == 8 and all(c.state == "submitted" for c in check_ins)
    assert check_ins.order_by("week").last().week == dt.date(2026, 11, 9)
    starved = KeyResultUpdate.objects.filter(
        check_in__person=ctx.people["employee"], status="off_track"
    )
    assert starved.exists() and {u.cause.slug for u in starved} == {"not-enough-leads"}
    latest = starved.order_by("-check_in__week").first()
    assert 0.45 <= latest.progress / latest.expected_progress <= 0.7
    assert "expected" in latest.check_in.deviation
    assert Feedback.objects.exists()
    assert ImprovementPlan.objects.get().person == ctx.people["employee"]
    assert WeeklyReview.objects.filter(manager=ctx.people["manager"]).count() == 8
    tracking_seed.seed(org_seed.seed_company())
    assert _counts() == first


def test_synthetic_bulk_seed():
    ctx = org_synthetic.seed_synthetic(employees=30, weeks=4)
    cycle = make_cycle(starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 12, 31))
    people = list(ctx.people.values())[:10]
    for person in people:
        person_goal(person, cycle, names=("A", "B"))
    tracking_seed.seed(ctx)
    assert CheckIn.objects.count() == 10 * 4
    assert KeyResultUpdate.objects.count() == Measurement.objects.count() == 10 * 4 * 2
    # Rows written in bulk read back like any other.
    measurement = Measurement.objects.order_by("recorded_at").first()
    assert measurement.recorded_at == dt.datetime(2026, 10, 25, 18, 0, tzinfo=dt.UTC)
    assert measurement.source == "check_in" and measurement.value >= 0
    update = KeyResultUpdate.objects.select_related("check_in").order_by("check_in__week").first()
    assert update.check_in.week == dt.date(2026, 10, 19) and update.check_in.state == "submitted"
    assert update.status in {"on_track", "at_risk", "off_track"} and update.expected_progress > 0
    tracking_seed.seed(ctx)
    assert CheckIn.objects.count() == 40
