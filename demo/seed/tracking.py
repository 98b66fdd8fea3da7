"""Demo data for tracking: eight weeks (ctx.weeks) of check-ins for everyone who has key
results, with realistic drift (some inside-sales reps starved of leads at about 60 % of plan),
manager feedback, one improvement plan and saved weekly reviews.

Runs after the goals demo and works with whatever key results exist (nothing happens when there
are none). Idempotent: a person's week that already has a check-in is left alone, as are
existing reviews and plans. Everything goes through the tracking services, so measurements and
progress roll up exactly as in real use; synthetic organisations get a bulk version."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Min

from demo.seed import resources
from demo.seed.context import DemoContext
from goals.models import Cycle, Goal, GoalSettings, KeyResult, Status
from org.models import Person
from tracking import services
from tracking.causes import ensure_seeded_cause_tags
from tracking.models import CauseTag, CheckIn, ImprovementPlan, KeyResultUpdate, WeeklyReview
from tracking.models import week_start as monday_of
from tracking.selectors import ACTIVE_GOAL_STATES

# Reps of these units drift: the lead-starved ones run at about 60 % of plan.
LEAD_STARVED_UNITS = {"sales-inside"}
SIX = dt.timedelta(days=6)

DONE = [
    "Called the open pipeline and followed up on last week's demos.",
    "Closed two renewals; prepared next quarter's proposal.",
    "Shipped the planned work items and reviewed two pull requests.",
    "Ran the weekly campaign and cleaned up the lead list.",
    "Answered the ticket backlog and updated three help articles.",
]
PLANS = [
    "Book five discovery calls and send two proposals.",
    "Finish the pending items and pair with a colleague on the hardest one.",
    "Follow up on every open quote before Thursday.",
    "Prepare the monthly report and review it with my manager.",
]
ACTIONS = {
    "not-enough-leads": "Ask marketing for a targeted campaign; call dormant accounts.",
    "low-conversion": "Rework the demo script with my manager.",
    "skills-gap": "Take the negotiation training module.",
    "resources": "Request help from the shared pool for two weeks.",
    "dependencies": "Agree a delivery date with the platform team.",
}
PRAISE = ["Great week, thank you!", "Strong follow-up on the pipeline.", "Nice progress."]
CONCERN = [
    "Lead flow is the bottleneck; let's talk about the campaign on Monday.",
    "This is slipping; what help do you need?",
]
SUGGESTION = ["Try batching your calls in the morning.", "Share your demo script with the team."]
DECISIONS = [
    "Marketing runs a lead campaign for inside sales; reps book two extra calls a day.",
    "Pair the off-track reps with the best performers for two weeks.",
    "Keep the plan; review the pipeline again next Monday.",
]


def _people_with_key_results(
    ctx: DemoContext, *, first_goal_only: bool = False
) -> dict[int, list[KeyResult]]:
    ids = [p.pk for p in ctx.people.values()]
    krs = KeyResult.objects.filter(
        goal__owner_person_id__in=ids,
        goal__state__in=ACTIVE_GOAL_STATES,
        goal__cycle__state=Cycle.State.ACTIVE,
    )
    if first_goal_only:
        # Each person's first active goal, chosen in SQL (the scale data has four each).
        firsts = (
            Goal.objects.filter(
                owner_person_id__in=ids,
                state__in=ACTIVE_GOAL_STATES,
                cycle__state=Cycle.State.ACTIVE,
            )
            .values("owner_person_id")
            .annotate(first=Min("pk"))
            .values("first")
        )
        krs = krs.filter(goal_id__in=firsts)
    krs = krs.select_related("goal__cycle").order_by(
        "goal__owner_person_id", "goal_id", "position", "pk"
    )
    by_person: dict[int, list[KeyResult]] = defaultdict(list)
    for kr in krs:
        by_person[kr.goal.owner_person_id].append(kr)
    return by_person


def _quantum(kr: KeyResult) -> Decimal:
    whole = all(v == v.to_integral_value() for v in (kr.start_value, kr.target_value))
    return Decimal("1") if whole else Decimal("0.1")


def _value(
    kr: KeyResult,
    on: dt.date,
    ratio: float,
    previous: Decimal | None,
    *,
    expected: float | None = None,
    quantum: Decimal | None = None,
) -> Decimal:
    """A believable value: the expected pace times the person's ratio (with noise).
    `expected` (the pace at `on`) and `quantum` may be passed when the caller has them."""
    if kr.direction in (KeyResult.Direction.STAY_ABOVE, KeyResult.Direction.STAY_BELOW):
        factor = ratio if kr.direction == KeyResult.Direction.STAY_ABOVE else 2 - ratio
        value = kr.target_value * Decimal(str(round(factor, 3)))
    else:
        if expected is None:
            expected = kr.expected_progress(on)
        value = kr.start_value + (kr.target_value - kr.start_value) * Decimal(
            str(round(expected * ratio, 4))
        )
        if previous is not None and kr.direction == KeyResult.Direction.INCREASE:
            value = max(value, previous)
        if previous is not None and kr.direction == KeyResult.Direction.DECREASE:
            value = min(value, previous)
    return max(value, Decimal(0)).quantize(quantum or _quantum(kr))


def seed(ctx: DemoContext) -> None:
    if ctx.synthetic:
        from demo.seed.tracking_synthetic import seed_synthetic

        seed_synthetic(ctx)
    else:
        seed_check_ins(ctx)
    resources.seed(ctx)


def seed_check_ins(ctx: DemoContext) -> None:
    by_person = _people_with_key_results(ctx)
    if not by_person:
        return
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in=by_person).select_related("unit", "user", "manager")
    }
    starved_units = {ctx.units[k].pk for k in LEAD_STARVED_UNITS if k in ctx.units}
    current = monday_of(ctx.today)
    weeks = [current - dt.timedelta(weeks=n) for n in range(ctx.weeks, 0, -1)]
    ensure_seeded_cause_tags()
    causes = {t.slug: t for t in CauseTag.objects.filter(is_active=True)}
    created: list[CheckIn] = []
    for person_id in sorted(by_person):
        person = people[person_id]
        created += _seed_person(ctx, person, by_person[person_id], weeks, starved_units, causes)
    _seed_feedback(ctx, created, people)
    _seed_plan(ctx)
    _seed_reviews(ctx, people.values(), weeks)


def _profile(ctx: DemoContext, person: Person, starved_units: set[int]) -> float:
    rng = ctx.rng(f"tracking:profile:{person.user.username}")
    if person.unit_id in starved_units and (
        person.user.username == "employee" or rng.random() < 0.4
    ):
        return 0.6  # starved of leads: about 60 % of plan
    return rng.choice([0.8, 0.95, 1.0, 1.05, 1.15])


@transaction.atomic
def _seed_person(ctx, person, krs, weeks, starved_units, causes) -> list[CheckIn]:
    done_weeks = set(
        CheckIn.objects.filter(person=person, week__in=weeks).values_list("week", flat=True)
    )
    base = _profile(ctx, person, starved_units)
    settings = GoalSettings.load()
    previous: dict[int, Decimal] = {}
    created = []
    for index, week in enumerate(weeks):
        # One generator per person and week: a re-run decides every week the same way.
        rng = ctx.rng(f"tracking:week:{person.user.username}:{week}")
        # An occasional missed week (never for the demo login, whose streak the demo shows).
        skip = rng.random() < 0.08 and index < len(weeks) - 1
        skip = skip and person.user.username != "employee"
        if week in done_weeks or skip:
            continue
        on = week + dt.timedelta(days=6)
        active = [
            kr for kr in krs if kr.goal.cycle.starts_on <= on and kr.goal.cycle.ends_on >= week
        ]
        if not active:
            continue
        updates = []
        for kr in active:
            ratio = base + rng.uniform(-0.07, 0.07)
            value = _value(kr, on, ratio, previous.get(kr.pk))
            previous[kr.pk] = value
            progress, expected = kr.compute_progress(value), kr.expected_progress(on)
            status = settings.classify(progress, expected)
            slug = "not-enough-leads" if base <= 0.6 else rng.choice(list(ACTIONS))
            updates.append(
                {
                    "key_result": kr.pk,
                    "value": str(value),
                    "confidence": status,
                    "note": "",
                    "cause": slug if status != Status.ON_TRACK and slug in causes else None,
                    "action": ACTIONS.get(slug, "") if status != Status.ON_TRACK else "",
                }
            )
        # Submitted on the Friday of its week, as a punctual person does.
        friday = min(week + dt.timedelta(days=4), ctx.today)
        check_in, _created = services.open_check_in(person=person, week=week, today=friday)
        fields = {
            "done": rng.choice(DONE),
            "plan": rng.choice(PLANS),
            "confidence": max(0, min(10, round(10 * base) - rng.randint(0, 2))),
            "blockers": "Not enough qualified leads." if base <= 0.6 else "",
        }
        created.append(
            services.submit_check_in(
                actor=person, check_in=check_in, fields=fields, updates=updates, today=friday
            )
        )
    return created


def _seed_feedback(ctx: DemoContext, created: list[CheckIn], people: dict[int, Person]) -> None:
    """Managers comment on about a third of the new check-ins; older feedback is read."""
    rng = ctx.rng("tracking:feedback")
    last_week = monday_of(ctx.today) - dt.timedelta(weeks=1)
    ids = [c.pk for c in created]
    statuses: dict[int, set[str]] = defaultdict(set)
    for check_in_id, status in KeyResultUpdate.objects.filter(check_in_id__in=ids).values_list(
        "check_in_id", "status"
    ):
        statuses[check_in_id].add(status)
    for check_in in created:
        person = people[check_in.person_id]
        if person.manager is None or rng.random() > 0.35:
            continue
        found = statuses[check_in.pk]
        if Status.OFF_TRACK in found:
            kind, text = "concern", rng.choice(CONCERN)
        elif Status.AT_RISK in found:
            kind, text = "suggestion", rng.choice(SUGGESTION)
        else:
            kind, text = "praise", rng.choice(PRAISE)
        feedback = services.give_feedback(
            actor=person.manager, check_in=check_in, kind=kind, text=text
        )
        if check_in.week < last_week:
            services.acknowledge_feedback(actor=person, feedback=feedback)


def _seed_plan(ctx: DemoContext) -> None:
    """One improvement plan, from the demo employee's latest off-track key result."""
    person = ctx.people.get("employee")
    if person is None or ImprovementPlan.objects.filter(person=person).exists():
        return
    update = (
        KeyResultUpdate.objects.filter(
            check_in__person=person,
            check_in__state=CheckIn.State.SUBMITTED,
            status=Status.OFF_TRACK,
        )
        .select_related("check_in__person", "key_result__goal")
        .order_by("-check_in__week")
        .first()
    )
    if update is None or person.manager is None:
        return
    due = ctx.today + dt.timedelta(days=21)
    services.create_plan_from_update(
        actor=person.manager,
        update=update,
        actions=[
            {
                "kind": "coaching",
                "description": "Weekly pipeline coaching with my manager",
                "owner": person.manager,
                "due_on": due,
            },
            {
                "kind": "process",
                "description": "Agree a lead hand-over from marketing (20 qualified leads a week)",
                "owner": person,
                "due_on": due,
            },
        ],
    )


def _seed_reviews(ctx: DemoContext, people, weeks: list[dt.date]) -> None:
    """Each direct manager of the people above saves a review for every past week."""
    rng = ctx.rng("tracking:reviews")
    managers = Person.objects.filter(pk__in={p.manager_id for p in people if p.manager_id})
    existing = set(
        WeeklyReview.objects.filter(manager__in=managers, week__in=weeks).values_list(
            "manager_id", "week"
        )
    )
    for manager in managers.order_by("pk"):
        for week in weeks:
            if (manager.pk, week) in existing:
                continue
            services.save_weekly_review(
                actor=manager, week=week, decisions=rng.choice(DECISIONS), today=ctx.today
            )
