import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from goals import services
from goals.models import Goal, GoalSettings, KeyResult
from tests.goals.factories import GoalFactory, KeyResultFactory

D = Decimal


def kr_of(direction, start, target, current):
    return KeyResult(
        direction=direction, start_value=D(start), target_value=D(target), current_value=D(current)
    )


@pytest.mark.parametrize(
    ("direction", "start", "target", "current", "attainment", "progress"),
    [
        ("increase", "0", "200", "100", 0.5, 0.5),
        ("increase", "0", "200", "260", 1.3, 1.0),
        ("increase", "50", "150", "40", -0.1, 0.0),
        ("increase", "10", "10", "10", 1.0, 1.0),
        ("decrease", "100", "60", "80", 0.5, 0.5),
        ("decrease", "100", "60", "48", 1.3, 1.0),
        ("decrease", "100", "60", "120", -0.5, 0.0),
        ("stay_above", "0", "90", "81", 0.9, 0.9),
        ("stay_above", "0", "90", "99", 1.1, 1.0),
        ("stay_below", "0", "5", "4", 1.25, 1.0),
        ("stay_below", "0", "5", "10", 0.5, 0.5),
        ("stay_below", "0", "5", "0", 1.0, 1.0),
    ],
)
def test_attainment_and_progress_for_every_direction(
    direction, start, target, current, attainment, progress
):
    kr = kr_of(direction, start, target, current)
    assert kr.attainment() == pytest.approx(attainment)
    assert kr.compute_progress() == pytest.approx(progress)


def test_expected_progress_linear_and_by_milestones(quarter):
    goal = GoalFactory.build(cycle=quarter)
    kr = KeyResult(
        goal=goal, start_value=D("0"), target_value=D("90"), due_on=dt.date(2026, 12, 31)
    )
    # 2026-10-01 → 12-31 is 91 days; on 11-15 45 days have passed.
    assert kr.expected_progress(dt.date(2026, 11, 15)) == pytest.approx(45 / 91)
    assert kr.expected_progress(dt.date(2026, 9, 1)) == 0.0
    assert kr.expected_progress(dt.date(2027, 1, 5)) == 1.0
    kr.milestones = [{"date": "2026-10-31", "value": "10"}, {"date": "2026-11-30", "value": "60"}]
    # Between the milestones 10 (1/9) and 60 (2/3): 15 of 30 days.
    assert kr.expected_progress(dt.date(2026, 11, 15)) == pytest.approx(1 / 9 + (2 / 3 - 1 / 9) / 2)


def test_status_uses_the_organisation_thresholds(company, make_goal):
    goal = make_goal(
        company["alice"],
        key_results=[
            {"name": "x", "unit": "u", "target_value": "100", "due_on": dt.date(2026, 12, 31)}
        ],
    )
    Goal.objects.filter(pk=goal.pk).update(starts_on=goal.cycle.starts_on)  # paced from then
    kr = goal.key_results.get()
    today = dt.date(2026, 11, 15)  # expected ≈ 0.4945
    for value, status in [("45", "on_track"), ("30", "at_risk"), ("20", "off_track")]:
        services.record_measurement(key_result=kr, value=value, source="manual")
        kr.refresh_from_db()
        assert kr.status(today) == status
    settings = GoalSettings.load()
    settings.at_risk_ratio = 0.3
    settings.save()
    assert kr.status(today) == "at_risk"


def test_weighted_rollup_over_three_levels_in_one_transaction(company, make_goal):
    top = make_goal(
        company["acme"], level=Goal.Level.COMPANY, title="Grow market share by 5 %", key_results=[]
    )
    sales = make_goal(company["sales"], parent=top, weight=D("3"), key_results=[])
    marketing = make_goal(
        company["marketing"],
        parent=top,
        weight=D("1"),
        key_results=[{"name": "Exposure", "unit": "%", "target_value": "30"}],
    )
    alice = make_goal(
        company["alice"],
        parent=sales,
        weight=D("1"),
        key_results=[
            {"name": "a", "unit": "c", "target_value": "10"},
            {"name": "b", "unit": "c", "target_value": "10", "weight": "3"},
        ],
    )
    erin = make_goal(company["erin"], parent=sales, weight=D("1"))
    a, b = alice.key_results.all()
    services.record_measurement(key_result=a, value="10", source="manual")  # 1.0 × 1
    services.record_measurement(key_result=b, value="5", source="manual")  # 0.5 × 3
    alice.refresh_from_db()
    assert alice.progress == pytest.approx((1.0 + 1.5) / 4)
    services.record_measurement(key_result=erin.key_results.get(), value="9", source="manual")
    sales.refresh_from_db()
    assert sales.progress == pytest.approx((0.625 + 0.2) / 2)
    services.record_measurement(key_result=marketing.key_results.get(), value="15", source="api")
    top.refresh_from_db()
    assert top.progress == pytest.approx((3 * 0.4125 + 1 * 0.5) / 4)


def test_check_numbers_reports_and_fixes_drift(company, make_goal, capsys):
    goal = make_goal(company["alice"])
    kr = goal.key_results.get()
    services.record_measurement(key_result=kr, value="9", source="manual")
    KeyResult.objects.filter(pk=kr.pk).update(progress=0.9)
    Goal.objects.filter(pk=goal.pk).update(progress=0.0)
    with pytest.raises(SystemExit):  # differences found: a failing exit for CI
        call_command("check_numbers")
    assert "2 differences found" in capsys.readouterr().out
    call_command("check_numbers", "--fix")
    assert "2 differences fixed" in capsys.readouterr().out
    goal.refresh_from_db()
    assert goal.progress == pytest.approx(0.2)
    call_command("check_numbers")
    assert "0 differences" in capsys.readouterr().out


def test_kpi_has_exactly_one_indicator(company, make_goal):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        make_goal(
            company["alice"],
            kind=Goal.Kind.KPI,
            key_results=[{"name": "a", "target_value": "1"}, {"name": "b", "target_value": "2"}],
        )
    assert make_goal(company["alice"], kind=Goal.Kind.KPI).key_results.count() == 1


def test_bad_key_result_input_is_rejected_whole(company, make_goal, quarter):
    from django.core.exceptions import ValidationError

    before = Goal.objects.count()
    with pytest.raises(ValidationError) as exc:
        make_goal(company["alice"], key_results=[{"name": "x", "target_value": "lots"}])
    assert "key_results.target_value" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        make_goal(company["alice"], key_results=[kr_dict(due_on=dt.date(2027, 3, 1))])
    assert "key_results.due_on" in exc.value.message_dict
    assert Goal.objects.count() == before


def kr_dict(**extra):
    return {"name": "x", "unit": "c", "target_value": "10", **extra}


def test_factory_key_result_progress(db):
    kr = KeyResultFactory(current_value=D("9"))
    assert kr.compute_progress() == pytest.approx(0.2)
