import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from goals.models import Goal, GoalSettings, KeyResult, Measurement
from notifications.models import Notification
from tests.tracking.conftest import MONDAY
from tests.tracking.factories import submitted
from tracking import selectors, services
from tracking.models import CheckIn, Feedback, ImprovementPlan, KeyResultUpdate, WeeklyReview

pytestmark = pytest.mark.django_db


def test_opening_twice_returns_the_same_check_in(company):
    alice = company["alice"]
    first, created = services.open_check_in(person=alice)
    again, created_again = services.open_check_in(person=alice, week=MONDAY + dt.timedelta(3))
    assert created and not created_again
    assert first.pk == again.pk and first.week == MONDAY
    assert CheckIn.objects.count() == 1


def test_opening_survives_a_race(company):
    alice = company["alice"]
    existing = CheckIn.objects.create(person=alice, week=MONDAY)
    with mock.patch.object(CheckIn.objects, "get_or_create", side_effect=IntegrityError):
        check_in, created = services.open_check_in(person=alice)
    assert check_in.pk == existing.pk and not created


def test_future_week_is_refused(company):
    with pytest.raises(ValidationError) as exc:
        services.open_check_in(person=company["alice"], week=MONDAY + dt.timedelta(days=7))
    assert "week" in exc.value.message_dict
    assert not CheckIn.objects.exists()


def test_submit_validates_values_and_names_the_field(company, cascade):
    alice = company["alice"]
    check_in, _ = services.open_check_in(person=alice)
    bad = [
        {"key_result": cascade["customers"].pk, "value": "12"},
        {"key_result": cascade["calls"].pk, "value": "lots"},
    ]
    with pytest.raises(ValidationError) as exc:
        services.submit_check_in(actor=alice, check_in=check_in, updates=bad)
    assert set(exc.value.message_dict) == {"updates.1.value"}
    too_big = [{"key_result": cascade["customers"].pk, "value": "1e20"}]
    with pytest.raises(ValidationError) as exc:
        services.submit_check_in(actor=alice, check_in=check_in, updates=too_big)
    assert "updates.0.value" in exc.value.message_dict
    negative = [{"key_result": cascade["customers"].pk, "value": "-3"}]
    with pytest.raises(ValidationError) as exc:
        services.submit_check_in(actor=alice, check_in=check_in, updates=negative)
    assert "updates.0.value" in exc.value.message_dict
    foreign = [{"key_result": cascade["dave_kr"].pk, "value": "3"}]
    with pytest.raises(ValidationError) as exc:
        services.submit_check_in(actor=alice, check_in=check_in, updates=foreign)
    assert "updates.0.key_result" in exc.value.message_dict
    check_in.refresh_from_db()
    assert check_in.state == CheckIn.State.DRAFT
    assert not Measurement.objects.exists() and not KeyResultUpdate.objects.exists()


def test_off_track_needs_cause_and_action(company, cascade):
    alice = company["alice"]
    check_in, _ = services.open_check_in(person=alice)
    updates = [
        {"key_result": cascade["customers"].pk, "value": "6"},  # 20 % of 30 vs 50 % expected
        {"key_result": cascade["calls"].pk, "value": "100"},
    ]
    with pytest.raises(ValidationError) as exc:
        services.submit_check_in(actor=alice, check_in=check_in, updates=updates)
    errors = exc.value.message_dict
    assert set(errors) == {"updates.0.cause", "updates.0.action"}
    assert "New customers" in errors["updates.0.cause"][0]
    assert not Measurement.objects.exists()
    updates[0] |= {"cause": "not-enough-leads", "action": "Ask marketing for a campaign"}
    services.submit_check_in(actor=alice, check_in=check_in, updates=updates)
    update = KeyResultUpdate.objects.get(key_result=cascade["customers"])
    assert update.status == "off_track"
    assert update.cause.slug == "not-enough-leads"
    assert update.expected_progress == pytest.approx(0.5)


def test_self_reported_off_track_also_needs_a_cause(company, cascade):
    alice = company["alice"]
    check_in, _ = services.open_check_in(person=alice)
    updates = [{"key_result": cascade["calls"].pk, "value": "150", "confidence": "off_track"}]
    with pytest.raises(ValidationError) as exc:
        services.submit_check_in(actor=alice, check_in=check_in, updates=updates)
    assert "updates.0.cause" in exc.value.message_dict


def test_cause_by_id_or_slug_and_unknown_cause(company, cascade):
    from tracking.models import CauseTag

    alice = company["alice"]
    check_in, _ = services.open_check_in(person=alice)
    tag = CauseTag.objects.get(slug="skills-gap")
    updates = [{"key_result": cascade["customers"].pk, "value": "3", "cause": "nope"}]
    with pytest.raises(ValidationError) as exc:
        services.submit_check_in(actor=alice, check_in=check_in, updates=updates)
    assert "updates.0.cause" in exc.value.message_dict
    updates[0] |= {"cause": tag.pk, "action": "Training"}
    services.submit_check_in(actor=alice, check_in=check_in, updates=updates)
    assert KeyResultUpdate.objects.get().cause == tag


def test_submission_recomputes_progress_up_three_levels(company, cascade):
    alice = company["alice"]
    submitted(alice, {cascade["customers"]: 15, cascade["calls"]: 100})
    customers = KeyResult.objects.get(pk=cascade["customers"].pk)
    assert customers.current_value == Decimal("15") and customers.progress == pytest.approx(0.5)
    goal = Goal.objects.get(pk=cascade["alice_goal"].pk)
    assert goal.progress == pytest.approx(0.5)
    # Sales = mean(alice 0.5, erin 0); company = Sales.
    assert Goal.objects.get(pk=cascade["sales"].pk).progress == pytest.approx(0.25)
    assert Goal.objects.get(pk=cascade["top"].pk).progress == pytest.approx(0.25)
    measurements = Measurement.objects.filter(key_result=customers)
    assert [(m.source, m.value) for m in measurements] == [("check_in", Decimal("15"))]


def test_deviation_is_filled_from_the_numbers(company, cascade):
    alice = company["alice"]
    check_in = submitted(alice, {cascade["customers"]: 9, cascade["calls"]: 100})
    assert "New customers: 9 of 15 expected (60 %)" in check_in.deviation
    assert "Calls: 100 of 100 expected (100 %)" in check_in.deviation
    written = submitted(company["erin"], {cascade["erin_kr"]: 20}, fields={"deviation": "Mine"})
    assert written.deviation == "Mine"


def test_deviation_in_the_authors_language(company, cascade):
    alice = company["alice"]
    alice.language = "zh-hans"
    alice.save()
    check_in = submitted(alice, {cascade["customers"]: 9})
    assert "New customers" in check_in.deviation and "9" in check_in.deviation


def test_amendment_keeps_earlier_values(company, cascade, frozen_time):
    alice = company["alice"]
    check_in = submitted(alice, {cascade["customers"]: 9})
    frozen_time.shift(dt.timedelta(days=2))
    check_in = services.submit_check_in(
        actor=alice,
        check_in=check_in,
        updates=[{"key_result": cascade["customers"].pk, "value": "12"}],
    )
    assert check_in.amendments == 1 and check_in.state == CheckIn.State.SUBMITTED
    update = KeyResultUpdate.objects.get()
    assert update.value == Decimal("12") and update.previous_value == Decimal("0")
    values = [h.value for h in update.history.order_by("history_date")]
    assert values == [Decimal("9"), Decimal("12")]
    assert list(
        Measurement.objects.filter(key_result=cascade["customers"]).values_list("value", flat=True)
    ) == [Decimal("9"), Decimal("12")]
    assert check_in.history.count() >= 2
    # The deviation filled from the numbers follows the amendment (two days later).
    assert "New customers: 12 of 17.14 expected (70 %)" in check_in.deviation
    written = services.submit_check_in(
        actor=alice,
        check_in=check_in,
        fields={"deviation": "Two deals slipped."},
        updates=[{"key_result": cascade["customers"].pk, "value": "13"}],
    )
    assert written.deviation == "Two deals slipped." and written.amendments == 2
    # After its week, a submitted check-in is closed.
    frozen_time.shift(dt.timedelta(days=7))
    with pytest.raises(ValidationError):
        services.submit_check_in(actor=alice, check_in=check_in, updates=[])


def test_only_the_author_writes(company, cascade):
    check_in, _ = services.open_check_in(person=company["alice"])
    for other in (company["bob"], company["erin"], company["zed"]):
        with pytest.raises(PermissionDenied):
            services.submit_check_in(actor=other, check_in=check_in, updates=[])
        with pytest.raises(PermissionDenied):
            services.save_check_in_draft(actor=other, check_in=check_in, fields={"plan": "x"})


def test_draft_saves_values_without_measuring(company, cascade):
    alice = company["alice"]
    check_in, _ = services.open_check_in(person=alice)
    services.save_check_in_draft(
        actor=alice,
        check_in=check_in,
        fields={"plan": "Visit 3 clients", "confidence": "7"},
        updates=[{"key_result": cascade["customers"].pk, "value": "11"}],
    )
    check_in.refresh_from_db()
    assert check_in.plan == "Visit 3 clients" and check_in.confidence == 7
    assert KeyResultUpdate.objects.get().value == Decimal("11")
    assert not Measurement.objects.exists()
    with pytest.raises(ValidationError) as exc:
        services.save_check_in_draft(actor=alice, check_in=check_in, fields={"confidence": "11"})
    assert "confidence" in exc.value.message_dict
    # Submitting takes the drafted value along.
    services.submit_check_in(actor=alice, check_in=check_in, updates=[])
    assert Measurement.objects.get().value == Decimal("11")


def test_late_check_in_for_a_past_week_is_measured_in_that_week(company, cascade):
    alice = company["alice"]
    last_week = MONDAY - dt.timedelta(days=7)
    check_in = submitted(alice, {cascade["customers"]: 4}, week=last_week)
    assert check_in.week == last_week
    measurement = Measurement.objects.get()
    assert measurement.effective_at.date() == last_week + dt.timedelta(days=6)
    assert measurement.recorded_at.date() == MONDAY  # when Keel learnt it
    assert check_in.is_late


def test_streak_and_completion_rate(company, cascade, cycle):
    alice = company["alice"]
    for weeks_ago in (2, 1):
        submitted(alice, {cascade["calls"]: 50}, week=MONDAY - dt.timedelta(weeks=weeks_ago))
    # This week still open: the streak counts up to last week.
    assert selectors.check_in_streak(person=alice) == 2
    # Cycle weeks so far (before this one): 2 Nov and 9 Nov; both submitted.
    assert selectors.completion_rate(person=alice, cycle=cycle) == 1.0
    submitted(alice, {cascade["calls"]: 100})
    assert selectors.check_in_streak(person=alice) == 3
    assert selectors.completion_rate(person=alice, cycle=cycle) == 1.0
    erin = company["erin"]
    submitted(erin, {cascade["erin_kr"]: 3}, week=MONDAY - dt.timedelta(weeks=2))
    assert selectors.check_in_streak(person=erin) == 0
    assert selectors.completion_rate(person=erin, cycle=cycle) == 0.5


def test_feedback_from_the_manager_chain_notifies_and_is_acknowledged(company, cascade):
    alice, bob = company["alice"], company["bob"]
    check_in = submitted(alice, {cascade["calls"]: 100})
    update = check_in.updates.get()
    feedback = services.give_feedback(
        actor=bob, check_in=check_in, update=update, kind="praise", text="Great calls!"
    )
    note = Notification.objects.get(recipient=alice)
    assert note.kind == "check_in_feedback" and "Bob" in note.text
    assert note.url == f"/tracking/check-ins/{check_in.pk}/"
    for giver in (company["zed"], company["carol"]):  # chain above Bob, HRBP
        services.give_feedback(actor=giver, check_in=check_in, kind="suggestion", text="Hm")
    for outsider in (company["erin"], company["mia"], company["dave"], alice):
        with pytest.raises(PermissionDenied):
            services.give_feedback(actor=outsider, check_in=check_in, kind="concern", text="x")
    with pytest.raises(PermissionDenied):
        services.acknowledge_feedback(actor=bob, feedback=feedback)
    services.acknowledge_feedback(actor=alice, feedback=feedback)
    assert Feedback.objects.get(pk=feedback.pk).acknowledged_at is not None
    with pytest.raises(ValidationError):
        services.give_feedback(actor=bob, check_in=check_in, kind="bogus", text="x")


def test_feedback_needs_a_submitted_check_in(company, cascade):
    check_in, _ = services.open_check_in(person=company["alice"])
    with pytest.raises(ValidationError):
        services.give_feedback(actor=company["bob"], check_in=check_in, kind="praise", text="x")


def test_plan_from_an_off_track_update(company, cascade):
    alice, bob = company["alice"], company["bob"]
    submitted(alice, {cascade["customers"]: 3, cascade["calls"]: 100})
    off = KeyResultUpdate.objects.get(key_result=cascade["customers"])
    plan = services.create_plan_from_update(
        actor=bob,
        update=off,
        actions=[{"kind": "coaching", "description": "Pair on calls", "owner": bob}],
    )
    assert plan.person == alice and plan.goal == cascade["alice_goal"]
    assert plan.source == f"check_in:{off.check_in_id}" and "New customers" in plan.title
    on = KeyResultUpdate.objects.get(key_result=cascade["calls"])
    with pytest.raises(ValidationError):
        services.create_plan_from_update(
            actor=bob, update=on, actions=[{"kind": "other", "description": "x", "owner": bob}]
        )
    with pytest.raises(PermissionDenied):
        services.create_plan_from_update(
            actor=company["erin"],
            update=off,
            actions=[{"kind": "other", "description": "x", "owner": bob}],
        )
    assert ImprovementPlan.objects.count() == 1


def test_weekly_review_numbers(company, cascade):
    c = company
    last = MONDAY - dt.timedelta(weeks=1)
    # Last week (expected 13/28 of the way): Alice's customers at risk, the rest on track.
    submitted(c["alice"], {cascade["customers"]: 12, cascade["calls"]: 100}, week=last)
    submitted(c["erin"], {cascade["erin_kr"]: 14}, week=last)
    # This week: Alice's customers off track (not enough leads); Erin missing.
    submitted(c["alice"], {cascade["customers"]: 6, cascade["calls"]: 100})
    summary = selectors.weekly_review_summary(manager=c["bob"], week=MONDAY)
    assert summary["expected_count"] == 2 and summary["submitted_count"] == 1
    assert summary["missing"] == [c["erin"]]
    assert [u.key_result.name for u in summary["flagged"]] == ["New customers"]
    assert summary["flagged"][0].status == "off_track"
    assert [(tag.slug, n) for tag, n in summary["top_causes"]] == [("not-enough-leads", 1)]
    assert summary["counts"] == {"on_track": 1, "at_risk": 0, "off_track": 1}
    movement = {m["status"]: m["change"] for m in summary["movement"]}
    assert movement == {"on_track": -1, "at_risk": -1, "off_track": 1}
    assert [u.key_result.name for u in summary["worsened"]] == ["New customers"]
    review = services.save_weekly_review(actor=c["bob"], week=MONDAY, decisions="Leads push")
    again = services.save_weekly_review(actor=c["bob"], week=MONDAY, decisions="Leads push!")
    assert review.pk == again.pk and WeeklyReview.objects.count() == 1
    assert again.snapshot == {"submitted": 1, "expected": 2, "at_risk": 0, "off_track": 1}
    with pytest.raises(PermissionDenied):
        services.save_weekly_review(actor=c["alice"], week=MONDAY, decisions="x")
    with pytest.raises(ValidationError):
        services.save_weekly_review(actor=c["bob"], week=MONDAY + dt.timedelta(7), decisions="")


def test_the_week_follows_the_persons_time_zone(company, frozen_time):
    alice, erin = company["alice"], company["erin"]
    alice.timezone = "Asia/Shanghai"
    alice.save()
    # Sunday 17:00 UTC is already Monday 01:00 in Shanghai.
    frozen_time.move_to(dt.datetime(2026, 11, 15, 17, 0, tzinfo=dt.UTC))
    assert services.open_check_in(person=alice)[0].week == dt.date(2026, 11, 16)
    assert services.open_check_in(person=erin)[0].week == dt.date(2026, 11, 9)


def test_seeded_cause_labels_are_translated_unless_edited(db):
    from django.utils import translation

    from tracking.models import CauseTag

    tag = CauseTag.objects.get(slug="not-enough-leads")
    with translation.override("zh-hans"):
        assert tag.display_label == "线索不足"
    tag.label = "Too few leads"
    with translation.override("zh-hans"):
        assert tag.display_label == "Too few leads"
    with translation.override("en"):
        assert CauseTag.objects.get(slug="skills-gap").display_label == "Skills gap"


def test_late_check_ins_are_accepted_within_the_window_only(company, cascade):
    alice = company["alice"]
    settings = GoalSettings.load()
    settings.late_check_in_weeks = 1
    settings.save()
    two_weeks_ago = MONDAY - dt.timedelta(weeks=2)  # the cycle's first week
    with pytest.raises(ValidationError) as exc:
        services.open_check_in(person=alice, week=two_weeks_ago)
    assert "up to 1 week back" in str(exc.value.message_dict["week"])
    settings.late_check_in_weeks = 2
    settings.save()
    check_in = submitted(alice, {cascade["customers"]: 3}, week=two_weeks_ago)
    assert check_in.is_late
    on_time = submitted(alice, {cascade["customers"]: 5})
    assert not on_time.is_late


def test_submitting_the_check_in_resolves_its_reminders(company, cascade, login):
    """The week's check-in reminder stops showing as new once the check-in is submitted; other
    notifications and other people's reminders are left alone."""
    from notifications.models import Notification

    alice, bob = company["alice"], company["bob"]
    reminder = Notification.objects.create(
        recipient=alice, kind="reminder.check_in", text="Time for your weekly check-in"
    )
    other_kind = Notification.objects.create(
        recipient=alice, kind="check_in_feedback", text="Bob commented"
    )
    bobs = Notification.objects.create(recipient=bob, kind="reminder.check_in", text="Check in")
    assert "Time for your weekly check-in" in login(alice).get("/notifications/").content.decode()
    check_in, _ = services.open_check_in(person=alice)
    updates = [
        {"key_result": cascade["customers"].pk, "value": "15"},
        {"key_result": cascade["calls"].pk, "value": "100"},
    ]
    services.submit_check_in(actor=alice, check_in=check_in, updates=updates)
    reminder.refresh_from_db(), other_kind.refresh_from_db(), bobs.refresh_from_db()
    assert reminder.read_at is not None
    assert other_kind.read_at is None and bobs.read_at is None
