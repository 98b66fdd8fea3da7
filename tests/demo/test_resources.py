"""The resources demo: budgets, requests in every state, idempotent."""

from decimal import Decimal

import pytest

from demo.seed import org as org_seed
from demo.seed import org_synthetic
from demo.seed import resources as resources_seed
from goals.models import Goal
from resources.models import Budget, ResourceRequest
from tests.resources.factories import CycleFactory, GoalFactory, KeyResultFactory

pytestmark = pytest.mark.usefixtures("tracking_day")


@pytest.fixture
def ctx(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return org_seed.seed_company()


def test_nothing_without_a_quarter(ctx):
    resources_seed.seed(ctx)
    assert not Budget.objects.exists() and not ResourceRequest.objects.exists()


def test_seed_is_complete_and_idempotent(ctx):
    cycle = CycleFactory(name="Q now")
    goal = GoalFactory(
        title="Grow the customer base", owner_unit=ctx.units["sales"], cycle=cycle, progress=0.1
    )
    kr = KeyResultFactory(goal=goal, metric="new-customers", progress=0.1)
    resources_seed.seed(ctx)
    snapshot = (
        list(Budget.objects.values_list("unit", "category", "allocated", "committed", "spent")),
        list(ResourceRequest.objects.values_list("title", "state", "granted_amount")),
    )
    resources_seed.seed(ctx)
    assert snapshot == (
        list(Budget.objects.values_list("unit", "category", "allocated", "committed", "spent")),
        list(ResourceRequest.objects.values_list("title", "state", "granted_amount")),
    )
    states = dict(ResourceRequest.objects.values_list("title", "state"))
    assert states == {
        "Promotion budget for the new-customer campaign": "submitted",
        "Qualified leads from the autumn campaign": "submitted",
        "Five more CRM seats": "rejected",
        "Negotiation training for Key Accounts": "fulfilled",
        "Three sales development reps": "partly_approved",
    }
    promo = ResourceRequest.objects.get(title__startswith="Promotion budget")
    assert promo.key_result == kr and promo.approver == ctx.people["manager"]
    leads = ResourceRequest.objects.get(title__startswith="Qualified leads")
    assert leads.is_cross_unit and leads.approver == ctx.people["zhou.min"]
    training = Budget.objects.get(unit=ctx.units["sales"], cycle=cycle, category="training")
    assert (training.committed, training.spent) == (0, Decimal("7200"))
    assert Budget.objects.filter(unit=ctx.units["marketing"]).count() == 4
    assert Goal.objects.count() == 1


def test_synthetic_budgets_and_requests_in_every_state(db, settings):
    """The scale data: budgets on every department and team, one request per fifth team
    decided through the services in a rotation of states; a re-run changes nothing."""
    from demo.seed import goals as goals_seed

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ctx = org_synthetic.seed_synthetic(employees=400)
    goals_seed.seed(ctx)
    resources_seed.seed(ctx)
    teams = ctx.units["company"].subtree().filter(kind="team").count()
    assert Budget.objects.filter(unit__kind="team").count() == 2 * teams
    assert Budget.objects.filter(unit__kind="department").exists()
    states = set(ResourceRequest.objects.values_list("state", flat=True))
    assert states == {"submitted", "approved", "rejected", "fulfilled"}
    committed = sum(b.committed for b in Budget.objects.all())
    approved = sum(r.granted_amount for r in ResourceRequest.objects.filter(state="approved"))
    assert committed == approved > 0
    before = (Budget.objects.count(), ResourceRequest.objects.count())
    resources_seed.seed(ctx)
    assert (Budget.objects.count(), ResourceRequest.objects.count()) == before
