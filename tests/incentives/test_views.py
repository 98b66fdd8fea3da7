"""Incentive pages through the browser's eyes (htmx requests where the page uses them)."""

import datetime as dt

import pytest

from incentives.models import Award, IncentiveRule
from tests.factories import PersonFactory
from tests.incentives.factories import TIERS, WEEK, agreed_goal, make_award, make_rule

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
RECOGNITION = {"metric": "attainment", "top_n": 1, "title": "Weekly champion"}


@pytest.fixture
def champion(company):
    return make_rule(company["acme"], "recognition", RECOGNITION)


def test_feed_cards_show_amount_only_to_those_allowed(login, company, champion):
    make_award(champion, company["alice"], state="published", amount="888", title="Weekly champion")
    page = login(company["dave"]).get("/incentives/").content.decode()
    assert "Weekly champion" in page and "Alice" in page and "888" not in page
    page = login(company["bob"]).get("/incentives/", **HX).content.decode()
    assert "888" in page and "<html" not in page


@pytest.mark.parametrize("count", [3, 30])
def test_list_pages_have_bounded_queries(
    login, company, champion, count, django_assert_max_num_queries
):
    for i in range(count):
        person = PersonFactory(unit=company["field"], manager=company["bob"], user__password="!")
        make_award(champion, person, state="published", period_start=WEEK - dt.timedelta(weeks=i))
        make_award(champion, person, period_start=WEEK + dt.timedelta(weeks=1))
    client = login(company["carol"])
    with django_assert_max_num_queries(20):
        assert client.get("/incentives/").status_code == 200
    with django_assert_max_num_queries(20):
        page = client.get("/incentives/approvals/")
        assert page.content.decode().count('id="award-') == count
    with django_assert_max_num_queries(20):
        assert client.get("/incentives/rules/").status_code == 200
    with django_assert_max_num_queries(22):
        assert client.get("/incentives/fairness/").status_code == 200
    bob = login(company["bob"])  # signing in (session, axes' access log) is not the page's cost
    with django_assert_max_num_queries(20):
        assert bob.get("/incentives/mine/").status_code == 200


def test_rule_editor_with_inline_tiers(login, company):
    client = login(company["carol"])
    assert login(company["alice"]).get("/incentives/rules/new/").status_code == 403
    client = login(company["carol"])
    row = client.get("/incentives/rules/tier-row/", **HX).content.decode()
    assert 'name="tier_threshold"' in row and "<html" not in row
    form = {
        "name": "Quarterly bonus",
        "unit": company["sales"].pk,
        "period": "quarter",
        "kind": "tiered_bonus",
        "currency": "CNY",
        "min_check_in_rate": "0",
        "min_tenure_days": "0",
        "require_agreed_goals": "on",
        "is_active": "on",
        "cap": "2500",
        "tier_threshold": ["1.2", "1"],
        "tier_amount": ["2000", "1000"],
    }
    page = client.post("/incentives/rules/new/", form)
    assert page.status_code == 200
    assert "ascending order of threshold" in page.content.decode()
    form |= {"tier_threshold": ["1", "1.2", "1.5", ""], "tier_amount": ["1000", "2000", "3000", ""]}
    response = client.post("/incentives/rules/new/", form)
    rule = IncentiveRule.objects.get()
    assert response.status_code == 302 and rule.params["tiers"][2]["amount"] == 3000
    form |= {"kind": "commission", "rate": "7", "metric": "sales"}
    page = client.post(f"/incentives/rules/{rule.pk}/edit/", form).content.decode()
    assert "at most 1" in page
    assert client.get(f"/incentives/rules/{rule.pk}/edit/").status_code == 200


def test_evaluation_preview_and_save(login, company, cycle):
    agreed_goal(company["alice"], cycle, values=[(10, 12)])
    rule = make_rule(company["sales"], "tiered_bonus", TIERS)
    client = login(company["carol"])
    url = f"/incentives/rules/{rule.pk}/evaluate/"
    assert client.get(url).status_code == 200
    page = client.post(url, {"period_start": "2026-11-17", "save": "0"}, **HX).content.decode()
    assert "Alice" in page and "2000" in page and "No agreed goals" in page
    assert Award.objects.count() == 0
    client.post(url, {"period_start": "2026-11-17", "save": "1"}, **HX)
    assert Award.objects.get().amount == 2000
    assert login(company["bob"]).get(url).status_code == 403


def test_approval_queue_approve_then_publish(login, company, champion):
    award = make_award(champion, company["alice"])
    client = login(company["carol"])
    row = client.post(f"/incentives/awards/{award.pk}/approve/", **HX).content.decode()
    assert "Publish" in row
    row = client.post(f"/incentives/awards/{award.pk}/publish/", **HX).content.decode()
    award.refresh_from_db()
    assert award.state == "published"
    assert login(company["dave"]).post(f"/incentives/awards/{award.pk}/approve/").status_code == 404
    assert login(company["bob"]).get("/incentives/approvals/").status_code == 403


def test_history_and_award_detail_visibility(login, company, champion):
    points = make_rule(company["acme"], "promotion_points", {"threshold": 1, "points": 5})
    award = make_award(points, company["alice"], amount="0", points="5", state="approved")
    alice = company["alice"]
    page = login(company["bob"]).get(f"/incentives/people/{alice.pk}/").content.decode()
    assert "Promotion points" in page and ">5<" in page
    assert login(company["dave"]).get(f"/incentives/people/{alice.pk}/").status_code == 404
    assert login(company["dave"]).get(f"/incentives/awards/{award.pk}/").status_code == 404
    assert login(alice).get(f"/incentives/awards/{award.pk}/").status_code == 200
    assert login(alice).get("/incentives/fairness/").status_code == 403


def test_rule_editor_recognition_defaults(login, company):
    client = login(company["zed"])
    form = {
        "name": "Weekly champion",
        "unit": company["acme"].pk,
        "period": "week",
        "kind": "recognition",
        "currency": "CNY",
        "min_check_in_rate": "0",
        "min_tenure_days": "0",
        "is_active": "on",
        "recognition_metric": "streak",
        "top_n": "2",
        "title": "Weekly champion",
        "amount": "",
    }
    assert client.post("/incentives/rules/new/", form).status_code == 302
    rule = IncentiveRule.objects.get()
    assert rule.params == {
        "metric": "streak",
        "top_n": 2,
        "amount": 0,
        "title": "Weekly champion",
        "per_unit": False,
    }
    page = client.get(f"/incentives/rules/{rule.pk}/edit/").content.decode()
    assert 'value="streak" selected' in page or 'value="streak" checked' in page
