"""Who is recorded on the history rows, for every write path: the browser (the request's
user), the API with token authentication (DRF puts the token's user on the request the
history middleware saw), and services called without any request (tasks, commands, admin
actions), which record their `actor`."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from rest_framework.test import APIClient

from core.history import acting_as
from dashboard.audit import KINDS
from goals.models import Goal, KeyResult, TargetAdjustment
from incentives import services as incentive_services
from incentives.models import Award, IncentiveRule
from org.tokens import create_token
from resources.models import Budget, ResourceRequest
from tests.audit.conftest import TIERS, agreed_goal
from tracking.models import CheckIn, KeyResultUpdate

pytestmark = pytest.mark.django_db


def latest(model, obj):
    return model.history.filter(id=obj.pk).order_by("-history_id").first()


def token_client(person) -> APIClient:
    client = APIClient()
    _token, key = create_token(user=person.user, name="test")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.parametrize(
    "model", [kind.model for kind in KINDS] + [CheckIn, KeyResultUpdate], ids=str
)
def test_every_audited_model_takes_the_actor_from_the_shared_helper(company, model):
    """A model added to the audit without `get_user=history_user` fails here."""
    history_model = model.history.model
    with acting_as(company["bob"]):
        assert history_model.get_default_history_user(model()).pk == company["bob"].user_id
    assert history_model.get_default_history_user(model()) is None


def test_nested_actors_each_record_their_own(company):
    with acting_as(company["bob"]):
        with acting_as(company["carol"]):
            inner = Goal.history.model.get_default_history_user(Goal())
        after = Goal.history.model.get_default_history_user(Goal())
        with acting_as(None):
            unchanged = Goal.history.model.get_default_history_user(Goal())
    assert (inner.pk, after.pk, unchanged.pk) == (
        company["carol"].user_id,
        company["bob"].user_id,
        company["bob"].user_id,
    )


def test_goal_update_through_the_api_with_a_token_records_the_owner(company, cycle):
    alice = company["alice"]
    goal = agreed_goal(manager=company["bob"], owner=alice, cycle=cycle)
    Goal.objects.filter(pk=goal.pk).update(state=Goal.State.DRAFT)
    kr = goal.key_results.get()
    response = token_client(alice).patch(
        f"/api/v1/goals/{goal.pk}/",
        {
            "version": goal.version,
            "title": "Win 50 new customers",
            "key_results": [{"id": kr.pk, "name": kr.name, "target_value": "50"}],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    record = latest(Goal, goal)
    assert record.history_user_id == alice.user_id
    assert record.title == "Win 50 new customers"
    kr_record = latest(KeyResult, kr)
    assert kr_record.history_user_id == alice.user_id and kr_record.target_value == 50


def test_token_requests_name_their_user_even_without_the_service_actor(company, cycle):
    """The request path on its own: with the actor helper switched off, the history row
    still names the token's user, because DRF sets it on the underlying request."""
    rule = IncentiveRule.objects.create(
        name="Bonus", unit=company["sales"], period="quarter", kind="tiered_bonus", params=TIERS
    )
    award = Award.objects.create(
        rule=rule,
        person=company["alice"],
        period_start=cycle.starts_on,
        period_end=cycle.ends_on,
        kind=rule.kind,
        amount=Decimal("1000"),
    )
    with mock.patch("core.history.acting_as", lambda actor: contextlib.nullcontext()):
        response = token_client(company["carol"]).post(f"/api/v1/awards/{award.pk}/approve/")
    assert response.status_code == 200, response.content
    assert latest(Award, award).history_user_id == company["carol"].user_id


def test_adjustment_approval_without_a_request_records_the_manager(company, cycle):
    alice, bob = company["alice"], company["bob"]
    goal = agreed_goal(manager=bob, owner=alice, cycle=cycle)
    kr = goal.key_results.get()
    from goals import services

    adjustment = services.request_adjustment(
        actor=alice, key_result=kr, new_target="40", reason="market", evidence="Prices fell"
    )
    assert latest(TargetAdjustment, adjustment).history_user_id == alice.user_id
    services.approve_adjustment(actor=bob, adjustment=adjustment)
    record = latest(TargetAdjustment, adjustment)
    assert (record.history_user_id, record.state) == (bob.user_id, "approved")
    kr_record = latest(KeyResult, kr)
    assert (kr_record.history_user_id, kr_record.target_value) == (bob.user_id, 40)


def test_budget_approval_by_a_service_call_records_the_approver(company, cycle):
    from tests.audit.conftest import sales_changes

    made = sales_changes(company, cycle)
    budget = latest(Budget, made["budget"])
    assert (budget.history_user_id, budget.committed) == (company["bob"].user_id, 1200)
    assert Budget.history.filter(id=made["budget"].pk, history_type="+").get().history_user_id == (
        company["bob"].user_id
    )
    request = latest(ResourceRequest, made["request"])
    assert (request.history_user_id, request.state) == (company["bob"].user_id, "approved")
    first = ResourceRequest.history.filter(id=made["request"].pk).order_by("history_id").first()
    assert first.history_user_id == company["alice"].user_id


def test_award_approval_records_the_hrbp(company, cycle):
    rule = IncentiveRule.objects.create(
        name="Bonus", unit=company["sales"], period="quarter", kind="tiered_bonus", params=TIERS
    )
    award = Award.objects.create(
        rule=rule,
        person=company["alice"],
        period_start=cycle.starts_on,
        period_end=cycle.ends_on,
        kind=rule.kind,
        amount=Decimal("1000"),
    )
    incentive_services.approve_award(actor=company["carol"], award=award)
    record = latest(Award, award)
    assert (record.history_user_id, record.state) == (company["carol"].user_id, "approved")
    assert record.prev_record.history_type == "+"


def test_evaluation_keeps_award_history_for_bulk_writes(company):
    """Evaluation writes awards in bulk; every created, changed and withdrawn award keeps a
    history row naming the actor (or nobody for the periodic task)."""
    from tests.incentives.factories import WEEK, make_cycle
    from tests.incentives.factories import agreed_goal as incentive_goal

    cycle = make_cycle()
    goal = incentive_goal(company["alice"], cycle, values=[(10, 12)])
    rule = IncentiveRule.objects.create(
        name="Weekly", unit=company["sales"], period="week", kind="tiered_bonus", params=TIERS,
        require_agreed_goals=False,
    )  # fmt: skip
    outcome = incentive_services.evaluate_rule(actor=company["carol"], rule=rule, day=WEEK)
    assert outcome.created == 1
    award = outcome.awards[0]
    created = Award.history.filter(id=award.pk).get()
    assert (created.history_type, created.history_user_id) == ("+", company["carol"].user_id)
    kr = goal.key_results.get()
    from goals.services import record_measurement
    from tests.incentives.factories import at

    record_measurement(key_result=kr, value=15, source="api", at=at(WEEK + dt.timedelta(days=3)))
    outcome = incentive_services.evaluate_rule(actor=None, rule=rule, day=WEEK)
    assert outcome.updated == 1
    changed = latest(Award, award)
    assert (changed.history_type, changed.history_user_id, changed.amount) == ("~", None, 2000)
    record_measurement(key_result=kr, value=1, source="api", at=at(WEEK + dt.timedelta(days=4)))
    outcome = incentive_services.evaluate_rule(actor=company["zed"], rule=rule, day=WEEK)
    assert outcome.withdrawn == 1
    deleted = latest(Award, award)
    assert (deleted.history_type, deleted.history_user_id) == ("-", company["zed"].user_id)


def test_rule_edit_through_the_ui_form_records_the_hrbp(login, company):
    rule = incentive_services.create_rule(
        actor=company["carol"], name="Sales bonus", unit=company["sales"], period="quarter",
        kind="tiered_bonus", params=TIERS,
    )  # fmt: skip
    form = {
        "name": "Sales bonus 2",
        "unit": company["sales"].pk,
        "period": "quarter",
        "kind": "tiered_bonus",
        "currency": "CNY",
        "min_check_in_rate": "0",
        "min_tenure_days": "0",
        "require_agreed_goals": "on",
        "is_active": "on",
        "cap": "2500",
        "tier_threshold": ["1", "1.2"],
        "tier_amount": ["1000", "2000"],
    }
    response = login(company["carol"]).post(f"/incentives/rules/{rule.pk}/edit/", form)
    assert response.status_code == 302
    record = latest(IncentiveRule, rule)
    assert (record.history_user_id, record.name, record.cap) == (
        company["carol"].user_id,
        "Sales bonus 2",
        Decimal("2500"),
    )
    delta = record.diff_against(record.prev_record)
    assert {"name", "cap"} <= set(delta.changed_fields)


def test_rule_edit_through_the_api_records_the_admin(company):
    rule = incentive_services.create_rule(
        actor=company["carol"], name="Sales bonus", unit=company["sales"], period="quarter",
        kind="tiered_bonus", params=TIERS,
    )  # fmt: skip
    response = token_client(company["zed"]).patch(
        f"/api/v1/incentive-rules/{rule.pk}/", {"cap": "900"}, format="json"
    )
    assert response.status_code == 200, response.content
    record = latest(IncentiveRule, rule)
    assert (record.history_user_id, record.cap) == (company["zed"].user_id, Decimal("900"))
    assert IncentiveRule.history.filter(id=rule.pk, history_type="+").get().history_user_id == (
        company["carol"].user_id
    )


def test_vesting_updates_keep_history(company):
    rule = IncentiveRule.objects.create(
        name="Deferred", unit=company["sales"], period="quarter", kind="deferred",
        params={"rate": 0.1}, levels=["manager"],
    )  # fmt: skip
    award = Award.objects.create(
        rule=rule,
        person=company["bob"],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 4, 1),
        kind="deferred",
        amount=Decimal("900"),
        state="approved",
        explanation={"vesting": [{"vests_on": "2026-06-01", "status": "pending"}]},
    )
    assert incentive_services.update_vesting(today=dt.date(2026, 7, 1)) == 1
    record = latest(Award, award)
    assert record.history_type == "~" and record.explanation["vesting"][0]["status"] == "vested"
