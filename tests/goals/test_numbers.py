"""The numbers tell the truth: key-result links and rollups, effective time, pace from the
goal's start, range key results, and the consistency check."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command

from goals import metrics, services
from goals.models import Goal, KeyResult, Measurement
from goals.selectors import goals_with_key_results
from tests.goals.conftest import kr

D = Decimal
pytestmark = pytest.mark.django_db


def _chain(company, make_goal, *, aggregation="sum", children=("alice", "erin")):
    """Company → Sales → each child person, every key result split down the chain."""
    top = make_goal(company["acme"], level=Goal.Level.COMPANY, title="Top", key_results=[kr("200")])
    sales = make_goal(company["sales"], parent=top, title="Sales", key_results=[kr("200")])
    people = [
        make_goal(company[name], parent=sales, title=name, key_results=[kr("100")])
        for name in children
    ]
    links = [(sales, top)] + [(p, sales) for p in people]
    for child, parent in links:
        KeyResult.objects.filter(goal=child).update(
            contributes_to=parent.key_results.get(), contribution_weight=D("1")
        )
        KeyResult.objects.filter(goal=parent).update(source="rollup", aggregation=aggregation)
    return top, sales, people


def _value(goal) -> Decimal:
    return goal.key_results.get().current_value


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("sum", D("70")), ("weighted_mean", D("35")), ("min", D("30")), ("max", D("40"))],
)
def test_each_aggregate_rolls_up_over_three_levels(company, make_goal, aggregation, expected):
    top, sales, (alice, erin) = _chain(company, make_goal, aggregation=aggregation)
    services.record_measurement(key_result=alice.key_results.get(), value="30", source="api")
    services.record_measurement(key_result=erin.key_results.get(), value="40", source="api")
    assert _value(sales) == expected
    # One contributor: the company's value is Sales' (any aggregate of one value is it).
    assert _value(top) == expected
    top.refresh_from_db()
    assert top.progress == pytest.approx(float(expected) / 200)
    # Rolled-up values keep a history of their own.
    assert Measurement.objects.filter(
        key_result__goal=top, source=Measurement.Source.ROLLUP
    ).exists()


def test_weighted_mean_uses_contribution_weights(company, make_goal):
    _top, sales, (alice, erin) = _chain(company, make_goal, aggregation="weighted_mean")
    KeyResult.objects.filter(goal=alice).update(contribution_weight=D("3"))
    services.record_measurement(key_result=alice.key_results.get(), value="20", source="api")
    services.record_measurement(key_result=erin.key_results.get(), value="60", source="api")
    assert _value(sales) == D("30")  # (3 × 20 + 1 × 60) / 4


def test_a_returned_goal_no_longer_contributes(company, make_goal):
    _top, sales, (alice, erin) = _chain(company, make_goal)
    services.record_measurement(key_result=alice.key_results.get(), value="30", source="api")
    services.record_measurement(key_result=erin.key_results.get(), value="40", source="api")
    Goal.objects.filter(pk=erin.pk).update(state=Goal.State.PROPOSED, initiated_by=company["erin"])
    services.return_goal(actor=company["bob"], goal=erin, comment="Aim higher")
    assert _value(sales) == D("30")
    services.propose_goal(actor=company["erin"], goal=erin)
    assert _value(sales) == D("70")


def test_a_rolled_up_key_result_refuses_a_manual_value(company, make_goal, api):
    _top, sales, _people = _chain(company, make_goal)
    with pytest.raises(ValidationError, match="rolled up"):
        services.record_measurement(key_result=sales.key_results.get(), value="5", source="api")
    res = api.as_(company["bob"]).post(
        f"/api/v1/key-results/{sales.key_results.get().pk}/measurements/", {"value": "5"}
    )
    assert res.status_code == 400 and "rolled up" in str(res.data)


def test_a_late_value_never_replaces_a_newer_one(company, make_goal, api):
    goal = make_goal(company["alice"])
    key_result = goal.key_results.get()
    services.record_measurement(key_result=key_result, value="42", source="api")
    week_ago = dt.datetime(2026, 11, 8, 12, 0, tzinfo=dt.UTC)
    res = api.as_(company["alice"]).post(
        f"/api/v1/key-results/{key_result.pk}/measurements/",
        {"value": "5", "effective_at": week_ago.isoformat()},
        format="json",
    )
    assert res.status_code == 201 and res.data["effective_at"].startswith("2026-11-08")
    key_result.refresh_from_db()
    assert key_result.current_value == D("42")  # the newer value stays current
    history = (
        api.as_(company["alice"])
        .get(f"/api/v1/key-results/{key_result.pk}/measurements/")
        .data["results"]
    )
    assert [row["value"] for row in history] == ["42.0000", "5.0000"]  # newest effective first
    # A value from the future is refused.
    res = api.as_(company["alice"]).post(
        f"/api/v1/key-results/{key_result.pk}/measurements/",
        {"value": "1", "effective_at": "2027-01-01T00:00:00Z"},
        format="json",
    )
    assert res.status_code == 400 and "effective_at" in res.data


def test_key_result_api_shows_links(company, make_goal, api):
    _top, sales, (alice, erin) = _chain(company, make_goal)
    sales_kr = sales.key_results.get()
    row = api.as_(company["bob"]).get(f"/api/v1/key-results/{sales_kr.pk}/").data
    assert row["source"] == "rollup" and row["aggregation"] == "sum"
    assert sorted(row["contributors"]) == sorted(
        [alice.key_results.get().pk, erin.key_results.get().pk]
    )
    child = api.as_(company["bob"]).get(f"/api/v1/key-results/{alice.key_results.get().pk}/").data
    assert child["contributes_to"] == sales_kr.pk and child["source"] == "manual"


def test_cascade_links_the_children_and_rolls_up(company, make_goal):
    sales = make_goal(company["sales"], actor=company["bob"], key_results=[kr("100")])
    split = sales.key_results.get()
    result = services.cascade_goal(
        actor=company["bob"],
        goal=sales,
        key_result=split,
        split="equal",
        children=[{"owner_person": company["alice"]}, {"owner_person": company["erin"]}],
    )
    split.refresh_from_db()
    assert split.source == "rollup"
    children = [g.key_results.get() for g in result.goals]
    assert {c.contributes_to_id for c in children} == {split.pk}
    services.record_measurement(key_result=children[0], value="20", source="api")
    split.refresh_from_db()
    sales.refresh_from_db()
    assert split.current_value == D("20") and sales.progress == pytest.approx(0.2)


# --- pace from the goal's start -----------------------------------------------------------


def test_pace_starts_when_the_goal_was_created(company, quarter):
    goal = services.create_goal(
        actor=company["alice"],
        cycle=quarter,
        title="Started today",
        level=Goal.Level.PERSON,
        owner_person=company["alice"],
        key_results=[kr("45")],
    )
    assert goal.pace_start == dt.date(2026, 11, 15)
    key_result = goal.key_results.get()
    assert key_result.expected_progress(dt.date(2026, 11, 15)) == 0.0
    assert key_result.status(dt.date(2026, 11, 15)) == "on_track"  # not off track on day one
    # Halfway from its start to the cycle's end, half is expected.
    halfway = dt.date(2026, 11, 15) + (dt.date(2026, 12, 31) - dt.date(2026, 11, 15)) / 2
    assert key_result.expected_progress(halfway) == pytest.approx(0.5, abs=0.02)


def test_explicit_start_must_lie_in_the_cycle(company, quarter):
    with pytest.raises(ValidationError) as exc:
        services.create_goal(
            actor=company["alice"],
            cycle=quarter,
            title="x",
            level=Goal.Level.PERSON,
            owner_person=company["alice"],
            key_results=[kr()],
            starts_on=dt.date(2026, 9, 1),
        )
    assert "starts_on" in exc.value.message_dict


def test_status_history_shows_nothing_before_a_goal_existed(company, quarter):
    from dashboard.views.company_data import status_history

    goal = services.create_goal(
        actor=company["zed"],
        cycle=quarter,
        title="Mid-cycle",
        level=Goal.Level.UNIT,
        owner_unit=company["sales"],
        key_results=[kr("45")],
    )
    goal = goals_with_key_results(Goal.objects.filter(pk=goal.pk)).get()
    weeks, rows = status_history([goal], quarter, dt.date(2026, 11, 15))
    cells = dict(zip(weeks, rows[0][1], strict=True))
    assert all(cells[w] is None for w in weeks if w + dt.timedelta(days=6) < goal.pace_start)
    assert cells[weeks[-1]] is not None


# --- range ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "attainment"),
    [("95", 1.0), ("90", 1.0), ("110", 1.0), ("45", 0.5), ("220", 0.5), ("0", 0.0)],
)
def test_range_attainment(value, attainment):
    got = metrics.attainment(
        D(value), start=D("0"), target=D("90"), high=D("110"), direction=metrics.RANGE
    )
    assert got == pytest.approx(attainment)


def test_range_key_result_needs_its_bounds(company, make_goal):
    with pytest.raises(ValidationError) as exc:
        make_goal(company["alice"], key_results=[kr("90", direction="range")])
    assert "key_results.target_high" in exc.value.message_dict
    goal = make_goal(
        company["alice"], key_results=[kr("90", direction="range", target_high=D("110"))]
    )
    key_result = goal.key_results.get()
    services.record_measurement(key_result=key_result, value="100", source="api")
    key_result.refresh_from_db()
    assert key_result.progress == 1.0
    assert key_result.expected_progress(dt.date(2026, 11, 15)) == 1.0  # held all along


# --- consistency -----------------------------------------------------------------------------


def test_check_numbers_finds_and_repairs_a_stale_current_value(company, make_goal, capsys):
    goal = make_goal(company["alice"])
    key_result = goal.key_results.get()
    services.record_measurement(key_result=key_result, value="9", source="api")
    KeyResult.objects.filter(pk=key_result.pk).update(current_value=D("5"))  # a stale write
    drift = services.check_numbers()
    assert any(d.kind == "current_value" and d.computed == D("9") for d in drift)
    services.check_numbers(fix=True)
    key_result.refresh_from_db()
    assert key_result.current_value == D("9")
    call_command("check_numbers")
    assert "0 differences" in capsys.readouterr().out


def test_data_migration_links_cascaded_key_results(company, make_goal):
    migration = importlib.import_module("goals.migrations.0052_key_result_links_data")
    sales = make_goal(company["sales"], key_results=[kr("90"), kr("5", name="Other", metric="x")])
    alice = make_goal(company["alice"], parent=sales, key_results=[kr("45")])
    stay = make_goal(company["erin"], parent=sales, key_results=[kr("4", direction="stay_above")])
    migration.link_cascaded_key_results(KeyResult)
    split = sales.key_results.get(metric="new-customers")
    assert alice.key_results.get().contributes_to_id == split.pk
    assert stay.key_results.get().contributes_to_id is None  # not additive: not a split
    split.refresh_from_db()
    assert split.source == "rollup"


def test_demo_numbers_agree(db, capsys):
    with time_machine.travel(dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC), tick=False):
        call_command("seed_demo")
        call_command("check_numbers")
    assert "Numbers: 0 differences found." in capsys.readouterr().out
