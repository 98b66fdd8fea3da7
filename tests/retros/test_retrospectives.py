import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goals.models import Cycle, Goal, KeyResult
from goals.services import record_measurement
from notifications.models import Notification
from retros import selectors, services
from retros.models import RetroAction, Retrospective
from tests.retros.conftest import CHAIN
from tracking.models import CauseTag, CheckIn, ImprovementPlan, KeyResultUpdate


def test_snapshot_is_frozen_after_later_edits(company, retro, sales_goal, api):
    kr = sales_goal.key_results.get()
    snap = retro.results["goals"][0]
    assert snap["title"] == "Grow sales"
    row = snap["key_results"][0]
    assert (row["target"], row["actual"], row["attainment"]) == ("100.0000", "60.0000", 0.6)
    assert row["status"] == "at_risk"  # 60 % at the end of the cycle: the at-risk floor

    # Later: the goal is renamed, its target raised and a new value recorded.
    Goal.objects.filter(pk=sales_goal.pk).update(title="Renamed")
    KeyResult.objects.filter(pk=kr.pk).update(target_value=Decimal("500"))
    Cycle.objects.filter(pk=sales_goal.cycle_id).update(state=Cycle.State.ACTIVE)  # reopened
    record_measurement(key_result=kr, value=Decimal("95"), source="manual")

    retro.refresh_from_db()
    assert retro.results["goals"][0]["title"] == "Grow sales"
    assert retro.results["goals"][0]["key_results"][0]["actual"] == "60.0000"
    data = api.as_(company["bob"]).get(f"/api/v1/retrospectives/{retro.pk}/").json()
    assert data["results"]["goals"][0]["key_results"][0]["target"] == "100.0000"


def test_unit_retro_snapshot_covers_the_subtree(company, q3, sales_goal):
    from tests.retros.factories import make_goal

    make_goal(actor=company["mia"], cycle=q3, owner=company["dave"], title="Marketing goal")
    retro = services.create_retrospective(actor=company["bob"], cycle=q3, unit=company["sales"])
    assert [g["title"] for g in retro.results["goals"]] == ["Grow sales"]
    assert retro.title == "Sales · 2026 Q3"


def test_create_validates_scope_and_permission(company, q3, q4, sales_goal):
    with pytest.raises(ValidationError) as exc:
        services.create_retrospective(actor=company["bob"], cycle=q3)
    assert "goal" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.create_retrospective(
            actor=company["bob"], cycle=q3, goal=sales_goal, unit=company["sales"]
        )
    with pytest.raises(ValidationError) as exc:
        services.create_retrospective(actor=company["bob"], cycle=q4, goal=sales_goal)
    assert "does not belong" in str(exc.value)
    with pytest.raises(PermissionDenied):
        services.create_retrospective(actor=company["dave"], cycle=q3, goal=sales_goal)
    with pytest.raises(PermissionDenied):
        services.create_retrospective(actor=company["erin"], cycle=q3, unit=company["sales"])


def test_invitation_notifies_participants_in_their_language(company, q3, sales_goal):
    erin, alice = company["erin"], company["alice"]
    erin.language = "zh-hans"
    erin.save()
    services.create_retrospective(
        actor=company["bob"], cycle=q3, goal=sales_goal, participants=[erin, alice]
    )
    zh = Notification.objects.get(recipient=erin, kind="retro_invited")
    en = Notification.objects.get(recipient=alice, kind="retro_invited")
    assert zh.text == "你被邀请参加复盘“Grow sales · 2026 Q3”。"
    assert en.text == "You are invited to the retrospective “Grow sales · 2026 Q3”."
    assert not Notification.objects.filter(recipient=company["bob"]).exists()


def test_hold_then_publish(company, retro):
    bob = company["bob"]
    with pytest.raises(ValidationError, match="Hold the retrospective"):
        services.publish_retrospective(actor=bob, retro=retro)
    with pytest.raises(PermissionDenied):
        services.hold_retrospective(actor=company["erin"], retro=retro)  # a participant
    services.hold_retrospective(actor=bob, retro=retro)
    with pytest.raises(ValidationError, match="at least one"):
        services.publish_retrospective(actor=bob, retro=retro)
    retro.refresh_from_db()
    services.update_retrospective(actor=company["erin"], retro=retro, reasons="Too few leads")
    retro = services.publish_retrospective(actor=bob, retro=retro)
    assert retro.state == Retrospective.State.PUBLISHED and retro.published_at
    assert Notification.objects.filter(recipient=company["erin"], kind="retro_published").exists()
    with pytest.raises(ValidationError, match="no longer be edited"):
        services.update_retrospective(actor=bob, retro=retro, reasons="changed")


def test_cause_counts_are_distinct_weeks(company, retro, sales_goal):
    kr = sales_goal.key_results.get()
    leads = CauseTag.objects.get(slug="not-enough-leads")
    skills = CauseTag.objects.get(slug="skills-gap")
    for week, cause in [
        (dt.date(2026, 7, 6), leads),
        (dt.date(2026, 7, 13), leads),
        (dt.date(2026, 7, 20), leads),
        (dt.date(2026, 7, 27), skills),
        (dt.date(2026, 10, 5), leads),  # next quarter: not counted
    ]:
        check_in = CheckIn.objects.create(
            person=company["alice"], week=week, state=CheckIn.State.SUBMITTED
        )
        KeyResultUpdate.objects.create(check_in=check_in, key_result=kr, value=1, cause=cause)
    draft = CheckIn.objects.create(person=company["erin"], week=dt.date(2026, 8, 3))
    KeyResultUpdate.objects.create(check_in=draft, key_result=kr, value=1, cause=leads)
    counts = [(c.label, c.weeks) for c in selectors.cause_counts(retro)]
    assert counts == [("Not enough leads", 3), ("Skills gap", 1)]


def _countermeasure(company, retro):
    return services.save_five_why(
        actor=company["bob"],
        retrospective=retro,
        problem="Sales below target",
        whys=CHAIN,
        countermeasure="Build a training system with a playbook per customer group",
        countermeasure_owner=company["alice"],
        countermeasure_due_on=dt.date(2026, 11, 30),
    ).action


def test_follow_through_creates_a_goal_in_the_next_cycle(company, retro, q4):
    action = _countermeasure(company, retro)
    assert action.kind == RetroAction.Kind.COUNTERMEASURE and action.progress == "open"
    action = services.follow_through(actor=company["bob"], action=action, to="goal")
    goal = action.goal
    assert goal.cycle == q4
    assert goal.owner_person == company["alice"] and goal.category == "sales"
    assert goal.title.startswith("Build a training system")
    assert retro.title in goal.description
    assert action.progress == RetroAction.Progress.IN_PROGRESS
    Goal.objects.filter(pk=goal.pk).update(state=Goal.State.CLOSED)
    action.refresh_from_db()
    assert action.progress == RetroAction.Progress.DONE
    with pytest.raises(ValidationError, match="already been followed through"):
        services.follow_through(actor=company["bob"], action=action, to="plan")


def test_follow_through_creates_an_improvement_plan(company, retro):
    item = services.add_improvement(
        actor=company["erin"],
        retro=retro,
        description="Weekly pitch practice",
        owner=company["erin"],
        due_on=dt.date(2026, 10, 31),
    )
    with pytest.raises(PermissionDenied):
        services.follow_through(actor=company["erin"], action=item, to="plan")
    item = services.follow_through(actor=company["bob"], action=item, to="plan")
    plan = item.plan
    assert plan.person == company["erin"] and plan.source == f"retrospective:{retro.pk}"
    assert plan.goal == retro.goal
    assert plan.actions.get().due_on == dt.date(2026, 10, 31)
    assert item.progress == "in_progress"
    ImprovementPlan.objects.filter(pk=plan.pk).update(state=ImprovementPlan.State.DONE)
    item.refresh_from_db()
    assert item.progress == "done"


def test_follow_through_without_next_cycle_says_so(company, retro):
    action = _countermeasure(company, retro)
    with pytest.raises(ValidationError) as exc:
        services.follow_through(actor=company["bob"], action=action, to="goal")
    assert "no next cycle" in str(exc.value)
    with pytest.raises(ValidationError):
        services.follow_through(actor=company["bob"], action=action, to="nowhere")


def test_add_improvement_validates(company, retro):
    with pytest.raises(ValidationError) as exc:
        services.add_improvement(actor=company["bob"], retro=retro, description=" ", owner=None)
    assert set(exc.value.message_dict) == {"description", "owner"}
    with pytest.raises(PermissionDenied):
        services.add_improvement(
            actor=company["dave"], retro=retro, description="x", owner=company["dave"]
        )


def test_templates_are_admin_edited(company):
    with pytest.raises(PermissionDenied):
        services.save_template(actor=company["bob"], name="T", questions={})
    with pytest.raises(ValidationError, match="Unknown sections"):
        services.save_template(actor=company["zed"], name="T", questions={"nope": ["?"]})
    t = services.save_template(
        actor=company["zed"], name="T", questions={"reasons": ["Why?", " "]}, is_default=True
    )
    assert t.questions_for("reasons") == ["Why?"]
    assert "What will we do differently" in str(t.questions_for("improvements")[0])
