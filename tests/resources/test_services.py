"""Routing, priority, budget arithmetic and monitoring, through the services."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from goals.models import Goal
from notifications.models import Notification
from resources import permissions as resource_permissions
from resources import selectors, services
from resources.models import Budget, BudgetCategory, ResourceRequest, ResourceSettings
from tests.resources.factories import BudgetFactory, GoalFactory

State = ResourceRequest.State


def notes(person, kind):
    return list(Notification.objects.filter(recipient=person, kind=kind))


# --- routing -------------------------------------------------------------------------------


def test_own_unit_request_routes_to_manager_chain(world, make_request):
    w = world
    req = make_request(w["alice"], unit=w["sales"])
    assert req.is_cross_unit is False
    assert req.approver == w["bob"]
    assert len(notes(w["bob"], "resource_request")) == 1
    assert not notes(w["mia"], "resource_request")
    # Anyone up the chain decides; a peer, another unit's head and the requester do not.
    assert resource_permissions.can_decide_request(w["bob"], req)
    assert resource_permissions.can_decide_request(w["zed"], req)
    for person in ("alice", "erin", "mia", "dave", "carol"):
        assert not resource_permissions.can_decide_request(w[person], req), person


def test_default_unit_is_the_requesters_own(world, make_request):
    req = make_request(world["alice"])
    assert req.unit == world["field"]
    assert req.is_cross_unit is False and req.approver == world["bob"]


def test_cross_department_request_routes_to_the_addressed_head(world, make_request):
    w = world
    req = make_request(w["alice"], unit=w["marketing"], kind="information", amount=None)
    assert req.is_cross_unit is True
    assert req.approver == w["mia"]
    [note] = notes(w["mia"], "resource_request")
    assert "Marketing" in note.text and "Alice" in note.text
    assert resource_permissions.can_decide_request(w["mia"], req)
    assert resource_permissions.can_decide_request(w["zed"], req)  # heads the company above it
    # Alice's own manager does not decide what Marketing gives.
    assert not resource_permissions.can_decide_request(w["bob"], req)
    assert not resource_permissions.can_decide_request(w["dave"], req)


def test_head_requesting_for_own_unit_goes_to_their_manager(world, make_request):
    w = world
    req = make_request(w["bob"], unit=w["sales"])
    assert req.approver == w["zed"]
    assert not resource_permissions.can_decide_request(w["bob"], req)


# --- priority ------------------------------------------------------------------------------


def test_priority_stores_its_inputs(world, make_request):
    req = make_request(world["alice"], key_result=world["kr"])
    assert req.goal_priority == Goal.Priority.CORE
    assert req.goal_weight == Decimal("1")
    assert req.pace_gap == pytest.approx(0.3, abs=0.02)
    assert req.priority_score == pytest.approx(1000 + req.pace_gap * 100, abs=0.01)


def test_core_goals_first_then_gap_times_weight(world, make_request):
    w = world
    small_core = GoalFactory(owner_unit=w["sales"], cycle=w["cycle"], progress=0.45)
    heavy_core = GoalFactory(
        owner_unit=w["sales"], cycle=w["cycle"], progress=0.3, weight=Decimal("2")
    )
    far_secondary = GoalFactory(
        owner_unit=w["sales"], cycle=w["cycle"], progress=0.0, priority="secondary"
    )
    reqs = {
        "secondary": make_request(goal=far_secondary, title="secondary"),
        "small": make_request(goal=small_core, title="small"),
        "heavy": make_request(goal=heavy_core, title="heavy"),
    }
    assert reqs["secondary"].pace_gap > reqs["heavy"].pace_gap > reqs["small"].pace_gap
    inbox = [r.title for r in selectors.approval_inbox(viewer=w["bob"])]
    assert inbox == ["heavy", "small", "secondary"]


def test_refresh_priorities_follows_progress(world, make_request):
    req = make_request(key_result=world["kr"])
    world["kr"].progress = 0.9
    world["kr"].save()
    assert services.refresh_priorities() == 1
    req.refresh_from_db()
    assert req.pace_gap == 0 and req.priority_score == 1000


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "gold"}, "kind"),
        ({"justification": "  "}, "justification"),
        ({"title": ""}, "title"),
        ({"amount": None}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"currency": "dollars"}, "currency"),
        ({"category": "yachts"}, "category"),
        ({"needed_by": dt.date(2000, 1, 1)}, "needed_by"),
        ({"goal": None}, "goal"),
        ({"kind": "people", "amount": None, "quantity": 0}, "quantity"),
    ],
)
def test_submit_rejects_bad_input(world, make_request, changes, field):
    with pytest.raises(ValidationError) as exc:
        make_request(**changes)
    assert field in exc.value.message_dict
    assert not ResourceRequest.objects.exists()


def test_key_result_must_belong_to_the_goal(world, make_request):
    with pytest.raises(ValidationError) as exc:
        make_request(goal=world["marketing_goal"], key_result=world["kr"])
    assert "key_result" in exc.value.message_dict


def test_private_goal_of_someone_else_cannot_be_served(world, make_request):
    private = GoalFactory(
        level="person", owner_person=world["dave"], cycle=world["cycle"], visibility="private"
    )
    with pytest.raises(ValidationError) as exc:
        make_request(goal=private)
    assert "goal" in exc.value.message_dict


# --- budget arithmetic ---------------------------------------------------------------------


def test_approval_commits_and_fulfilment_spends_and_releases(world, make_request):
    w = world
    req = make_request(amount="5000", unit=w["sales"])
    req = services.approve_request(actor=w["bob"], request=req, granted_amount="3000")
    assert req.state == State.PARTLY_APPROVED
    assert req.granted_amount == Decimal("3000")
    budget = Budget.objects.get(pk=w["sales_budget"].pk)
    assert (budget.committed, budget.spent, budget.remaining) == (3000, 0, 7000)
    assert req.budget == budget
    req = services.fulfil_request(actor=w["bob"], request=req, spent_amount="2500")
    assert req.state == State.FULFILLED and req.spent_amount == Decimal("2500")
    budget.refresh_from_db()
    assert (budget.committed, budget.spent, budget.remaining) == (0, 2500, 7500)
    assert notes(w["alice"], "resource_fulfilled")


def test_full_approval_defaults_to_the_requested_amount(world, make_request):
    req = make_request(amount="1200", unit=world["sales"])
    req = services.approve_request(actor=world["bob"], request=req)
    assert req.state == State.APPROVED and req.granted_amount == Decimal("1200")
    assert Budget.objects.get(pk=world["sales_budget"].pk).committed == Decimal("1200")


def test_approval_beyond_what_remains_is_refused_with_the_remaining_amount(world, make_request):
    w = world
    first = make_request(amount="8000", unit=w["sales"])
    services.approve_request(actor=w["bob"], request=first)
    second = make_request(amount="5000", unit=w["sales"])
    with pytest.raises(ValidationError) as exc:
        services.approve_request(actor=w["bob"], request=second)
    assert "2,000.00 CNY remain" in exc.value.message_dict["granted_amount"][0]
    second.refresh_from_db()
    assert second.state == State.SUBMITTED
    assert Budget.objects.get(pk=w["sales_budget"].pk).committed == Decimal("8000")
    # Granting what remains is fine.
    services.approve_request(actor=w["bob"], request=second, granted_amount="2000")
    budget = Budget.objects.get(pk=w["sales_budget"].pk)
    assert budget.remaining == 0 and budget.committed == budget.allocated


def test_no_budget_means_nothing_remains(world, make_request):
    req = make_request(amount="100", unit=world["sales"], category=BudgetCategory.HIRING)
    with pytest.raises(ValidationError) as exc:
        services.approve_request(actor=world["bob"], request=req)
    assert "remaining amount is 0 CNY" in exc.value.message_dict["granted_amount"][0]


def test_currency_must_match_the_budget(world, make_request):
    req = make_request(amount="100", currency="usd", unit=world["sales"])
    assert req.currency == "USD"
    with pytest.raises(ValidationError) as exc:
        services.approve_request(actor=world["bob"], request=req)
    assert "CNY" in exc.value.message_dict["granted_amount"][0]


def test_grant_cannot_exceed_the_request(world, make_request):
    req = make_request(amount="100", unit=world["sales"])
    with pytest.raises(ValidationError) as exc:
        services.approve_request(actor=world["bob"], request=req, granted_amount="101")
    assert "100.00" in exc.value.message_dict["granted_amount"][0]


def test_cross_unit_money_commits_against_the_addressed_units_budget(world, make_request):
    w = world
    req = make_request(amount="4000", unit=w["marketing"])
    services.approve_request(actor=w["mia"], request=req)
    assert Budget.objects.get(pk=w["marketing_budget"].pk).committed == Decimal("4000")
    assert Budget.objects.get(pk=w["sales_budget"].pk).committed == 0


def test_spending_more_than_granted_draws_on_what_remains(world, make_request):
    w = world
    a = make_request(amount="6000", unit=w["sales"])
    services.approve_request(actor=w["bob"], request=a)
    b = make_request(amount="3000", unit=w["sales"])
    services.approve_request(actor=w["bob"], request=b)  # 9000 committed, 1000 remain
    with pytest.raises(ValidationError) as exc:
        services.fulfil_request(actor=w["bob"], request=a, spent_amount="7500")
    assert "1,000.00 CNY remain" in exc.value.message_dict["spent_amount"][0]
    services.fulfil_request(actor=w["bob"], request=a, spent_amount="7000")
    budget = Budget.objects.get(pk=w["sales_budget"].pk)
    assert (budget.committed, budget.spent, budget.remaining) == (3000, 7000, 0)


def test_quantity_request_partly_approved_without_budget(world, make_request):
    req = make_request(kind="people", amount=None, quantity=3, title="Two SDRs")
    req = services.approve_request(actor=world["bob"], request=req, granted_amount="2")
    assert req.state == State.PARTLY_APPROVED and req.granted_amount == 2 and req.budget is None
    with pytest.raises(ValidationError):
        services.fulfil_request(actor=world["bob"], request=req, spent_amount="10")
    req = services.fulfil_request(actor=world["bob"], request=req)
    assert req.state == State.FULFILLED


def test_non_approver_cannot_decide(world, make_request):
    req = make_request(unit=world["sales"])
    for person in ("erin", "mia", "alice"):
        with pytest.raises(PermissionDenied):
            services.approve_request(actor=world[person], request=req)
    with pytest.raises(PermissionDenied):
        services.withdraw_request(actor=world["bob"], request=req)


# --- budgets -------------------------------------------------------------------------------


def test_budget_writes_by_admins_and_unit_heads_only(world):
    w = world
    budget = services.create_budget(
        actor=w["bob"], unit=w["field"], cycle=w["cycle"], category="tools", allocated="500"
    )
    assert budget.currency == "CNY" and budget.allocated == 500
    with pytest.raises(PermissionDenied):
        services.create_budget(
            actor=w["mia"], unit=w["sales"], cycle=w["cycle"], category="tools", allocated="1"
        )
    with pytest.raises(ValidationError):
        services.create_budget(
            actor=w["zed"], unit=w["field"], cycle=w["cycle"], category="tools", allocated="1"
        )


def test_allocation_never_below_what_is_used(world, make_request):
    w = world
    services.approve_request(actor=w["bob"], request=make_request(amount="4000", unit=w["sales"]))
    with pytest.raises(ValidationError) as exc:
        services.update_budget(actor=w["bob"], budget=w["sales_budget"], allocated="3999")
    assert "4,000.00" in exc.value.message_dict["allocated"][0]
    with pytest.raises(ValidationError):
        services.update_budget(actor=w["bob"], budget=w["sales_budget"], currency="USD")
    budget = services.update_budget(actor=w["bob"], budget=w["sales_budget"], allocated="4000")
    assert budget.remaining == 0


# --- monitoring ----------------------------------------------------------------------------


def test_owner_is_told_once_when_a_budget_crosses_ninety_percent(world, make_request):
    w = world
    services.approve_request(actor=w["bob"], request=make_request(amount="8900", unit=w["sales"]))
    assert not notes(w["bob"], "budget_alert")
    services.approve_request(actor=w["bob"], request=make_request(amount="200", unit=w["sales"]))
    [alert] = notes(w["bob"], "budget_alert")
    assert "91%" in alert.text and "900.00 CNY" in alert.text
    services.approve_request(actor=w["bob"], request=make_request(amount="100", unit=w["sales"]))
    assert services.sweep_budget_alerts() == 0
    assert len(notes(w["bob"], "budget_alert")) == 1
    near = selectors.budgets_near_limit(viewer=w["bob"], cycle=w["cycle"])
    assert list(near) == [Budget.objects.get(pk=w["sales_budget"].pk)]
    assert list(selectors.budgets_near_limit(viewer=w["alice"])) == []


def test_alert_rearms_when_the_allocation_grows(world, make_request):
    w = world
    services.approve_request(actor=w["bob"], request=make_request(amount="9500", unit=w["sales"]))
    assert len(notes(w["bob"], "budget_alert")) == 1
    services.update_budget(actor=w["zed"], budget=w["sales_budget"], allocated="20000")
    assert Budget.objects.get(pk=w["sales_budget"].pk).alerted_at is None
    services.update_budget(actor=w["zed"], budget=w["sales_budget"], allocated="10000")
    assert len(notes(w["bob"], "budget_alert")) == 2


def test_sweep_alerts_budgets_changed_elsewhere_once(world):
    Budget.objects.filter(pk=world["marketing_budget"].pk).update(committed=Decimal("9500"))
    assert services.sweep_budget_alerts() == 1
    assert services.sweep_budget_alerts() == 0
    assert len(notes(world["mia"], "budget_alert")) == 1


def test_waiting_requests_and_the_reminder(world, make_request):
    w = world
    settings = ResourceSettings.load()
    settings.waiting_days = 5
    settings.save()
    start = timezone.now()
    with time_machine.travel(start - dt.timedelta(days=6)):
        old = make_request(title="old")
    make_request(title="new")
    assert [r.title for r in selectors.waiting_requests(viewer=w["bob"])] == ["old"]
    assert [r.title for r in selectors.waiting_requests(viewer=w["bob"], days=0)] == [
        "old",
        "new",
    ]
    assert list(selectors.waiting_requests(viewer=w["erin"])) == []
    assert services.remind_waiting() == 1
    assert services.remind_waiting() == 0
    [note] = notes(w["bob"], "resource_waiting")
    assert "old" in note.text and note.object_id == old.pk


def test_utilisation_per_unit_and_category(world, make_request):
    w = world
    BudgetFactory(unit=w["sales"], cycle=w["cycle"], category="tools", allocated=Decimal("1000"))
    req = services.approve_request(
        actor=w["bob"], request=make_request(amount="2000", unit=w["sales"])
    )
    services.fulfil_request(actor=w["bob"], request=req, spent_amount="1500")
    data = selectors.budget_utilisation(viewer=w["zed"], cycle=w["cycle"])
    sales_promo = next(
        r for r in data["rows"] if r["unit"] == w["sales"].pk and r["category"] == "promotion"
    )
    assert sales_promo["spent"] == 1500 and sales_promo["remaining"] == 8500
    assert sales_promo["utilisation"] == pytest.approx(0.15)
    sales_total = next(u for u in data["units"] if u["unit"] == w["sales"].pk)
    assert sales_total["allocated"] == 11000 and sales_total["spent"] == 1500
    # Scoped: Mia heads Marketing only.
    mia_units = {
        r["unit"] for r in selectors.budget_utilisation(viewer=w["mia"], cycle=w["cycle"])["rows"]
    }
    assert mia_units == {w["marketing"].pk}


def test_monitor_task_is_idempotent(world, make_request):
    from resources.schedule import BEAT_SCHEDULE
    from resources.tasks import monitor_resources

    w = world
    assert BEAT_SCHEDULE["resources-monitor"]["task"] == monitor_resources.name
    with time_machine.travel(timezone.now() - dt.timedelta(days=30)):
        make_request(key_result=w["kr"])
    Budget.objects.filter(pk=w["sales_budget"].pk).update(committed=Decimal("9999"))
    assert monitor_resources() == {"priorities": 1, "reminded": 1, "alerts": 1}
    assert monitor_resources() == {"priorities": 1, "reminded": 0, "alerts": 0}
    assert len(notes(w["bob"], "budget_alert")) == 1
    assert len(notes(w["bob"], "resource_waiting")) == 1
