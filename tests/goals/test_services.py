import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from goals import services
from goals.models import Goal, KeyResult, TargetAdjustment
from goals.services.cascade import split_targets
from goals.smart import check_goal, smart_check
from notifications.models import Notification
from tests.factories import PersonFactory, UserFactory
from tests.goals.factories import (
    GoalFactory,
    GoalTemplateFactory,
    KeyResultFactory,
    MeasurementFactory,
)

D = Decimal


# --- agreement -------------------------------------------------------------------------------


def test_owner_proposes_manager_returns_with_comment_then_agrees(company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice, actor=alice)
    services.propose_goal(actor=alice, goal=goal)
    assert Notification.objects.filter(recipient=bob, kind="goal_proposed").exists()
    with pytest.raises(ValidationError) as exc:
        services.return_goal(actor=bob, goal=goal, comment="  ")
    assert "comment" in exc.value.message_dict
    with pytest.raises(ValidationError):  # the owner cannot agree her own proposal
        services.agree_goal(actor=alice, goal=goal)
    services.return_goal(actor=bob, goal=goal, comment="Make it 50")
    goal.refresh_from_db()
    assert (goal.state, goal.return_comment) == (Goal.State.RETURNED, "Make it 50")
    assert Notification.objects.filter(recipient=alice, kind="goal_returned").exists()
    services.propose_goal(actor=alice, goal=goal)
    services.agree_goal(actor=bob, goal=goal)
    goal.refresh_from_db()
    assert goal.state == Goal.State.AGREED and goal.agreed_by == bob


def test_manager_assigns_owner_counter_proposes_then_manager_agrees(company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice, actor=bob)
    services.propose_goal(actor=bob, goal=goal)
    with pytest.raises(ValidationError):  # bob assigned it: alice accepts, bob cannot agree
        services.agree_goal(actor=bob, goal=goal)
    with pytest.raises(ValidationError):  # an assignment is not returned by the manager
        services.return_goal(actor=bob, goal=goal, comment="x")
    kr = goal.key_results.get()
    services.counter_propose_goal(
        actor=alice, goal=goal, comment="Q4 is short", targets={kr.pk: "40"}
    )
    kr.refresh_from_db()
    assert kr.target_value == D("40")
    services.agree_goal(actor=bob, goal=goal)
    assert Goal.objects.get(pk=goal.pk).state == Goal.State.AGREED


def test_owner_accepts_assignment(company, make_goal):
    goal = make_goal(company["alice"], actor=company["bob"])
    services.propose_goal(actor=company["bob"], goal=goal)
    services.agree_goal(actor=company["alice"], goal=goal)
    assert Goal.objects.get(pk=goal.pk).state == Goal.State.AGREED


def test_illegal_transitions_say_why(company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice, state=Goal.State.AGREED)
    with pytest.raises(ValidationError, match="Only a draft or returned goal"):
        services.propose_goal(actor=alice, goal=goal)
    draft = make_goal(alice)
    with pytest.raises(ValidationError, match="Only an agreed goal can be closed"):
        services.close_goal(actor=bob, goal=draft)
    with pytest.raises(ValidationError, match="Only a proposed goal can be agreed"):
        services.agree_goal(actor=bob, goal=draft)
    with pytest.raises(PermissionDenied):
        services.propose_goal(actor=company["dave"], goal=draft)
    services.close_goal(actor=bob, goal=goal, score=0.8)
    assert Goal.objects.get(pk=goal.pk).score == 0.8


def test_only_draft_or_returned_goals_are_editable_by_owner(company, make_goal):
    alice = company["alice"]
    goal = make_goal(alice, state=Goal.State.PROPOSED)
    with pytest.raises(ValidationError, match="waits for agreement"):
        services.update_goal(actor=alice, goal=goal, version=goal.version, title="Win 60 customers")
    agreed = make_goal(alice, state=Goal.State.AGREED)
    with pytest.raises(ValidationError, match="target adjustment"):
        services.update_goal(actor=company["bob"], goal=agreed, version=1, title="x y z abc")


def test_stale_version_raises_and_names_who_changed_it(company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice)
    services.update_goal(actor=bob, goal=goal, version=1, title="Win 50 new qualified customers")
    with pytest.raises(services.StaleVersion) as exc:
        services.update_goal(actor=alice, goal=goal, version=1, title="Mine")
    assert bob.display_name in str(exc.value)
    assert Goal.objects.get(pk=goal.pk).title == "Win 50 new qualified customers"


def test_update_replaces_key_results_and_checks_parent_cycle(
    company, make_goal, year, past_quarter
):
    alice = company["alice"]
    goal = make_goal(alice)
    kr = goal.key_results.get()
    goal = services.update_goal(
        actor=alice,
        goal=goal,
        version=1,
        key_results=[
            {"id": kr.pk, "name": "Renamed", "target_value": "50"},
            {"name": "Calls", "unit": "calls", "target_value": "300"},
        ],
    )
    assert list(goal.key_results.values_list("name", "target_value")) == [
        ("Renamed", D("50")),
        ("Calls", D("300")),
    ]
    old = GoalFactory(cycle=past_quarter, owner_person=alice, level="person")
    with pytest.raises(ValidationError) as exc:
        services.update_goal(actor=alice, goal=goal, version=goal.version, parent=old)
    assert "parent" in exc.value.message_dict


# --- SMART -----------------------------------------------------------------------------------


def test_smart_verdicts(company, make_goal, quarter, past_quarter):
    alice = company["alice"]
    top = make_goal(company["acme"], level=Goal.Level.COMPANY, title="Grow market share by 5 %")
    good = make_goal(
        alice,
        parent=top,
        key_results=[
            {
                "name": "Customers",
                "unit": "customers",
                "metric": "new-customers",
                "target_value": "45",
                "due_on": dt.date(2026, 12, 15),
            }
        ],
    )
    verdicts = check_goal(good)
    assert {k: v.status for k, v in verdicts.items()} == dict.fromkeys(verdicts, "pass")

    bad = smart_check(
        title="Improve",
        level="person",
        cycle=quarter,
        parent=None,
        key_results=[{"name": "More", "target_value": "a lot", "due_on": "2027-02-01"}],
    )
    assert bad["specific"].status == "fail"
    assert bad["measurable"].status == "fail"
    assert bad["relevant"].status == "fail"
    assert bad["time_bound"].status == "fail"
    vague = smart_check(
        title="Improve customer service",
        level="company",
        cycle=quarter,
        parent=None,
        key_results=[{"name": "NPS", "target_value": "40"}],
    )
    assert vague["specific"].status == "warn"
    assert vague["measurable"].status == "warn"  # no unit
    assert vague["relevant"].status == "pass"  # company level


def test_smart_achievable_against_owner_history(company, make_goal, quarter, past_quarter):
    alice = company["alice"]
    old = GoalFactory(cycle=past_quarter, owner_person=alice)
    MeasurementFactory(key_result=KeyResultFactory(goal=old), value=D("30"))

    def rows(t):
        return [{"name": "c", "unit": "customers", "metric": "new-customers", "target_value": t}]

    within = smart_check(
        title="Win new qualified customers",
        level="person",
        cycle=quarter,
        parent=None,
        key_results=rows("44"),
        owner_person_id=alice.pk,
    )
    assert within["achievable"].status == "pass"
    stretch = smart_check(
        title="Win new qualified customers",
        level="person",
        cycle=quarter,
        parent=None,
        key_results=rows("46"),
        owner_person_id=alice.pk,
    )
    assert stretch["achievable"].status == "warn"
    assert "30" in stretch["achievable"].message
    other_parent = GoalFactory(cycle=past_quarter, owner_person=alice)
    mismatch = smart_check(
        title="Win new qualified customers",
        level="person",
        cycle=quarter,
        parent=other_parent,
        key_results=rows("40"),
    )
    assert mismatch["relevant"].status == "fail"


# --- cascade ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "shares", "quantum", "expected"),
    [
        ("200", [1, 1, 1], "1", ["66", "66", "68"]),
        ("100", [1, 3], "1", ["25", "75"]),
        ("10.5", [1, 1, 1, 1], "0.0001", ["2.6250", "2.6250", "2.6250", "2.6250"]),
        ("7", [0, 0], "1", ["3", "4"]),
    ],
)
def test_split_targets_add_up(total, shares, quantum, expected):
    parts = split_targets(D(total), [D(s) for s in shares], D(quantum))
    assert [str(p) for p in parts] == expected
    assert sum(parts) == D(total)


@pytest.fixture
def sales_goal(company, make_goal):
    goal = make_goal(
        company["sales"],
        title="Win 200 new customers",
        actor=company["bob"],
        key_results=[
            {
                "name": "New customers",
                "metric": "new-customers",
                "unit": "customers",
                "target_value": "200",
            }
        ],
    )
    return goal


@pytest.fixture
def reps(company):
    extra = [
        PersonFactory(
            user=UserFactory(username=f"rep{i}"), unit=company["field"], manager=company["bob"]
        )
        for i in range(1)
    ]
    return [company["alice"], company["erin"], *extra]


def test_cascade_equal_split_creates_children_that_add_up(company, sales_goal, reps):
    bob = company["bob"]
    kr = sales_goal.key_results.get()
    preview = services.cascade_goal(
        actor=bob,
        goal=sales_goal,
        key_result=kr,
        split="equal",
        children=[{"owner_person": p} for p in reps],
        dry_run=True,
    )
    assert [r["target_value"] for r in preview.rows] == [D("66"), D("66"), D("68")]
    assert not Goal.objects.filter(parent=sales_goal).exists()
    result = services.cascade_goal(
        actor=bob,
        goal=sales_goal,
        key_result=kr,
        split="equal",
        children=[{"owner_person": p} for p in reps],
    )
    children = Goal.objects.filter(parent=sales_goal)
    assert children.count() == 3 and len(result.goals) == 3
    assert all(g.state == Goal.State.PROPOSED and g.initiated_by == bob for g in children)
    total = sum(
        KeyResult.objects.filter(goal__parent=sales_goal).values_list("target_value", flat=True)
    )
    assert total == D("200")
    assert Notification.objects.filter(kind="goal_assigned", recipient=company["alice"]).exists()
    assert children.first().history.count() == 1  # history kept for bulk-created goals


def test_cascade_by_weights(company, sales_goal, reps):
    kr = sales_goal.key_results.get()
    result = services.cascade_goal(
        actor=company["bob"],
        goal=sales_goal,
        key_result=kr,
        split="weights",
        dry_run=True,
        children=[
            {"owner_person": reps[0], "weight": "1"},
            {"owner_person": reps[1], "weight": "3"},
        ],
    )
    assert [r["target_value"] for r in result.rows] == [D("50"), D("150")]
    with pytest.raises(ValidationError):
        services.cascade_goal(
            actor=company["bob"],
            goal=sales_goal,
            key_result=kr,
            split="weights",
            children=[{"owner_person": reps[0]}],
            dry_run=True,
        )


def test_cascade_by_history_falls_back_to_equal(company, sales_goal, reps, past_quarter):
    kr = sales_goal.key_results.get()
    children = [{"owner_person": p} for p in reps[:2]]
    result = services.cascade_goal(
        actor=company["bob"],
        goal=sales_goal,
        key_result=kr,
        split="history",
        children=children,
        dry_run=True,
    )
    assert result.fallback and [r["target_value"] for r in result.rows] == [D("100"), D("100")]
    for person, best in [(reps[0], "30"), (reps[1], "10")]:
        old = KeyResultFactory(goal=GoalFactory(cycle=past_quarter, owner_person=person))
        MeasurementFactory(key_result=old, value=D(best))
        MeasurementFactory(key_result=old, value=D("1"))
    result = services.cascade_goal(
        actor=company["bob"],
        goal=sales_goal,
        key_result=kr,
        split="history",
        children=children,
        dry_run=True,
    )
    assert not result.fallback
    assert [r["target_value"] for r in result.rows] == [D("150"), D("50")]


def test_cascade_permissions_and_bad_input(company, sales_goal, reps):
    kr = sales_goal.key_results.get()
    with pytest.raises(PermissionDenied):  # dave is in marketing
        services.cascade_goal(
            actor=company["dave"],
            goal=sales_goal,
            key_result=kr,
            split="equal",
            children=[{"owner_person": reps[0]}],
        )
    with pytest.raises(PermissionDenied):  # bob does not manage dave
        services.cascade_goal(
            actor=company["bob"],
            goal=sales_goal,
            key_result=kr,
            split="equal",
            children=[{"owner_person": company["dave"]}],
        )
    with pytest.raises(ValidationError):
        services.cascade_goal(
            actor=company["bob"], goal=sales_goal, key_result=kr, split="equal", children=[]
        )
    with pytest.raises(ValidationError):
        services.cascade_goal(
            actor=company["bob"],
            goal=sales_goal,
            key_result=kr,
            split="equal",
            children=[{"owner_person": reps[0]}, {"owner_person": reps[0]}],
        )


def test_cascade_applies_templates_by_tenure(company, sales_goal, reps):
    alice, erin = reps[0], reps[1]
    alice.hired_on = dt.date(2026, 9, 1)  # 2 months
    alice.save()
    erin.hired_on = dt.date(2022, 1, 1)
    erin.save()
    GoalTemplateFactory(
        name="New",
        max_tenure_months=6,
        key_results=[{"name": "Task completion rate", "unit": "%", "target_value": "90"}],
    )
    GoalTemplateFactory(
        name="Experienced",
        min_tenure_months=6,
        key_results=[{"name": "Innovation rate", "unit": "%", "target_value": "10"}],
    )
    services.cascade_goal(
        actor=company["bob"],
        goal=sales_goal,
        key_result=sales_goal.key_results.get(),
        split="equal",
        children=[{"owner_person": alice}, {"owner_person": erin}],
        apply_templates=True,
    )

    def names(p):
        return set(KeyResult.objects.filter(goal__owner_person=p).values_list("name", flat=True))

    assert names(alice) == {"New customers", "Task completion rate"}
    assert names(erin) == {"New customers", "Innovation rate"}


@pytest.mark.parametrize("size", [5, 50])
def test_cascade_to_fifty_people_is_a_bounded_number_of_queries(
    company, sales_goal, django_assert_max_num_queries, size
):
    """The same bound for 5 owners and 50 (the key results' links and the rollup of the split
    key result included, and the read models of the new goals: goals.rollups, and their
    alignment findings with the parent's: goals.services.alignment_findings)."""
    people = [
        PersonFactory(
            user=UserFactory(username=f"r{i}"), unit=company["field"], manager=company["bob"]
        )
        for i in range(size)
    ]
    bob = company["bob"]
    kr = sales_goal.key_results.get()
    with django_assert_max_num_queries(78):
        services.cascade_goal(
            actor=bob,
            goal=sales_goal,
            key_result=kr,
            split="history",
            children=[{"owner_person": p} for p in people],
        )
    assert Goal.objects.filter(parent=sales_goal).count() == size
    assert (
        sum(
            KeyResult.objects.filter(goal__parent=sales_goal).values_list("target_value", flat=True)
        )
        == 200
    )


# --- adjustments -----------------------------------------------------------------------------


def test_adjustment_flow(company, make_goal, sales_goal, reps):
    alice, bob, zed = company["alice"], company["bob"], company["zed"]
    Goal.objects.filter(pk=sales_goal.pk).update(state=Goal.State.AGREED)
    sales_goal.refresh_from_db()
    services.cascade_goal(
        actor=bob,
        goal=sales_goal,
        key_result=sales_goal.key_results.get(),
        split="equal",
        children=[{"owner_person": p} for p in reps],
    )
    kr = sales_goal.key_results.get()
    with pytest.raises(ValidationError):
        services.request_adjustment(
            actor=bob, key_result=kr, new_target="160", reason="weather", evidence=""
        )
    adj = services.request_adjustment(
        actor=bob,
        key_result=kr,
        new_target="160",
        reason="market",
        evidence="A competitor halved prices",
    )
    assert Notification.objects.filter(recipient=zed, kind="adjustment_requested").exists()
    with pytest.raises(ValidationError):  # one pending per key result
        services.request_adjustment(
            actor=bob, key_result=kr, new_target="150", reason="market", evidence="again"
        )
    with pytest.raises(PermissionDenied):  # bob heads sales: his manager decides
        services.approve_adjustment(actor=alice, adjustment=adj)
    with pytest.raises(ValidationError):
        services.reject_adjustment(actor=zed, adjustment=adj, comment="")
    services.approve_adjustment(actor=zed, adjustment=adj, comment="OK")
    kr.refresh_from_db()
    adj.refresh_from_db()
    assert kr.target_value == D("160") and adj.state == TargetAdjustment.State.APPROVED
    assert kr.history.first().target_value == D("160")
    assert kr.history.all()[1].target_value == D("200")
    for rep in reps:
        assert Notification.objects.filter(recipient=rep, kind="adjustment_approved").exists()
    with pytest.raises(ValidationError, match="already been decided"):
        services.reject_adjustment(actor=zed, adjustment=adj, comment="late")
    draft = make_goal(alice)
    with pytest.raises(ValidationError, match="Only agreed goals"):
        services.request_adjustment(
            actor=alice,
            key_result=draft.key_results.get(),
            new_target="1",
            reason="other",
            evidence="x",
        )


def test_unit_adjustment_retargets_secondary_goals_only(company, make_goal, quarter):
    alice, erin, bob, zed = company["alice"], company["erin"], company["bob"], company["zed"]
    core = make_goal(alice, state=Goal.State.AGREED)
    secondary = make_goal(erin, state=Goal.State.AGREED, priority=Goal.Priority.SECONDARY)
    other_unit = make_goal(
        company["dave"], state=Goal.State.AGREED, priority=Goal.Priority.SECONDARY
    )
    rows = services.request_unit_adjustment(
        actor=bob,
        unit=company["sales"],
        cycle=quarter,
        factor="0.8",
        reason="policy",
        evidence="New pricing",
    )
    assert [r.key_result.goal_id for r in rows] == [secondary.pk]
    services.approve_adjustment(actor=zed, adjustment=rows[0])
    assert secondary.key_results.get().target_value == D("36")
    assert core.key_results.get().target_value == D("45")
    assert other_unit.key_results.get().target_value == D("45")


def test_notifications_speak_each_recipients_language(company, make_goal, sales_goal, reps):
    bob, alice = company["bob"], company["alice"]
    alice.language = "zh-hans"
    alice.save()
    services.cascade_goal(
        actor=bob,
        goal=sales_goal,
        key_result=sales_goal.key_results.get(),
        split="equal",
        children=[{"owner_person": p} for p in reps],
    )
    assert "分配" in Notification.objects.get(recipient=alice, kind="goal_assigned").text
    erin_text = Notification.objects.get(recipient=company["erin"], kind="goal_assigned").text
    assert erin_text.startswith(bob.display_name) and "assigned you a goal" in erin_text
