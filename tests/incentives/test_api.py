"""The incentives API as its users meet it: rules, evaluation, the awards flow, visibility of
amounts, the public recognition feed and the fairness report."""

import datetime as dt
from decimal import Decimal

import pytest

from incentives.models import Award, Evaluation, IncentiveRule
from notifications.models import Notification
from org.models import Person
from tests.factories import PersonFactory
from tests.incentives.factories import TIERS, WEEK, agreed_goal, make_award, make_rule

pytestmark = pytest.mark.django_db

RECOGNITION = {"metric": "attainment", "top_n": 1, "title": "Weekly champion"}


@pytest.fixture
def champion(company):
    return make_rule(company["acme"], "recognition", RECOGNITION)


class TestRules:
    def test_everyone_reads_only_admins_and_hrbp_write(self, api, company):
        make_rule(company["sales"], "tiered_bonus", TIERS)
        assert api.as_(company["alice"]).get("/api/v1/incentive-rules/").data["count"] == 1
        body = {
            "name": "Bonus",
            "unit": company["sales"].pk,
            "period": "quarter",
            "kind": "tiered_bonus",
            "params": TIERS,
            "cap": "2500",
        }
        assert api.as_(company["alice"]).post("/api/v1/incentive-rules/", body).status_code == 403
        response = api.as_(company["carol"]).post("/api/v1/incentive-rules/", body)
        assert response.status_code == 201, response.data
        assert response.data["params"]["tiers"][2] == {"threshold": 1.5, "amount": 3000}
        # carol partners Sales only
        other = body | {"unit": company["marketing"].pk}
        response = api.as_(company["carol"]).post("/api/v1/incentive-rules/", other)
        assert response.status_code == 400 and "unit" in response.data
        rule_id = IncentiveRule.objects.get(name="Bonus", unit=company["sales"]).pk
        response = api.as_(company["bob"]).patch(
            f"/api/v1/incentive-rules/{rule_id}/", {"name": "x"}
        )
        assert response.status_code == 403

    def test_bad_parameters_answer_400_with_field_errors(self, api, company):
        body = {
            "name": "Bad",
            "unit": company["acme"].pk,
            "period": "week",
            "kind": "commission",
            "params": {"metric": "sales", "rate": 3},
        }
        response = api.as_(company["zed"]).post("/api/v1/incentive-rules/", body)
        assert response.status_code == 400
        assert "params.rate" in response.data
        body = {
            "name": "Bad",
            "unit": company["acme"].pk,
            "period": "week",
            "kind": "tiered_bonus",
            "params": {"tiers": [{"threshold": 2, "amount": 5}, {"threshold": 1, "amount": 9}]},
        }
        response = api.as_(company["zed"]).post("/api/v1/incentive-rules/", body)
        assert response.status_code == 400 and "params.tiers" in response.data
        assert IncentiveRule.objects.count() == 0

    def test_evaluate_dry_run_then_save(self, api, company, cycle):
        agreed_goal(company["alice"], cycle, values=[(10, 13)])
        rule = make_rule(company["sales"], "tiered_bonus", TIERS)
        url = f"/api/v1/incentive-rules/{rule.pk}/evaluate/"
        carol = api.as_(company["carol"])
        response = carol.post(url, {"period_start": "2026-11-18", "dry_run": True})
        assert response.status_code == 200, response.data
        assert response.data["period_start"] == "2026-11-16"
        [award] = response.data["awards"]
        assert award["amount"] == "2000.00" and award["id"] is None
        assert award["explanation"]["tier"]["threshold"] == 1.2
        assert "130.0 %" in award["reason"]
        assert {r["person_name"] for r in response.data["ineligible"]} == {"Erin", "Bob"}
        assert Award.objects.count() == 0
        response = carol.post(url, {"period_start": "2026-11-16"})
        assert response.data["created"] == 1 and response.data["awards"][0]["state"] == "proposed"
        assert Evaluation.objects.get(rule=rule).eligible_ids == [company["alice"].pk]
        assert carol.post(url, {"period_start": "not a date"}).status_code == 400
        assert api.as_(company["bob"]).post(url, {"period_start": "2026-11-16"}).status_code == 403


class TestAwardsFlow:
    def test_approval_permissions(self, api, company, champion):
        award = make_award(champion, company["alice"])
        url = f"/api/v1/awards/{award.pk}/"
        assert api.as_(company["dave"]).post(url + "approve/").status_code == 404
        assert api.as_(company["bob"]).post(url + "approve/").status_code == 403
        assert api.as_(company["alice"]).post(url + "approve/").status_code == 403
        assert api.as_(company["carol"]).post(url + "publish/").status_code == 400
        response = api.as_(company["carol"]).post(url + "approve/")
        assert response.status_code == 200 and response.data["state"] == "approved"
        assert api.as_(company["carol"]).post(url + "approve/").status_code == 400
        # carol partners Sales, not Marketing: dave's award is invisible to her
        daves = make_award(champion, company["dave"])
        assert (
            api.as_(company["carol"]).post(f"/api/v1/awards/{daves.pk}/approve/").status_code == 404
        )
        assert (
            api.as_(company["zed"]).post(f"/api/v1/awards/{daves.pk}/approve/").status_code == 200
        )

    def test_publish_notifies_recipient_and_manager_and_feeds(self, api, company, champion):
        award = make_award(champion, company["alice"], state="approved", title="Weekly champion")
        Person.objects.filter(pk=company["alice"].pk).update(language="zh-hans")
        response = api.as_(company["zed"]).post(f"/api/v1/awards/{award.pk}/publish/")
        assert response.status_code == 200 and response.data["state"] == "published"
        recipients = set(Notification.objects.values_list("recipient_id", flat=True))
        assert recipients == {company["alice"].pk, company["bob"].pk}
        texts = dict(Notification.objects.values_list("recipient_id", "text"))
        assert texts[company["alice"].pk] == "你获得了一项奖励：Weekly champion。"
        assert texts[company["bob"].pk] == "Alice received an award: Weekly champion."
        feed = api.as_(company["dave"]).get("/api/v1/recognitions/").data["results"]
        assert [(r["person_name"], r["title"]) for r in feed] == [("Alice", "Weekly champion")]
        assert "Ranked #1 of 3" in feed[0]["reason"]


class TestVisibility:
    def test_peer_sees_the_recognition_not_the_amount(self, api, company, champion):
        award = make_award(
            champion, company["alice"], state="published", amount="500", title="Weekly champion"
        )
        for person in ("erin", "dave", "mia"):
            client = api.as_(company[person])
            [row] = client.get("/api/v1/recognitions/").data["results"]
            assert row["amount"] is None and row["title"] == "Weekly champion"
            assert client.get(f"/api/v1/awards/{award.pk}/").status_code == 404
            assert client.get("/api/v1/awards/").data["count"] == 0
        for person in ("alice", "bob", "carol", "zed"):
            client = api.as_(company[person])
            [row] = client.get("/api/v1/recognitions/").data["results"]
            assert row["amount"] == "500.00", person
            detail = client.get(f"/api/v1/awards/{award.pk}/")
            assert detail.status_code == 200 and detail.data["amount"] == "500.00"

    def test_unpublished_recognition_is_not_on_the_feed(self, api, company, champion):
        make_award(champion, company["alice"], state="approved")
        assert api.as_(company["alice"]).get("/api/v1/recognitions/").data["count"] == 0

    def test_filters(self, api, company, champion):
        bonus = make_rule(company["sales"], "tiered_bonus", TIERS)
        make_award(champion, company["alice"])
        make_award(bonus, company["alice"], state="approved")
        zed = api.as_(company["zed"])
        assert zed.get(f"/api/v1/awards/?rule={bonus.pk}").data["count"] == 1
        assert zed.get("/api/v1/awards/?state=approved").data["count"] == 1
        assert zed.get("/api/v1/awards/?kind=recognition").data["count"] == 1
        assert zed.get(f"/api/v1/awards/?person={company['erin'].pk}").data["count"] == 0
        assert zed.get("/api/v1/awards/?period_start=2026-11-16").data["count"] == 2


class TestFairness:
    def test_report_per_unit_and_level(self, api, company, cycle, champion):
        bonus = make_rule(company["acme"], "tiered_bonus", TIERS)
        make_award(bonus, company["alice"], amount="1000")
        make_award(bonus, company["erin"], amount="3000")
        make_award(bonus, company["dave"], amount="2000")
        make_award(
            bonus, company["alice"], amount="2000", period_start=WEEK + dt.timedelta(weeks=1)
        )
        Evaluation.objects.create(
            rule=bonus,
            period_start=WEEK,
            period_end=WEEK + dt.timedelta(days=7),
            eligible_ids=[company[p].pk for p in ("alice", "erin", "dave")]
            + [PersonFactory(unit=company["field"], user__password="!").pk],
        )
        response = api.as_(company["carol"]).get(f"/api/v1/incentives/fairness/?cycle={cycle.pk}")
        assert response.status_code == 200
        [row] = response.data  # carol partners Sales: only the field team's frontline
        assert (row["unit_name"], row["level"], row["count"]) == ("Field team", "frontline", 3)
        assert Decimal(row["total"]) == Decimal("6000")
        assert (row["awarded_people"], row["eligible_people"]) == (2, 3)
        assert (row["min"], row["median"], row["max"]) == ("1000.00", "2000.00", "3000.00")
        rows = api.as_(company["zed"]).get("/api/v1/incentives/fairness/").data
        assert {r["unit_name"] for r in rows} == {"Field team", "Marketing"}
        assert api.as_(company["alice"]).get("/api/v1/incentives/fairness/").status_code == 403
        bad = api.as_(company["zed"]).get("/api/v1/incentives/fairness/?cycle=abc")
        assert bad.status_code == 400 and "cycle" in bad.data


@pytest.mark.parametrize("count", [3, 30])
def test_list_endpoints_have_bounded_queries(
    api, company, champion, count, django_assert_max_num_queries
):
    for i in range(count):
        person = PersonFactory(unit=company["field"], manager=company["bob"], user__password="!")
        make_award(champion, person, state="published", period_start=WEEK - dt.timedelta(weeks=i))
        make_rule(
            company["sales"], "promotion_points", {"threshold": 1, "points": 1}, name=f"Points {i}"
        )
    client = api.as_(company["bob"])
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/v1/awards/").data["results"]) == count
    with django_assert_max_num_queries(10):
        assert len(client.get("/api/v1/recognitions/").data["results"]) == count
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/incentive-rules/").data["results"]) == count + 1
    with django_assert_max_num_queries(12):
        assert api.as_(company["zed"]).get("/api/v1/incentives/fairness/").status_code == 200
