"""The authorization matrix's organisation: one small company with every role relation to
Alice, and one object of every kind belonging to or about her, built through the services.

    Acme (company)                          Zed: staff admin, heads nothing
      Sales (department, head Sam)          Sam: skip-level, manages Bob
        Field team (team, head Bob)         Bob: Alice's manager; Alice, Erin (peer)
      Marketing (department, head Mia)      Dave: another unit
      HR (department)                       Carol: HRBP of Sales; Hank: HRBP of Marketing only

Each relation is a key of `World.people`; anonymous has none. Strings in `SECRETS` appear only
in what a relation may see: every response of the matrix is checked against them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

import time_machine
from django.db import transaction
from django.test import override_settings

from goals import services as goal_services
from goals.models import Cycle, Goal, KeyResult, Measurement
from incentives.models import Award
from notifications.models import Notification, ReminderSchedule
from notifications.services import update_own_schedule
from org.models import Person, Unit
from org.tokens import create_token
from resources import services as resource_services
from resources.models import BudgetCategory
from retros import services as retro_services
from retros.models import RetroAction
from reviews import services as review_services
from tests.factories import HRBPAssignmentFactory, PersonFactory, UnitFactory, UserFactory
from tests.incentives.factories import make_award, make_rule
from tracking import services as tracking_services
from tracking.models import KeyResultUpdate, WeeklyReview

# Relations to the subject (Alice).
SELF = "self"
MANAGER = "manager"
SKIP = "skip_level"
PEER = "peer"
OTHER = "other_unit"
HRBP = "hrbp"
HRBP_OTHER = "hrbp_other"
ADMIN = "admin"
ANON = "anonymous"
SIGNED_IN = (SELF, MANAGER, SKIP, PEER, OTHER, HRBP, HRBP_OTHER, ADMIN)
RELATIONS = (*SIGNED_IN, ANON)

# Wednesday of the week of 16 November 2026, halfway through Q4.
NOW = dt.datetime(2026, 11, 18, 10, 0, tzinfo=dt.UTC)
THIS_WEEK = dt.date(2026, 11, 16)
LAST_WEEK = dt.date(2026, 11, 9)

# Distinctive texts, and who may read them (every other relation must never meet them).
PRIVATE_GOAL = "Zq-private-goal-of-alice"
UNIT_GOAL = "Zq-unit-goal-of-alice"
TEAM_PRIVATE_GOAL = "Zq-private-goal-of-field-team"
CHECK_IN_DONE = "Zq-checkin-done-by-alice"
UPDATE_NOTE = "Zq-update-note-by-alice"
FEEDBACK_TEXT = "Zq-feedback-from-bob"
PLAN_TITLE = "Zq-improvement-plan-for-alice"
REQUEST_JUSTIFICATION = "Zq-request-justification-by-alice"
AWARD_AMOUNT = "917.43"
NOTIFICATION_TEXT = "Zq-notification-for-alice"
DRAFT_LESSON = "Zq-draft-lesson-by-alice"
RETRO_TITLE = "Zq-retro-of-alice-goal"
UNIT_RETRO_TITLE = "Zq-retro-of-field-team"
RETRO_REASONS = "Zq-retro-reasons"
FIVE_WHY_PROBLEM = "Zq-five-why-problem"
REVIEW_DECISIONS = "Zq-weekly-review-decisions-of-bob"
EVALUATION_SUMMARY = "Zq-evaluation-summary-for-alice"
ANSWER_360 = "Zq-360-answer-by-erin"
SUPPORT_NEED = "Zq-support-need-of-alice"
HIDDEN_SUPPORT_NEED = "Zq-support-need-on-dave-unit-goal"
PRIVATE_COMMENT = "Zq-comment-on-alice-private-goal"
CHECK_IN_COMMENT = "Zq-comment-on-alice-check-in"
MEETING_DECISIONS = "Zq-meeting-decisions-of-bob"
MEETING_ACTION = "Zq-meeting-action-for-alice"
TASK_FORCE = "Onboarding task force"
TASK_FORCE_GOAL = "Zq-task-force-goal"
HIRED_ON = "2019-04-07"


@dataclass
class World:
    people: dict[str, Person]
    units: dict[str, Unit]
    objects: dict[str, object] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None

    def pk(self, name: str) -> int:
        """The primary key of a fixture object, a unit or a person (by username)."""
        if name in self.objects:
            return self.objects[name].pk
        if name in self.units:
            return self.units[name].pk
        for person in self.people.values():
            if person.user.username == name:
                return person.pk
        raise KeyError(name)

    @property
    def alice(self) -> Person:
        return self.people[SELF]

    @property
    def bob(self) -> Person:
        return self.people[MANAGER]


def _people() -> tuple[dict[str, Person], dict[str, Unit]]:
    acme = UnitFactory(name="Acme", kind=Unit.Kind.COMPANY)
    sales = UnitFactory(name="Sales", kind=Unit.Kind.DEPARTMENT, parent=acme)
    field_team = UnitFactory(name="Field team", kind=Unit.Kind.TEAM, parent=sales)
    marketing = UnitFactory(name="Marketing", kind=Unit.Kind.DEPARTMENT, parent=acme)
    hr = UnitFactory(name="HR", kind=Unit.Kind.DEPARTMENT, parent=acme)

    def person(username, unit, manager=None, **extra):
        return PersonFactory(
            user=UserFactory(username=username, is_staff=username == "zed"),
            unit=unit,
            manager=manager,
            **extra,
        )

    zed = person("zed", acme, level=Person.Level.EXECUTIVE)
    sam = person("sam", sales, level=Person.Level.MANAGER)
    bob = person("bob", field_team, sam, level=Person.Level.MANAGER)
    alice = person("alice", field_team, bob, hired_on=dt.date.fromisoformat(HIRED_ON))
    erin = person("erin", field_team, bob)
    mia = person("mia", marketing, level=Person.Level.MANAGER)
    dave = person("dave", marketing, mia)
    carol = person("carol", hr, title="HRBP")
    hank = person("hank", hr, title="HRBP")
    Unit.objects.filter(pk=sales.pk).update(head=sam)
    Unit.objects.filter(pk=field_team.pk).update(head=bob)
    Unit.objects.filter(pk=marketing.pk).update(head=mia)
    HRBPAssignmentFactory(person=carol, unit=sales)
    HRBPAssignmentFactory(person=hank, unit=marketing)
    units = {"acme": acme, "sales": sales, "field": field_team, "marketing": marketing, "hr": hr}
    for unit in units.values():
        unit.refresh_from_db()
    people = {
        SELF: alice,
        MANAGER: bob,
        SKIP: sam,
        PEER: erin,
        OTHER: dave,
        HRBP: carol,
        HRBP_OTHER: hank,
        ADMIN: zed,
    }
    return people, units


def _goal(alice, cycle, title, *, visibility="public", krs=("Alice qualified leads",), **kw):
    return goal_services.create_goal(
        actor=alice,
        cycle=cycle,
        starts_on=cycle.starts_on,
        title=title,
        level=Goal.Level.PERSON,
        owner_person=alice,
        visibility=visibility,
        key_results=[
            {"name": name, "target_value": Decimal("30"), "unit": "customers", "metric": "m"}
            for name in krs
        ],
        **kw,
    )


@contextlib.contextmanager
def module_world(django_db_blocker) -> Iterator[World]:
    """The world for a whole test module (a module-scoped fixture wraps this): built once, at
    NOW, inside a transaction that is rolled back when the module is done; every test runs in a
    savepoint inside it (pytest-django's `db`)."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with (
        django_db_blocker.unblock(),
        time_machine.travel(NOW, tick=False),
        fast,
        transaction.atomic(),
    ):
        yield build()
        transaction.set_rollback(True)


def build() -> World:
    people, units = _people()
    w = World(people=people, units=units)
    w.objects["cycle"] = Cycle.objects.create(
        name="2026 Q4",
        kind=Cycle.Kind.QUARTER,
        starts_on=dt.date(2026, 10, 1),
        ends_on=dt.date(2026, 12, 31),
        state=Cycle.State.ACTIVE,
    )
    _add_goals(w)
    _add_check_ins(w)
    _add_resources(w)
    _add_incentives(w)
    _add_notifications(w)
    _add_retros(w)
    _add_webhooks(w)
    _add_reviews(w)
    _add_support(w)
    _add_comments(w)
    _add_task_force(w)
    o = w.objects
    o["token"], _key = create_token(user=people[SELF].user, name="Alice's script")
    for name in ("goal_public", "goal_unit", "goal_private", "goal_proposed", "goal_assigned"):
        o[name].refresh_from_db()
    o["goal_agreed"].refresh_from_db()
    assert KeyResult.objects.filter(goal__owner_person=people[SELF]).count() == 7
    return w


def _add_goals(w: World) -> None:
    """Goals: the visibility cases (drafts), one proposed by Alice, one assigned by Bob, one
    agreed with a measurement and a pending target adjustment."""
    people, units, o = w.people, w.units, w.objects
    alice, bob, cycle = people[SELF], people[MANAGER], o["cycle"]
    o["goal_public"] = _goal(alice, cycle, "Alice public draft goal")
    o["goal_unit"] = _goal(alice, cycle, UNIT_GOAL, visibility="unit", krs=("Unit kr",))
    o["goal_proposed"] = _goal(alice, cycle, "Alice proposed goal", krs=("Proposed kr",))
    goal_services.propose_goal(actor=alice, goal=o["goal_proposed"])
    o["goal_assigned"] = goal_services.create_goal(
        actor=bob,
        cycle=cycle,
        starts_on=cycle.starts_on,
        title="Alice assigned goal",
        level=Goal.Level.PERSON,
        owner_person=alice,
        key_results=[{"name": "Assigned kr", "target_value": Decimal("10")}],
    )
    goal_services.propose_goal(actor=bob, goal=o["goal_assigned"])
    o["goal_agreed"] = _goal(
        alice,
        cycle,
        "Alice agreed goal",
        krs=("Alice new customers", "Alice demos"),
        priority=Goal.Priority.SECONDARY,
    )
    goal_services.propose_goal(actor=alice, goal=o["goal_agreed"])
    goal_services.agree_goal(actor=bob, goal=o["goal_agreed"])
    # Her private goal aligns to the public agreed one: trees and goal pages must leave it out.
    o["goal_private"] = _goal(
        alice, cycle, PRIVATE_GOAL, visibility="private", krs=("Pkr",), parent=o["goal_agreed"]
    )
    o["goal_agreed"].refresh_from_db()
    # Her team's private goal: its owner is the head (Bob); members do not see it.
    o["team_goal_private"] = goal_services.create_goal(
        actor=bob,
        cycle=cycle,
        starts_on=cycle.starts_on,
        title=TEAM_PRIVATE_GOAL,
        level=Goal.Level.UNIT,
        owner_unit=units["field"],
        visibility="private",
        key_results=[{"name": "Team kr", "target_value": Decimal("100")}],
    )
    krs = list(KeyResult.objects.filter(goal=o["goal_agreed"]).order_by("position"))
    o["kr"], o["kr_second"] = krs
    o["kr_public"] = o["goal_public"].key_results.get()
    o["kr_private"] = o["goal_private"].key_results.get()
    o["adjustment"] = goal_services.request_adjustment(
        actor=alice,
        key_result=o["kr"],
        new_target=Decimal("25"),
        reason="market",
        evidence="A competitor opened next door.",
    )


def _add_check_ins(w: World) -> None:
    """Check-ins: last week's submitted (off track, with Bob's feedback and a plan from it),
    and this week's draft; Bob's weekly review."""
    o, alice, bob = w.objects, w.people[SELF], w.people[MANAGER]
    check_in, _created = tracking_services.open_check_in(person=alice, week=LAST_WEEK)
    o["check_in"] = tracking_services.submit_check_in(
        actor=alice,
        check_in=check_in,
        fields={"done": CHECK_IN_DONE},
        updates=[
            {
                "key_result": o["kr"].pk,
                "value": "3",
                "confidence": "off_track",
                "note": UPDATE_NOTE,
                "cause": "not-enough-leads",
                "action": "Call more prospects",
            }
        ],
    )
    o["update"] = KeyResultUpdate.objects.get(check_in=o["check_in"], key_result=o["kr"])
    o["measurement"] = Measurement.objects.filter(key_result=o["kr"]).latest("pk")
    o["feedback"] = tracking_services.give_feedback(
        actor=bob, check_in=o["check_in"], kind="concern", text=FEEDBACK_TEXT
    )
    o["plan"] = tracking_services.create_plan_from_update(
        actor=bob,
        update=o["update"],
        title=PLAN_TITLE,
        actions=[{"kind": "coaching", "description": "Pair with Bob", "owner": alice}],
    )
    o["plan_action"] = o["plan"].actions.get()
    o["draft_check_in"], _created = tracking_services.open_check_in(person=alice)
    o["review"] = tracking_services.save_weekly_review(
        actor=bob, week=LAST_WEEK, decisions=REVIEW_DECISIONS
    )
    assert isinstance(o["review"], WeeklyReview)


def _add_resources(w: World) -> None:
    """Resources: a budget of her unit; a submitted request and an approved one."""
    o, units, cycle = w.objects, w.units, w.objects["cycle"]
    alice, bob, sam = w.people[SELF], w.people[MANAGER], w.people[SKIP]
    o["budget"] = resource_services.create_budget(
        actor=sam,
        unit=units["field"],
        cycle=cycle,
        category=BudgetCategory.PROMOTION,
        allocated=Decimal("10000"),
    )

    def request(title):
        return resource_services.submit_request(
            requester=alice,
            kind="budget",
            title=title,
            justification=REQUEST_JUSTIFICATION,
            goal=o["goal_agreed"],
            amount=Decimal("500"),
            category=BudgetCategory.PROMOTION,
        )

    o["request"] = request("Alice promotion budget")
    o["request_approved"] = resource_services.approve_request(
        actor=bob, request=request("Alice approved budget"), granted_amount=Decimal("300")
    )


def _add_incentives(w: World) -> None:
    """Incentives: a rule scoped to Sales; awards for Alice: proposed, approved, published."""
    o, units, alice = w.objects, w.units, w.people[SELF]
    o["rule"] = make_rule(
        units["sales"],
        "recognition",
        {"metric": "attainment", "top_n": 1, "title": "Weekly champion"},
        name="Sales weekly champion",
    )
    award = {"amount": AWARD_AMOUNT, "title": "Weekly champion"}
    o["award"] = make_award(o["rule"], alice, period_start=THIS_WEEK, **award)
    o["award_approved"] = make_award(
        o["rule"], alice, period_start=LAST_WEEK, state=Award.State.APPROVED, **award
    )
    o["recognition"] = make_award(
        o["rule"],
        alice,
        period_start=LAST_WEEK - dt.timedelta(days=7),
        state=Award.State.PUBLISHED,
        **award,
    )


def _add_notifications(w: World) -> None:
    """Notifications: her own notification and reminder override."""
    o, alice = w.objects, w.people[SELF]
    o["notification"] = Notification.objects.create(
        recipient=alice, kind="goal.returned", text=NOTIFICATION_TEXT, url="/goals/"
    )
    o["schedule"] = update_own_schedule(
        person=alice, kind="reminder.check_in", weekday=3, time=dt.time(16, 30)
    )
    assert isinstance(o["schedule"], ReminderSchedule)


def _add_webhooks(w: World) -> None:
    """An outbound webhook subscription (to an address nothing listens on; nothing is sent
    inside the matrix's transactions), a failed delivery of one event, a service account."""
    from integrations import services as webhooks
    from integrations.models import WebhookDelivery, WebhookEvent

    o = w.objects
    o["subscription"] = webhooks.create_subscription(
        actor=w.people[ADMIN],
        name="ERP",
        url="http://127.0.0.1:9/hooks",
        event_types=["goal.agreed"],
    )
    from org.services import create_service_account

    o["service_account"], _key = create_service_account(
        actor=w.people[ADMIN], name="World CRM", scopes=["measurements:write"]
    )
    event = WebhookEvent.objects.create(msg_id="msg_world", type="goal.agreed", payload={})
    o["delivery"] = WebhookDelivery.objects.create(
        subscription=o["subscription"], event=event, status="failed", attempts=8
    )


def _add_retros(w: World) -> None:
    """Retros: her goal's retrospective (draft; Bob facilitates, Alice takes part) with a
    5-Why and an improvement; the Field team's, held; lessons and a template."""
    people, units, o = w.people, w.units, w.objects
    alice, bob, cycle = people[SELF], people[MANAGER], o["cycle"]
    o["template"] = retro_services.save_template(
        actor=people[ADMIN],
        name="Authz template",
        questions={"reasons": ["Why did we miss?"]},
    )
    o["retro"] = retro_services.create_retrospective(
        actor=bob,
        cycle=cycle,
        goal=o["goal_agreed"],
        participants=[alice],
        title=RETRO_TITLE,
    )
    retro_services.update_retrospective(actor=bob, retro=o["retro"], reasons=RETRO_REASONS)
    o["five_why"] = retro_services.save_five_why(
        actor=bob,
        retrospective=o["retro"],
        problem=FIVE_WHY_PROBLEM,
        whys=["Too few customers", "Low conversion", "Untailored pitch", "No playbook", "Gaps"],
        countermeasure="Write the playbook",
        countermeasure_owner=alice,
        countermeasure_due_on=dt.date(2026, 12, 15),
    )
    o["retro_action"] = retro_services.add_improvement(
        actor=bob, retro=o["retro"], description="Weekly pitch practice", owner=alice
    )
    assert isinstance(o["retro_action"], RetroAction)
    o["unit_retro"] = retro_services.create_retrospective(
        actor=bob, cycle=cycle, unit=units["field"], participants=[alice], title=UNIT_RETRO_TITLE
    )
    retro_services.update_retrospective(
        actor=bob, retro=o["unit_retro"], what_worked="Zq-unit-retro-what-worked"
    )
    o["unit_retro"] = retro_services.hold_retrospective(actor=bob, retro=o["unit_retro"])
    o["draft_lesson"] = retro_services.create_lesson(
        actor=alice, title=DRAFT_LESSON, category="sales", what_worked="Short videos"
    )
    o["lesson"] = retro_services.create_lesson(
        actor=alice,
        title="Alice published lesson",
        category="sales",
        what_worked="Community follow-up",
        publish=True,
    )


def _add_reviews(w: World) -> None:
    """Reviews of Alice (and Erin) in review cycles of the Field team at each step: a draft
    cycle; Alice's review at self-assessment (with a proposed and an approved 360 request); at
    the manager's evaluation (with Erin's answer); evaluated (calibration open; Erin evaluated
    too, so it can be locked); evaluated without calibration (to release); released."""
    o, units, people = w.objects, w.units, w.people
    alice, bob, carol, erin = people[SELF], people[MANAGER], people[HRBP], people[PEER]
    self_form = {
        "results_rating": 3,
        "competencies_rating": 3,
        "attitude_rating": 4,
        "comment": "My quarter",
    }
    evaluation = {
        "results_rating": 3,
        "competencies_rating": 3,
        "attitude_rating": 4,
        "overall_rating": 3,
        "results_override_reason": "As agreed",
        "summary": EVALUATION_SUMMARY,
    }

    def cycle(name, **steps):
        made = review_services.create_review_cycle(
            actor=carol,
            name=name,
            goal_cycle=o["cycle"],
            unit=units["field"],
            levels=["frontline"],
            **steps,
        )
        if name != "Zq draft review cycle":
            review_services.open_review_cycle(actor=carol, cycle=made)
        return made

    o["review_cycle_draft"] = cycle("Zq draft review cycle")
    o["review_cycle"] = cycle("Self review cycle")
    o["review_self"] = o["review_cycle"].reviews.get(person=alice)
    review_services.propose_reviewers(
        actor=alice,
        review=o["review_self"],
        reviewers=[
            {"reviewer": people[OTHER], "relation": "colleague"},
            {"reviewer": erin, "relation": "peer"},
        ],
    )
    o["feedback_proposed"] = o["review_self"].feedback_requests.get(reviewer=people[OTHER])
    o["feedback_approved"] = review_services.decide_feedback_request(
        actor=bob, request=o["review_self"].feedback_requests.get(reviewer=erin), approve=True
    )

    manager_cycle = cycle("Manager review cycle")
    o["review_manager"] = manager_cycle.reviews.get(person=alice)
    review_services.propose_reviewers(
        actor=alice,
        review=o["review_manager"],
        reviewers=[{"reviewer": erin, "relation": "peer"}],
    )
    answered = review_services.decide_feedback_request(
        actor=bob, request=o["review_manager"].feedback_requests.get(), approve=True
    )
    review_services.answer_feedback_request(
        actor=erin, request=answered, rating=4, strengths=ANSWER_360, improvements=""
    )
    review_services.submit_self_assessment(actor=alice, review=o["review_manager"], **self_form)

    o["review_cycle_calibration"] = cycle("Calibration review cycle")
    for person in (alice, erin):
        review = o["review_cycle_calibration"].reviews.get(person=person)
        review_services.submit_self_assessment(actor=person, review=review, **self_form)
        review_services.submit_evaluation(actor=bob, review=review, **evaluation)
    o["review_evaluated"] = o["review_cycle_calibration"].reviews.get(person=alice)

    release_cycle = cycle("Release review cycle", calibration=False)
    o["review_to_release"] = release_cycle.reviews.get(person=alice)
    review_services.submit_self_assessment(actor=alice, review=o["review_to_release"], **self_form)
    review_services.submit_evaluation(actor=bob, review=o["review_to_release"], **evaluation)

    released_cycle = cycle("Released review cycle", calibration=False)
    review = released_cycle.reviews.get(person=alice)
    review_services.submit_self_assessment(actor=alice, review=review, **self_form)
    review_services.submit_evaluation(
        actor=bob, review=review, **{**evaluation, "summary": "Released summary"}
    )
    o["review_released"] = review_services.release_review(actor=bob, review=review)


def _add_support(w: World) -> None:
    """Support agreements: Alice's agreed goal asks Dave's (Marketing) public goal for support;
    an admin asks Dave's unit-visible goal on behalf of Alice's public draft (seen only by
    those who see Dave's goal)."""
    o, alice, dave, zed = w.objects, w.people[SELF], w.people[OTHER], w.people[ADMIN]
    cycle = o["cycle"]

    def dave_goal(title, visibility):
        return goal_services.create_goal(
            actor=dave,
            cycle=cycle,
            starts_on=cycle.starts_on,
            title=title,
            level=Goal.Level.PERSON,
            owner_person=dave,
            visibility=visibility,
            # No key results: his weekly check-in (the tracking rows) stays as it was.
            key_results=[],
        )

    o["dave_goal"] = dave_goal("Dave lead generation", "public")
    o["dave_goal_unit"] = dave_goal("Dave unit-visible goal", "unit")
    o["support"] = goal_services.request_support(
        actor=alice, goal=o["goal_agreed"], supporting_goal=o["dave_goal"], need=SUPPORT_NEED
    )
    o["support_hidden"] = goal_services.request_support(
        actor=zed,
        goal=o["goal_public"],
        supporting_goal=o["dave_goal_unit"],
        need=HIDDEN_SUPPORT_NEED,
    )


def _add_comments(w: World) -> None:
    """Threads: Alice's comment on her private goal and on her check-in."""
    from coordination import services as coordination_services

    o, alice = w.objects, w.people[SELF]
    o["comment_private"] = coordination_services.post_comment(
        actor=alice, kind="goal", target_id=o["goal_private"].pk, text=PRIVATE_COMMENT
    )
    o["comment_check_in"] = coordination_services.post_comment(
        actor=alice, kind="check_in", target_id=o["check_in"].pk, text=CHECK_IN_COMMENT
    )
    # Bob's meeting with Alice: an action for her.
    o["meeting"] = coordination_services.record_meeting(
        actor=w.people[MANAGER],
        kind="coordination",
        title="Field team sync",
        held_on=THIS_WEEK,
        decisions=MEETING_DECISIONS,
        participants=[w.people[MANAGER], alice],
        actions=[{"text": MEETING_ACTION, "owner": alice, "due_on": THIS_WEEK}],
    )
    o["meeting_action"] = o["meeting"].actions.get()


def _add_task_force(w: World) -> None:
    """A task force led by Alice with Carol (HR) as member, set up by Zed, under Acme (no
    head): seen by its people and whoever follows them; its unit-visible goal likewise."""
    from coordination import services as coordination_services

    o, alice = w.objects, w.people[SELF]
    o["task_force"] = coordination_services.create_task_force(
        actor=w.people[ADMIN],
        name=TASK_FORCE,
        purpose="Onboard new customers",
        cycle=o["cycle"],
        lead=alice,
        members=[w.people[HRBP]],
    )
    o["task_force_goal"] = goal_services.create_goal(
        actor=alice,
        cycle=o["cycle"],
        starts_on=o["cycle"].starts_on,
        title=TASK_FORCE_GOAL,
        level=Goal.Level.UNIT,
        owner_unit=o["task_force"].unit,
        visibility="unit",
    )


# Who may read each secret (from the product rules, not from the code).
def secrets() -> list[tuple[str, frozenset[str]]]:
    chain = frozenset({SELF, MANAGER, SKIP, HRBP, ADMIN})
    return [
        (PRIVATE_GOAL, chain),
        (UNIT_GOAL, chain | {PEER}),
        (TEAM_PRIVATE_GOAL, frozenset({MANAGER, SKIP, HRBP, ADMIN})),
        (CHECK_IN_DONE, chain),
        (UPDATE_NOTE, chain),
        (FEEDBACK_TEXT, chain),
        (PLAN_TITLE, chain),
        (REQUEST_JUSTIFICATION, chain),
        (AWARD_AMOUNT, chain),
        (NOTIFICATION_TEXT, frozenset({SELF})),
        (DRAFT_LESSON, frozenset({SELF})),
        (RETRO_TITLE, chain),
        (UNIT_RETRO_TITLE, chain),
        (RETRO_REASONS, chain),
        (FIVE_WHY_PROBLEM, chain),
        (REVIEW_DECISIONS, frozenset({MANAGER, SKIP, HRBP, ADMIN})),
        # Unreleased: not even Alice reads it. A 360 answer: its reviewer, and (unnamed) above.
        (EVALUATION_SUMMARY, frozenset({MANAGER, SKIP, HRBP, ADMIN})),
        (ANSWER_360, frozenset({PEER, MANAGER, SKIP, HRBP, ADMIN})),
        (HIRED_ON, chain),
        (HIDDEN_SUPPORT_NEED, frozenset({OTHER, HRBP_OTHER, ADMIN})),
        (PRIVATE_COMMENT, chain),
        (CHECK_IN_COMMENT, chain),
        (MEETING_DECISIONS, chain),
        (TASK_FORCE_GOAL, chain),
    ]
