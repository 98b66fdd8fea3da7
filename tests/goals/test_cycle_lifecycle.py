"""A cycle goes planning → active → scoring → closed (→ reopened), through the service and the
API: scoring, closing that freezes, reopening with a reason, carry-over."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goals import services
from goals.models import Cycle, Goal
from tests.goals.conftest import kr
from tests.goals.factories import CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(company, make_goal):
    """Alice's agreed goal at 40 %, and Bob's unit goal (Sales) at 0."""
    alice = make_goal(company["alice"], state=Goal.State.AGREED, key_results=[kr("100")])
    services.record_measurement(key_result=alice.key_results.get(), value="40", source="api")
    sales = make_goal(company["sales"], state=Goal.State.AGREED, key_results=[kr("10")])
    alice.refresh_from_db()
    return alice, sales


def _to(cycle, to, actor, **kwargs):
    return services.transition_cycle(actor=actor, cycle=cycle, to=to, **kwargs)


def test_the_whole_lifecycle_through_the_services(company, quarter, agreed):
    zed, bob, alice = company["zed"], company["bob"], company["alice"]
    alice_goal, sales_goal = agreed
    Cycle.objects.filter(pk=quarter.pk).update(state=Cycle.State.PLANNING)
    quarter.refresh_from_db()
    with pytest.raises(ValidationError, match="can go to: Active"):
        _to(quarter, "closed", zed)  # names what is allowed
    _to(quarter, "active", zed)
    with pytest.raises(ValidationError):
        services.score_goal(actor=alice, goal=alice_goal, self_score=0.4)  # not yet scoring
    _to(quarter, "scoring", zed)
    assert services.suggested_score(alice_goal) == 0.4
    services.score_goal(actor=alice, goal=alice_goal, self_score=0.5)
    with pytest.raises(PermissionDenied):
        services.score_goal(actor=alice, goal=alice_goal, manager_score=1.0)
    services.score_goal(actor=bob, goal=alice_goal, manager_score=0.4, comment="Fair")
    with pytest.raises(ValidationError, match="1 goal is not scored"):
        _to(quarter, "closed", zed)
    _to(quarter, "closed", zed, close_anyway=True)
    alice_goal.refresh_from_db()
    assert (alice_goal.state, alice_goal.score, alice_goal.self_score) == ("closed", 0.4, 0.5)
    # Frozen: no values, no edits, no new goals.
    with pytest.raises(ValidationError, match="closed"):
        services.record_measurement(
            key_result=alice_goal.key_results.get(), value="9", source="api"
        )
    with pytest.raises(ValidationError, match="closed"):
        services.update_goal(actor=alice, goal=alice_goal, version=alice_goal.version, title="x")
    # Reopening needs a reason, and brings the goals back.
    with pytest.raises(ValidationError) as exc:
        _to(quarter, "active", zed)
    assert "reason" in exc.value.message_dict
    _to(quarter, "active", zed, reason="A late correction from Finance")
    alice_goal.refresh_from_db()
    quarter.refresh_from_db()
    assert alice_goal.state == "agreed" and quarter.closed_at is None
    assert quarter.history.first().state_reason == "A late correction from Finance"


def test_only_admins_move_cycles(company, quarter):
    with pytest.raises(PermissionDenied):
        _to(quarter, "scoring", company["bob"])


def test_cycles_of_one_cadence_do_not_overlap_and_stay_within_2000_2100(company, quarter):
    with pytest.raises(ValidationError) as exc:
        services.create_cycle(
            actor=company["zed"],
            name="Q4 again",
            kind=Cycle.Kind.QUARTER,
            starts_on=dt.date(2026, 12, 1),
            ends_on=dt.date(2027, 2, 28),
        )
    assert "overlap" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.create_cycle(
            actor=company["zed"],
            name="Far",
            kind=Cycle.Kind.QUARTER,
            starts_on=dt.date(9999, 1, 1),
            ends_on=dt.date(9999, 3, 31),
        )
    assert "starts_on" in exc.value.message_dict


def test_carry_over_copies_unfinished_goals(company, quarter, agreed):
    zed = company["zed"]
    alice_goal, _sales = agreed
    done = Goal.objects.create(
        title="Done",
        level=Goal.Level.PERSON,
        owner_person=company["erin"],
        cycle=quarter,
        state=Goal.State.AGREED,
        progress=1.0,
    )
    with pytest.raises(ValidationError, match="next cycle"):
        services.carry_over(actor=zed, cycle=quarter, goals=[alice_goal.pk])
    nxt = CycleFactory(
        name="2027 Q1",
        kind=Cycle.Kind.QUARTER,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 3, 31),
    )
    preview = services.carry_over(
        actor=zed, cycle=quarter, goals=[alice_goal.pk, done.pk], dry_run=True
    )
    assert [g.pk for g in preview.goals] == [alice_goal.pk] and done.pk in preview.skipped
    assert not Goal.objects.filter(cycle=nxt).exists()
    result = services.carry_over(actor=zed, cycle=quarter, goals=[alice_goal.pk])
    (copy,) = result.goals
    assert (copy.cycle, copy.carried_from, copy.state) == (nxt, alice_goal, "draft")
    assert copy.key_results.get().start_value == Decimal("40")  # from where it stood
    again = services.carry_over(actor=zed, cycle=quarter, goals=[alice_goal.pk])
    assert not again.goals and alice_goal.pk in again.skipped


# --- API -------------------------------------------------------------------------------------


def test_transition_api_answers_400_naming_the_allowed_moves(api, company, quarter):
    zed = company["zed"]
    res = api.as_(zed).post(f"/api/v1/cycles/{quarter.pk}/transition/", {"to": "planning"})
    assert res.status_code == 400 and "Scoring" in str(res.data["to"])
    assert (
        api.as_(company["bob"])
        .post(f"/api/v1/cycles/{quarter.pk}/transition/", {"to": "scoring"})
        .status_code
        == 403
    )
    res = api.as_(zed).post(f"/api/v1/cycles/{quarter.pk}/transition/", {"to": "scoring"})
    assert res.status_code == 200 and res.data["state"] == "scoring"
    patched = api.as_(zed).patch(f"/api/v1/cycles/{quarter.pk}/", {"state": "closed"})
    assert patched.status_code == 400 and "state" in patched.data


def test_score_api(api, company, quarter, agreed):
    alice_goal, _sales = agreed
    Cycle.objects.filter(pk=quarter.pk).update(state=Cycle.State.SCORING)
    url = f"/api/v1/goals/{alice_goal.pk}/score/"
    res = api.as_(company["alice"]).post(url, {"self_score": 0.45, "comment": "Close"})
    assert res.status_code == 200 and res.data["self_score"] == 0.45
    assert api.as_(company["alice"]).post(url, {"manager_score": 1}).status_code == 403
    assert api.as_(company["bob"]).post(url, {"manager_score": 2}).status_code == 400
    res = api.as_(company["bob"]).post(url, {"manager_score": 0.4})
    assert res.status_code == 200 and res.data["score"] == 0.4
    # Dave sees the public goal but is not above Alice; a private one is not his to see.
    assert api.as_(company["dave"]).post(url, {"manager_score": 0.4}).status_code == 403
    Goal.objects.filter(pk=alice_goal.pk).update(visibility=Goal.Visibility.PRIVATE)
    assert api.as_(company["dave"]).post(url, {"manager_score": 0.4}).status_code == 404


def test_carry_over_api_dry_run(api, company, quarter, agreed):
    alice_goal, _sales = agreed
    CycleFactory(
        name="2027 Q1",
        kind=Cycle.Kind.QUARTER,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 3, 31),
    )
    url = f"/api/v1/cycles/{quarter.pk}/carry-over/"
    res = api.as_(company["zed"]).post(
        url, {"goals": [alice_goal.pk, 999999], "dry_run": True}, format="json"
    )
    assert res.status_code == 200 and res.data["dry_run"] is True
    assert [g["carried_from"] for g in res.data["goals"]] == [alice_goal.pk]
    assert "999999" in res.data["skipped"]
    res = api.as_(company["zed"]).post(url, {"goals": [alice_goal.pk]}, format="json")
    assert res.status_code == 200 and res.data["goals"][0]["id"]
    assert api.as_(company["bob"]).post(url, {"goals": [alice_goal.pk]}).status_code == 403
