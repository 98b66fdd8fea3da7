"""An incentive budget per cycle and unit (resources' budgets, category incentives): approving
awards cannot exceed it; the fairness report shows spend against budget."""

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from incentives import services
from incentives.models import Award
from incentives.services import awards as award_services
from resources.models import Budget
from tests.incentives.factories import TIERS, make_award, make_rule


def budget(unit, cycle, allocated):
    return Budget.objects.create(
        unit=unit, cycle=cycle, category="incentives", allocated=Decimal(allocated)
    )


@pytest.mark.django_db
def test_approval_cannot_exceed_the_budget(company, cycle):
    rule = make_rule(company["acme"], "tiered_bonus", TIERS)
    sales = budget(company["sales"], cycle, "1500")
    first = make_award(rule, company["alice"], amount="1000")
    second = make_award(rule, company["erin"], amount="600")
    services.approve_award(actor=company["zed"], award=first)
    with pytest.raises(ValidationError) as exc:
        services.approve_award(actor=company["zed"], award=second)
    assert "only 500.00 CNY remain" in exc.value.message_dict["amount"][0]
    assert Award.objects.get(pk=second.pk).state == "proposed"
    sales.refresh_from_db()
    assert sales.committed == Decimal("1000")
    # Marketing has no incentive budget: not limited
    services.approve_award(actor=company["zed"], award=make_award(rule, company["dave"]))


@pytest.mark.django_db
def test_nearest_unit_budget_applies(company, cycle):
    rule = make_rule(company["acme"], "tiered_bonus", TIERS)
    budget(company["acme"], cycle, "100000")
    field = budget(company["field"], cycle, "100")
    award = make_award(rule, company["alice"], amount="1000")
    with pytest.raises(ValidationError):
        services.approve_award(actor=company["zed"], award=award)
    field.refresh_from_db()
    assert field.committed == 0


@pytest.mark.django_db
def test_api_answers_400_and_fairness_page_shows_spend(api, login, company, cycle):
    rule = make_rule(company["acme"], "tiered_bonus", TIERS)
    budget(company["sales"], cycle, "1500")
    ok = make_award(rule, company["alice"], amount="1000")
    too_much = make_award(rule, company["erin"], amount="600")
    client = api.as_(company["zed"])
    assert client.post(f"/api/v1/awards/{ok.pk}/approve/").status_code == 200
    refused = client.post(f"/api/v1/awards/{too_much.pk}/approve/")
    assert refused.status_code == 400 and "amount" in refused.data
    page = login(company["zed"]).get("/incentives/fairness/").content.decode()
    table = page[page.index('id="incentive-budgets"') :]
    assert "1500.00 CNY" in table and "1000.00" in table and "500.00" in table


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    reason="Row locks need PostgreSQL: run with a PostgreSQL DATABASE_URL.",
)
def test_concurrent_approvals_never_overspend(company, cycle, monkeypatch):
    rule = make_rule(company["acme"], "tiered_bonus", TIERS)
    sales = budget(company["sales"], cycle, "2500")
    people = [company["alice"], company["erin"], company["bob"], company["alice"]]
    awards = [
        make_award(
            rule,
            person,
            amount="1000",
            period_start=cycle.starts_on + dt.timedelta(weeks=i),
        )
        for i, person in enumerate(people)
    ]
    original = award_services.incentive_budget_for

    def slow(award, *, lock=False):
        found = original(award, lock=lock)
        time.sleep(0.3)
        return found

    monkeypatch.setattr(award_services, "incentive_budget_for", slow)
    barrier = threading.Barrier(len(awards))
    outcomes = {}

    def run(award):
        try:
            barrier.wait(timeout=10)
            services.approve_award(actor=company["zed"], award=award)
            outcomes[award.pk] = "approved"
        except ValidationError:
            outcomes[award.pk] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(a,)) for a in awards]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["approved", "approved", "refused", "refused"]
    sales.refresh_from_db()
    assert sales.committed == Decimal("2000") <= sales.allocated
