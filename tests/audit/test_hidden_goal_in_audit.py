"""The audit trail and its exports name a related goal (or key result) only to those who may
see it: the HRBP of the department a cross-department request was addressed to reads "a goal
you cannot see" for the requester's private goal; an admin reads its title."""

from __future__ import annotations

import csv
import io

import pytest

from goals.models import Goal
from resources import services as resource_services
from tests.factories import HRBPAssignmentFactory
from tests.resources.factories import GoalFactory

pytestmark = pytest.mark.django_db

SECRET = "Zq secret reorganisation plan"
HIDDEN = "a goal you cannot see"


@pytest.fixture
def hidden_request(company, cycle):
    goal = GoalFactory(
        title=SECRET,
        level="person",
        owner_person=company["alice"],
        cycle=cycle,
        visibility=Goal.Visibility.PRIVATE,
    )
    HRBPAssignmentFactory(person=company["erin"], unit=company["marketing"])
    return resource_services.submit_request(
        requester=company["alice"],
        kind="information",
        title="Market study",
        justification="Needed for the plan",
        goal=goal,
        unit=company["marketing"],
    )


def _goal_values(rows, request_id):
    return [
        c
        for r in rows
        if r["object_id"] == request_id
        for c in r["changes"]
        if c["field"] == "goal"
    ]


def test_the_audit_api_and_export_hide_the_goal(api, login, company, hidden_request):
    rows = api.as_(company["erin"]).get("/api/v1/audit/", {"kind": "resource_request"}).json()
    goal_changes = _goal_values(rows["results"], hidden_request.pk)
    assert goal_changes and all(c["new"] == HIDDEN for c in goal_changes)
    assert SECRET not in str(rows)
    export = login(company["erin"]).get("/dashboard/audit/export.csv", {"kind": "resource_request"})
    text = export.content.decode("utf-8-sig")
    assert SECRET not in text and HIDDEN in text
    assert list(csv.reader(io.StringIO(text)))
    admin = api.as_(company["zed"]).get("/api/v1/audit/", {"kind": "resource_request"}).json()
    assert all(c["new"] == SECRET for c in _goal_values(admin["results"], hidden_request.pk))
