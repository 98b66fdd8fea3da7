"""On the demo: a rep's check-in moves her team's, Sales' and the company's goals, through the
API, and every number still follows from the measurements."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from rest_framework.test import APIClient

from goals.models import Goal, KeyResult
from org.models import Person

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)  # a Wednesday in Q4


def _progress(goal: Goal) -> float:
    goal.refresh_from_db()
    return goal.progress


def test_a_reps_check_in_moves_her_team_sales_and_the_company(capsys):
    with time_machine.travel(TODAY, tick=False):
        call_command("seed_demo")
        capsys.readouterr()
        wang = Person.objects.get(user__username="employee")
        own = KeyResult.objects.get(
            goal__owner_person=wang, goal__cycle__name="2026 Q4", metric="new-customers"
        )
        chain = []
        above = own.contributes_to
        while above is not None:
            chain.append(above.goal)
            above = above.contributes_to
        assert [g.level for g in chain] == ["unit", "unit", "company"]  # team, Sales, company
        before = [_progress(g) for g in chain]
        client = APIClient()
        client.force_authenticate(wang.user)
        pk = client.post("/api/v1/check-ins/current/", {}, format="json").json()["id"]
        updates = [
            {
                "key_result": kr["id"],
                "value": str(float(kr["current_value"]) + (13 if kr["id"] == own.pk else 0)),
                "confidence": "on_track",
            }
            for kr in client.get("/api/v1/key-results/", {"page_size": 200}).json()["results"]
            if kr["id"]
            in set(
                KeyResult.objects.filter(
                    goal__owner_person=wang,
                    goal__cycle__state="active",
                    source="manual",
                    goal__state__in=["agreed", "proposed", "draft"],
                ).values_list("pk", flat=True)
            )
        ]
        response = client.post(
            f"/api/v1/check-ins/{pk}/submit/",
            {"updates": updates, "done": "Closed 13 new accounts"},
            format="json",
        )
        assert response.status_code == 200, response.content
        after = [_progress(g) for g in chain]
        assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
        company_kr = chain[-1].key_results.get(metric="new-customers")
        api_row = client.get(f"/api/v1/goals/{chain[-1].pk}/").json()
        assert any(
            k["id"] == company_kr.pk and k["source"] == "rollup" for k in api_row["key_results"]
        )
        call_command("check_numbers")
    assert "Numbers: 0 differences found." in capsys.readouterr().out
