"""The alignment findings table (issue 18): kept on write equal to what the checklist computes
from scratch, rebuilt by `rebuild_rollups` with its drift reported."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import translation

from goals.models import AlignmentFinding, Goal, KeyResult
from goals.selectors_alignment import alignment_checklist, review_findings, review_task_forces
from goals.services import alignment_findings
from tests.dashboard.conftest import cascade  # noqa: F401
from tests.factories import PersonFactory
from tests.goals.conftest import kr


def _checked(unit, cycle) -> list[tuple]:
    """The review as the checklist computes it from scratch."""
    with translation.override("en"):
        _scope, items = alignment_checklist(unit=unit, cycle=cycle)
    return sorted(
        (item.key, f.goal.pk if f.goal else None, f.unit.pk if f.unit else None, f.message)
        for item in items
        for f in item.findings
    )


def _stored(unit, cycle) -> list[tuple]:
    """The review as the findings table holds it."""
    rows = review_findings(unit=unit, cycle=cycle, task_forces=review_task_forces(unit))
    return sorted((r.kind, r.goal_id, r.unit_id, r.text("en")) for r in rows)


@pytest.fixture
def busy_cascade(company, year, quarter, cascade, make_goal, django_capture_on_commit_callbacks):  # noqa: F811
    """The cascade with a finding of every kind, written through the services and saves."""
    with django_capture_on_commit_callbacks(execute=True):
        churn = make_goal(
            company["acme"],
            title="Cut churn to 5 %",
            level=Goal.Level.COMPANY,
            cycle=year,
            state=Goal.State.AGREED,
        )
        make_goal(company["alice"], title="Write 12 customer case studies", state="agreed")
        vague = make_goal(company["erin"], title="Better", parent=cascade["sales"], key_results=[])
        heavy = make_goal(
            company["dave"],
            title="Publish 12 articles",
            parent=cascade["company"],
            weight=Decimal("30"),
            key_results=[kr("10", name="Articles", weight=Decimal("2")), kr("5", name="Talks")],
        )
        sales_kr = KeyResult.objects.get(goal=cascade["sales"])
        sales_kr.due_on = dt.date(2026, 11, 30)
        sales_kr.save()
        alice_kr = KeyResult.objects.get(goal=cascade["alice"])
        alice_kr.due_on = dt.date(2026, 12, 20)
        alice_kr.save()
        PersonFactory(unit=company["marketing"], manager=company["mia"])
        cascade["erin"].supports.add(churn)
    return {**cascade, "churn": churn, "vague": vague, "heavy": heavy}


UNITS = ("acme", "sales", "field", "marketing", "hr")


def test_the_table_holds_what_the_checklist_computes(company, quarter, busy_cascade):
    for name in UNITS:
        assert _stored(company[name], quarter) == _checked(company[name], quarter), name
    kinds = {row[0] for row in _stored(company["acme"], quarter)}
    assert kinds >= {"orphans", "cascade_gaps", "not_agreed", "no_goals", "weights"}
    assert kinds >= {"late_children", "smart", "cross_unit"}
    assert alignment_findings.rebuild(fix=False) == []


def test_writes_recompute_the_goal_its_parent_and_children(
    company, quarter, busy_cascade, django_capture_on_commit_callbacks
):
    sales = busy_cascade["sales"]
    # A child's key result: the parent's cascade gap moves (in the same transaction).
    alice_kr = KeyResult.objects.get(goal=busy_cascade["alice"])
    alice_kr.target_value = Decimal("155")
    alice_kr.save()
    assert not AlignmentFinding.objects.filter(goal=sales, kind="cascade_gaps").exists()
    # Re-parented: the old parent's children change, and the goal is no longer an orphan.
    with django_capture_on_commit_callbacks(execute=True):
        goal = busy_cascade["vague"]
        goal.parent = None
        goal.save()
        erin = busy_cascade["erin"]
        erin.state = Goal.State.PROPOSED
        erin.save()
        busy_cascade["erin"].supports.clear()
        Goal.objects.get(pk=busy_cascade["heavy"].pk).delete()
    for name in UNITS:
        assert _stored(company[name], quarter) == _checked(company[name], quarter), name
    assert alignment_findings.rebuild(fix=False) == []


def test_rebuild_reports_and_repairs_drift(company, quarter, busy_cascade, capsys):
    AlignmentFinding.objects.filter(kind="orphans").delete()
    AlignmentFinding.objects.filter(kind="no_goals").update(message={"en": "stale"})
    drift = alignment_findings.rebuild(fix=False)
    assert {(d.row.kind, d.stored) for d in drift} == {
        ("orphans", False),
        ("no_goals", True),
        ("no_goals", False),
    }
    with pytest.raises(SystemExit):
        call_command("rebuild_rollups", "--check")
    assert "finding missing" in capsys.readouterr().out
    call_command("rebuild_rollups")
    call_command("rebuild_rollups", "--check")
    assert _stored(company["acme"], quarter) == _checked(company["acme"], quarter)


def test_findings_are_worded_in_the_readers_language(company, quarter, busy_cascade):
    row = AlignmentFinding.objects.filter(kind="cascade_gaps").get()
    assert "a gap of 110" in row.text("en")
    with translation.override("zh-hans"):
        assert row.text() != row.text("en")
