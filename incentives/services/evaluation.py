"""Evaluating a rule for a period: load the inputs in bulk (a fixed number of queries, however
many people), run the pure engine, and save the proposals idempotently."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.history import records_actor
from core.memory import no_collection_pauses
from goals.models import Cycle, Goal, KeyResult, Measurement
from incentives import engine, permissions
from incentives.models import Award, CommissionLine, Evaluation, IncentiveRule
from incentives.rules import last_completed_period, period_bounds
from org.models import Person
from reviews.selectors import released_ratings
from tracking.models import CheckIn

STREAK_LOOKBACK_WEEKS = 52
BATCH = 500


@dataclass
class Outcome:
    rule: IncentiveRule
    period_start: dt.date
    period_end: dt.date
    dry_run: bool
    proposals: list[engine.Proposal]
    ineligible: dict[int, list[dict]]
    eligible_ids: list[int]
    people: dict[int, str] = field(default_factory=dict)
    awards: list[Award] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    not_awarded: dict[int, list[dict]] = field(default_factory=dict)
    # The period has not ended on the evaluation day: a preview only, never saved.
    provisional: bool = False


def rule_spec(rule: IncentiveRule) -> engine.RuleSpec:
    return engine.RuleSpec(
        id=rule.pk,
        kind=rule.kind,
        period=rule.period,
        params=rule.params,
        cap=rule.cap,
        currency=rule.currency,
        require_agreed_goals=rule.require_agreed_goals,
        min_check_in_rate=rule.min_check_in_rate,
        min_tenure_days=rule.min_tenure_days,
        unit_goals_weight=rule.unit_goals_weight,
    )


def _value_at(moment: dt.datetime) -> Subquery:
    """A key result's value at `moment`: that of its measurement with the latest
    `effective_at` before it (ties: the later recorded, then the later row); NULL when there
    is none."""
    return Subquery(
        Measurement.objects.filter(key_result=OuterRef("pk"), effective_at__lt=moment)
        .order_by("-effective_at", "-recorded_at", "-pk")
        .values("value")[:1]
    )


def _stone_values(raw) -> list[Decimal]:
    values = []
    for stone in raw or []:
        try:
            values.append(Decimal(str(stone["value"] if isinstance(stone, dict) else stone)))
        except (ArithmeticError, KeyError, TypeError, ValueError):
            continue
    return values


def _add_key_results(goals: dict, goal_q: Q, rule, start_at, end_at) -> None:
    """The goals' key results with their values at the period's end (and at its start, for a
    rule that reads it) from the measurement history: two queries, however many key
    results."""
    spec = rule_spec(rule)
    key_results = KeyResult.objects.filter(goal__in=Goal.objects.filter(goal_q))
    fields = [
        "pk", "goal_id", "name", "metric", "direction", "start_value", "target_value",
        "current_value", "weight",
    ]  # fmt: skip
    milestones = rule.kind == "milestone"
    if milestones:
        fields.append("milestones")
    rows = key_results.order_by("goal_id", "position", "pk").values_list(*fields)
    # The values at the period's end (and start) of the key results measured at all, looked
    # up in the measurement history only for them: most key results of a large company have
    # no measurement and keep their current value.
    values = {"value_end": _value_at(end_at)}
    starts = engine.reads_start_values(spec)
    if starts:
        values["value_start"] = _value_at(start_at)
    measured = {
        kr_id: rest
        for kr_id, *rest in key_results.filter(
            Exists(Measurement.objects.filter(key_result=OuterRef("pk")))
        )
        .annotate(**values)
        .order_by()
        .values_list("pk", *values)
    }
    for row in rows:
        goal = goals.get(row[1])
        if goal is None:
            continue
        kr_id, start_value, current_value = row[0], row[5], row[7]
        value_start = None
        if kr_id in measured:
            # Measured, but perhaps not yet at that moment: then the start value.
            value_end, *at_start = measured[kr_id]
            value_end = start_value if value_end is None else value_end
            if starts:
                value_start = start_value if at_start[0] is None else at_start[0]
        else:  # Without any measurement the current value is the only value there is.
            value_end = current_value
            if starts:
                value_start = current_value
        goal.key_results.append(
            engine.KRIn(
                id=kr_id,
                name=row[2],
                metric=row[3],
                direction=row[4],
                start_value=start_value,
                target_value=row[6],
                weight=row[8],
                value_start=value_start,
                value_end=value_end,
                milestones=_stone_values(row[9]) if milestones else [],
            )
        )


def _teams(goals: dict[int, engine.GoalIn]) -> list[engine.TeamIn]:
    teams: dict[int, engine.TeamIn] = {}
    for goal in goals.values():
        if goal.unit_id:
            teams.setdefault(
                goal.unit_id, engine.TeamIn(goal.unit_id, goal.unit_name)
            ).goals.append(goal)
    return list(teams.values())


def _load_goals(rule, goal_q: Q, people: dict[int, engine.PersonIn]) -> dict[int, engine.GoalIn]:
    """The agreed goals counted for each person: their own, and those of the units they head
    (weighted by the rule's `unit_goals_weight`); for a team award, the units' goals are the
    teams' (kept, attached to nobody). One query."""
    team = engine.is_team(rule_spec(rule))
    goals: dict[int, engine.GoalIn] = {}
    for pk, title, weight, progress, owner_person_id, unit_id, unit_name, head_id in (
        Goal.objects.filter(goal_q)
        .order_by("pk")
        .values_list(
            "pk",
            "title",
            "weight",
            "progress",
            "owner_person_id",
            "owner_unit_id",
            "owner_unit__name",
            "owner_unit__head_id",
        )  # fmt: skip
    ):
        if owner_person_id is not None:
            person = people.get(owner_person_id)
            goal = engine.GoalIn(pk, title, weight, progress)
        else:
            person = None if team else people.get(head_id)
            goal = engine.GoalIn(
                pk,
                title,
                weight if team else weight * rule.unit_goals_weight,
                progress,
                unit_id=unit_id,
                unit_name=unit_name or "",
            )
        if person is None and not (team and goal.unit_id):
            continue
        goals[goal.id] = goal
        if person is not None:
            person.goals.append(goal)
    return goals


def _paid_before(rule: IncentiveRule, start: dt.date) -> dict[tuple[int, int], Decimal]:
    """The ledger: (person, key result) → commission covered by the rule's earlier periods."""
    return {
        (row["person_id"], row["key_result_id"]): row["total"]
        for row in CommissionLine.objects.filter(rule=rule, period_start__lt=start)
        .values("person_id", "key_result_id")
        .annotate(total=Sum("amount"))
    }


def _claimed_milestones(rule: IncentiveRule, start: dt.date) -> set[tuple[int, str]]:
    """(person id, milestone key) the rule already rewarded in other periods."""
    claimed: set[tuple[int, str]] = set()
    for person_id, explanation in (
        Award.objects.filter(rule=rule)
        .exclude(period_start=start)
        .values_list("person_id", "explanation")
    ):
        for stone in (explanation or {}).get("milestones", []):
            claimed.add((person_id, stone.get("key")))
    return claimed


def load_inputs(
    rule: IncentiveRule, start: dt.date, end: dt.date, *, as_of: dt.date | None = None
) -> engine.Inputs:
    """Everything the engine needs, in at most seven queries: people, goals, key results with
    their values at the period's start and end (from the measurement history, so a corrected
    measurement changes the result; left out for a rule that does not read them), check-ins,
    milestones already rewarded, and performance ratings for a rule that asks for one."""
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end, dt.time.min, tzinfo=tz)
    path = rule.unit.path
    people_q = Q(unit__path__startswith=path, is_active=True)
    if rule.levels:
        people_q &= Q(level__in=rule.levels)
    people = {
        row["pk"]: engine.PersonIn(
            id=row["pk"],
            name=row["display_name"],
            unit_id=row["unit_id"],
            level=row["level"],
            hired_on=row["hired_on"],
        )
        for row in Person.objects.filter(people_q).values(
            "pk", "display_name", "unit_id", "level", "hired_on"
        )
    }
    if rule.period == "cycle":
        cycles = Cycle.objects.filter(Q(pk=rule.cycle_id) | Q(parent_id=rule.cycle_id))
    else:
        cycles = Cycle.objects.filter(starts_on__lt=end, ends_on__gte=start)
    agreed = Q(cycle__in=cycles) & (
        Q(state=Goal.State.AGREED) | Q(state=Goal.State.CLOSED, agreed_at__isnull=False)
    )
    own_q = Q(owner_person__unit__path__startswith=path, owner_person__is_active=True)
    # A manager's results: the goals of the units they head (weighted as the rule says).
    headed_q = team_q = None
    team = engine.is_team(rule_spec(rule))
    if team:
        team_q = Q(owner_person__isnull=True, owner_unit__path__startswith=path)
    elif rule.kind not in engine.INDIVIDUAL_KINDS and rule.unit_goals_weight > 0:
        headed_q = Q(
            owner_person__isnull=True,
            owner_unit__head__unit__path__startswith=path,
            owner_unit__head__is_active=True,
        )
    extra_q = headed_q if headed_q is not None else team_q
    goal_q = agreed & (own_q | extra_q if extra_q is not None else own_q)
    goals = _load_goals(rule, goal_q, people)
    teams = _teams(goals) if team else []
    spec = rule_spec(rule)
    if engine.reads_key_results(spec):
        _add_key_results(goals, goal_q, rule, start_at, end_at)
    since = start
    if engine.is_streak(spec):
        since = min(start, end - dt.timedelta(weeks=STREAK_LOOKBACK_WEEKS))
    check_ins = CheckIn.objects.filter(
        person__unit__path__startswith=path,
        person__is_active=True,
        state=CheckIn.State.SUBMITTED,
        week__gte=since,
        week__lt=end,
    ).order_by()  # one per person and week: the order does not matter
    if engine.reads_submission_times(spec):
        rows = check_ins.values_list("person_id", "week", "submitted_at")
    else:  # the weeks alone: no timestamps to read for ten thousand people
        weeks = check_ins.values_list("person_id", "week")
        rows = ((person_id, week, None) for person_id, week in weeks)
    for person_id, week, submitted_at in rows:
        person = people.get(person_id)
        if person is not None:
            person.check_ins[week] = submitted_at
    if spec.params.get("min_rating"):
        ratings = released_ratings(person_ids=list(people), goal_cycles=cycles)
        for person_id, rating in ratings.items():
            people[person_id].rating = rating
    claimed = _claimed_milestones(rule, start) if rule.kind == "milestone" else set()
    paid = _paid_before(rule, start) if rule.kind == "commission" else {}
    return engine.Inputs(
        rule=spec,
        paid=paid,
        teams=teams,
        period_start=start,
        period_end=end,
        people=list(people.values()),
        claimed=claimed,
        as_of=as_of,
    )


def _carry_vesting(fresh: dict, existing: dict) -> dict:
    """Keep vesting progress already recorded on an award when comparing with a fresh run."""
    old = {row.get("vests_on"): row.get("status") for row in existing.get("vesting", [])}
    if "vesting" in fresh:
        fresh = fresh | {
            "vesting": [
                row | {"status": old.get(row["vests_on"], row["status"])}
                for row in fresh["vesting"]
            ]
        }
    return fresh


def _differs(award: Award, proposal: engine.Proposal) -> bool:
    return (
        award.amount != proposal.amount
        or award.points != proposal.points
        or award.title != proposal.title
        or award.explanation != proposal.explanation
    )


def _write_ledger(rule: IncentiveRule, start: dt.date) -> None:
    """The commission ledger of a period follows its proposed awards; a decided award's lines
    are what was paid and stay as they are."""
    proposed = list(
        Award.objects.filter(rule=rule, period_start=start, state=Award.State.PROPOSED).values(
            "pk", "person_id", "explanation"
        )
    )
    CommissionLine.objects.filter(rule=rule, period_start=start).exclude(
        award__state__in=[Award.State.APPROVED, Award.State.PUBLISHED]
    ).delete()
    CommissionLine.objects.bulk_create(
        [
            CommissionLine(
                rule=rule,
                person_id=award["person_id"],
                award_id=award["pk"],
                key_result_id=row["key_result"],
                key_result_name=row["name"][:300],
                period_start=start,
                earned_to_date=Decimal(row["earned_to_date"]),
                paid_before=Decimal(row["paid_before"]),
                amount=Decimal(row["amount"]),
                adjustment=Decimal(row["adjustment"]),
            )
            for award in proposed
            for row in (award["explanation"] or {}).get("key_results", [])
            if "earned_to_date" in row
        ],
        batch_size=BATCH,
    )


def _save(outcome: Outcome, result: engine.Result, actor: Person | None) -> None:
    """Create or update one award per proposal; withdraw proposed awards no longer earned;
    warn about decided awards the new result would change; record the evaluation."""
    rule, start, end = outcome.rule, outcome.period_start, outcome.period_end
    existing = {
        a.person_id: a
        for a in Award.objects.select_for_update(of=("self",)).filter(rule=rule, period_start=start)
    }
    create, update = [], []
    for proposal in result.proposals:
        award = existing.pop(proposal.person_id, None)
        if award is not None:
            proposal.explanation = _carry_vesting(proposal.explanation, award.explanation)
        if award is None:
            create.append(
                Award(
                    rule=rule,
                    person_id=proposal.person_id,
                    period_start=start,
                    period_end=end,
                    kind=rule.kind,
                    amount=proposal.amount,
                    points=proposal.points,
                    currency=rule.currency,
                    title=proposal.title,
                    explanation=proposal.explanation,
                )
            )
        elif not _differs(award, proposal):
            outcome.unchanged += 1
        elif award.state == Award.State.PROPOSED:
            award.amount, award.points = proposal.amount, proposal.points
            award.title, award.explanation = proposal.title, proposal.explanation
            award.updated_at = timezone.now()
            update.append(award)
        else:
            outcome.warnings.append(
                {
                    "award": award.pk,
                    "person": award.person_id,
                    "state": award.state,
                    "amount": str(award.amount),
                    "new_amount": str(proposal.amount),
                    "message": _(
                        "This award is already %(state)s; the new result differs and was not "
                        "applied."
                    )
                    % {"state": award.get_state_display()},
                }
            )
    stale = [a for a in existing.values() if a.state == Award.State.PROPOSED]
    for award in existing.values():
        if award.state != Award.State.PROPOSED:
            outcome.warnings.append(
                {
                    "award": award.pk,
                    "person": award.person_id,
                    "state": award.state,
                    "amount": str(award.amount),
                    "new_amount": "0",
                    "message": _(
                        "This award is already %(state)s but is no longer earned; it was "
                        "not withdrawn."
                    )
                    % {"state": award.get_state_display()},
                }
            )
    # Every award change is audited: the withdrawals through delete() (simple-history records
    # each deleted row), the new and changed proposals through its bulk helpers; all name the
    # actor (`records_actor`), or nobody for the periodic task.
    if stale:
        Award.objects.filter(pk__in=[a.pk for a in stale]).delete()
    bulk_create_with_history(create, Award, batch_size=BATCH)
    bulk_update_with_history(
        update, Award, ["amount", "points", "title", "explanation", "updated_at"], batch_size=BATCH
    )
    Evaluation.objects.update_or_create(
        rule=rule,
        period_start=start,
        defaults={"period_end": end, "eligible_ids": result.eligible_ids, "evaluated_by": actor},
    )
    outcome.created, outcome.updated, outcome.withdrawn = len(create), len(update), len(stale)
    if rule.kind == IncentiveRule.Kind.COMMISSION:
        _write_ledger(rule, start)


@records_actor
@transaction.atomic
def evaluate_rule(
    *,
    actor: Person | None,
    rule: IncentiveRule,
    day: dt.date,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> Outcome:
    """Evaluate `rule` for the period containing `day`.

    A dry run returns the proposals without saving anything. Otherwise one Award per
    (rule, person, period) is created or updated: proposed awards follow the new result (and
    are withdrawn when no longer earned); approved and published awards are left alone, with a
    warning for each one the new result would change. `actor=None` is the periodic task.
    `today` (default: the local date in the organisation's time zone) is the evaluation day. A
    period that has not ended by then can only be previewed: the preview is provisional (only
    the weeks so far count towards the check-in completion rate) and saving it is refused."""
    if actor is not None and not permissions.can_manage_rule(actor, rule):
        raise PermissionDenied(_("Only admins and the unit's HRBP may evaluate this rule."))
    if not isinstance(day, dt.date):
        raise ValidationError({"period_start": _("Enter a date.")})
    rule = IncentiveRule.objects.select_related("unit", "cycle").get(pk=rule.pk)
    start, end = period_bounds(rule.period, day, rule.cycle)
    today = today or timezone.localdate()
    provisional = end > today
    if provisional and not dry_run:
        raise ValidationError(
            {
                "period_start": _(
                    "This period ends on %(last)s: until then it can only be previewed, and a "
                    "provisional result is never saved."
                )
                % {"last": (end - dt.timedelta(days=1)).isoformat()}
            }
        )
    with no_collection_pauses():
        inputs = load_inputs(rule, start, end, as_of=today)
        result = engine.evaluate(inputs)
        names = {person.id: person.name for person in inputs.people}
        # Freed now (they hold no cycles), not walked by the first collection after the block.
        del inputs
    outcome = Outcome(
        rule=rule,
        period_start=start,
        period_end=end,
        dry_run=dry_run,
        proposals=result.proposals,
        ineligible=result.ineligible,
        not_awarded=result.not_awarded,
        eligible_ids=result.eligible_ids,
        people=names,
        provisional=provisional,
    )
    if dry_run:
        return outcome
    _save(outcome, result, actor)
    outcome.awards = list(
        Award.objects.filter(rule=rule, period_start=start).select_related("person")
    )
    return outcome


def evaluate_due_rules(*, today: dt.date) -> list[Outcome]:
    """Evaluate every active rule whose last period has ended and has not been evaluated yet.
    Safe to run twice: the second run finds the evaluation rows and does nothing."""
    outcomes = []
    rules = IncentiveRule.objects.filter(is_active=True).select_related("unit", "cycle")
    done = set(Evaluation.objects.values_list("rule_id", "period_start"))
    for rule in rules.order_by("pk"):
        if rule.period == "cycle" and rule.cycle is None:
            continue
        start, end = last_completed_period(rule.period, today, rule.cycle)
        if end > today or (rule.pk, start) in done:
            continue
        outcomes.append(evaluate_rule(actor=None, rule=rule, day=start, today=today))
    return outcomes
