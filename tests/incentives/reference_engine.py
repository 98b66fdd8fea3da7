"""Reference only (tests): the evaluation engine as it was before issue 18's fast path, kept
verbatim so tests can compare the production engine with it. Not used by the product.

The evaluation engine: plain Python over inputs loaded once (`incentives.services` loads
them). Same inputs, same awards: no database, no clock, and every ordering is total.

Attainment is unclamped (1.3 is 130 %). A goal's attainment is the weighted mean of its key
results' attainment at the end of the period; a person's is the weighted mean over their agreed
goals (by goal weight; equal weights when all are zero). Numbers are compared after rounding to
six decimals, so 100 % is exactly 100 %."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from goals import metrics
from incentives.rules import following_periods, mondays

CENT = Decimal("0.01")
SIX = Decimal("0.000001")
HIGHER_IS_BETTER = (metrics.INCREASE, metrics.STAY_ABOVE)
FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class RuleSpec:
    id: int
    kind: str
    period: str
    params: dict
    cap: Decimal | None
    currency: str
    require_agreed_goals: bool
    min_check_in_rate: float
    min_tenure_days: int
    unit_goals_weight: Decimal = Decimal("1")


# Kinds that pay a person for their own numbers: the goals of the units they head never count.
INDIVIDUAL_KINDS = {"commission", "milestone"}


@dataclass
class KRIn:
    """A key result's numbers, with its attainment from `goals.metrics` (the one definition)."""

    id: int
    name: str
    metric: str
    direction: str
    start_value: Decimal
    target_value: Decimal
    weight: Decimal
    value_start: Decimal
    value_end: Decimal
    milestones: list[Decimal]
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def attainment(self, value: Decimal) -> Decimal:
        cached = self._cache.get(value)
        if cached is None:
            attained = metrics.attainment(
                value, start=self.start_value, target=self.target_value, direction=self.direction
            )
            cached = Decimal(repr(attained)).quantize(SIX)
            self._cache[value] = cached
        return cached


@dataclass
class GoalIn:
    id: int
    title: str
    weight: Decimal
    progress: float
    key_results: list[KRIn] = field(default_factory=list)
    # The unit a goal belongs to when it counts because the person heads that unit.
    unit_id: int | None = None
    unit_name: str = ""
    _cache: dict = field(default_factory=dict, repr=False, compare=False)


@dataclass
class PersonIn:
    id: int
    name: str
    unit_id: int
    level: str
    hired_on: dt.date | None
    goals: list[GoalIn] = field(default_factory=list)
    # week (Monday) → submitted_at of a submitted check-in
    check_ins: dict[dt.date, dt.datetime | None] = field(default_factory=dict)
    # The final rating of the person's released performance review for the period (loaded
    # only for rules that ask for one).
    rating: int | None = None


@dataclass
class TeamIn:
    id: int
    name: str
    goals: list[GoalIn] = field(default_factory=list)


@dataclass
class Inputs:
    rule: RuleSpec
    period_start: dt.date
    period_end: dt.date
    people: list[PersonIn]
    # (person id, "kr:<id>:<value>") milestones already rewarded by this rule in other periods
    claimed: set[tuple[int, str]] = field(default_factory=set)
    # (person id, key result id) → commission already covered by this rule's earlier periods
    paid: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    # A team award: the units in scope with their own agreed goals
    teams: list[TeamIn] = field(default_factory=list)
    # The evaluation day: before the period's end (a preview mid-period) only the weeks so far
    # are expected to have a check-in. None: the whole period.
    as_of: dt.date | None = None


@dataclass
class Proposal:
    person_id: int
    amount: Decimal
    points: Decimal
    title: str
    explanation: dict


@dataclass
class Result:
    proposals: list[Proposal]
    eligible_ids: list[int]
    ineligible: dict[int, list[dict]]
    # Eligible people who earned nothing: why (codes and numbers, rendered by explain)
    not_awarded: dict[int, list[dict]] = field(default_factory=dict)


def _s(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _weighted(pairs: list[tuple[Decimal, Decimal]]) -> Decimal:
    total = sum((w for _v, w in pairs), Decimal("0"))
    if not pairs:
        return Decimal("0")
    if total <= 0:
        return (sum((v for v, _w in pairs), Decimal("0")) / len(pairs)).quantize(SIX)
    return (sum((v * w for v, w in pairs), Decimal("0")) / total).quantize(SIX)


def goal_attainment(goal: GoalIn, *, at_start: bool = False) -> Decimal:
    cached = goal._cache.get(at_start)
    if cached is not None:
        return cached
    if not goal.key_results:
        result = Decimal(repr(goal.progress)).quantize(SIX)
    else:
        result = _weighted(
            [
                (kr.attainment(kr.value_start if at_start else kr.value_end), kr.weight)
                for kr in goal.key_results
            ]
        )
    goal._cache[at_start] = result
    return result


def person_attainment(person: PersonIn, *, at_start: bool = False) -> Decimal:
    return _weighted([(goal_attainment(g, at_start=at_start), g.weight) for g in person.goals])


def attainment_inputs(person: PersonIn) -> list[dict]:
    return [
        {
            "goal": goal.id,
            "title": goal.title,
            "weight": _s(goal.weight),
            "attainment": _s(goal_attainment(goal)),
            **({"unit": goal.unit_id, "unit_name": goal.unit_name} if goal.unit_id else {}),
            "key_results": [
                {
                    "id": kr.id,
                    "name": kr.name,
                    "value": _s(kr.value_end),
                    "target": _s(kr.target_value),
                    "weight": _s(kr.weight),
                    "attainment": _s(kr.attainment(kr.value_end)),
                }
                for kr in goal.key_results
            ],
        }
        for goal in person.goals
    ]


def counted_until(end: dt.date, as_of: dt.date | None) -> dt.date | None:
    """The evaluation day when it falls before the period's end (a preview mid-period), else
    None: the whole period counts."""
    return as_of if as_of is not None and as_of < end else None


def check_in_rate(
    person: PersonIn, start: dt.date, end: dt.date, as_of: dt.date | None = None
) -> tuple[int, int]:
    """(submitted, expected) weeks of the period, counting from the week the person joined.

    Evaluated before the period's end (`as_of`), only the weeks so far count: every week that
    is over by then, and the week still open on that day once its check-in is in. Future
    weeks, and this week before its check-in, are never counted as missed."""
    weeks = mondays(start, end)
    if person.hired_on:
        joined = person.hired_on - dt.timedelta(days=person.hired_on.weekday())
        weeks = [w for w in weeks if w >= joined]
    until = counted_until(end, as_of)
    if until is not None:
        weeks = [
            w
            for w in weeks
            if w + dt.timedelta(weeks=1) <= until or (w <= until and w in person.check_ins)
        ]
    return sum(1 for w in weeks if w in person.check_ins), len(weeks)


def last_submission(person: PersonIn, start: dt.date, end: dt.date) -> dt.datetime:
    times = [t for w, t in person.check_ins.items() if start <= w < end and t is not None]
    return max(times) if times else FAR_FUTURE


def streak(person: PersonIn, end: dt.date) -> int:
    """Consecutive weeks with a submitted check-in, counting back from the period's last
    week."""
    week = end - dt.timedelta(days=1)
    week -= dt.timedelta(days=week.weekday())
    count = 0
    while week in person.check_ins:
        count += 1
        week -= dt.timedelta(weeks=1)
    return count


NEEDS_GOALS = {"tiered_bonus", "promotion_points", "deferred"}


def is_streak(rule: RuleSpec) -> bool:
    """A check-in streak recognition: it ranks people by their check-ins alone."""
    return rule.kind == "recognition" and rule.params.get("metric") == "streak"


def is_team(rule: RuleSpec) -> bool:
    """A team award: units reach the tier, their members share the amount."""
    return rule.kind == "tiered_bonus" and bool(rule.params.get("team_split"))


def split_exactly(total: Decimal, bases: list[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """`total` split in proportion to each id's basis, in cents that sum exactly to it: every
    share is rounded down and the remaining cents go to the largest remainders (ties: the
    lower id). Equal shares when every basis is zero."""
    if not bases:
        return {}
    if sum((b for _i, b in bases), Decimal("0")) <= 0:
        bases = [(i, Decimal("1")) for i, _b in bases]
    cents = int((total / CENT).to_integral_value())
    whole = sum((b for _i, b in bases), Decimal("0"))
    raw = {i: Decimal(cents) * b / whole for i, b in bases}
    floors = {i: int(v) for i, v in raw.items()}
    left = cents - sum(floors.values())
    for i in sorted(raw, key=lambda i: (-(raw[i] - floors[i]), i))[:left]:
        floors[i] += 1
    return {i: Decimal(c) * CENT for i, c in floors.items()}


def _team(rule: RuleSpec, eligible: list[PersonIn], teams: list[TeamIn]) -> list[Proposal]:
    """Each team whose own goals reach a tier earns the tier's amount (capped: the cap limits
    the team's award), split among its eligible members as the rule says."""
    split = rule.params["team_split"]
    weights = rule.params.get("weights") or {}
    proposals = []
    for team in sorted(teams, key=lambda t: t.id):
        members = [p for p in eligible if p.unit_id == team.id]
        if not members or not team.goals:
            continue
        attainment = _weighted([(goal_attainment(g), g.weight) for g in team.goals])
        tier_index, tier = None, None
        for index, candidate in enumerate(rule.params["tiers"]):
            if attainment >= Decimal(str(candidate["threshold"])):
                tier_index, tier = index, candidate
        if tier is None:
            continue
        pot, cap = _capped(rule, Decimal(str(tier["amount"])))
        if split == "weight":
            bases = [(p.id, Decimal(str(weights.get(p.level, 1)))) for p in members]
        elif split == "contribution":
            bases = [(p.id, max(Decimal("0"), person_attainment(p))) for p in members]
        else:
            bases = [(p.id, Decimal("1")) for p in members]
        shares = split_exactly(pot, bases)
        basis = dict(bases)
        total_basis = sum(basis.values(), Decimal("0"))
        goals = [
            {"goal": g.id, "title": g.title, "weight": _s(g.weight),
             "attainment": _s(goal_attainment(g))}
            for g in team.goals
        ]  # fmt: skip
        for person in members:
            explanation = {
                "team": {
                    "unit": team.id,
                    "unit_name": team.name,
                    "attainment": _s(attainment),
                    "goals": goals,
                    "award": _s(pot),
                    "members": len(members),
                },
                "tier": {
                    "index": tier_index,
                    "threshold": tier["threshold"],
                    "amount": tier["amount"],
                },
                "split": {
                    "method": split,
                    "basis": _s(basis[person.id]),
                    "total_basis": _s(total_basis),
                    "share": _s(shares[person.id]),
                },
                "cap": cap,
            }
            if shares[person.id] > 0:  # a member who contributed nothing gets no award
                proposals.append(
                    Proposal(person.id, shares[person.id], Decimal("0"), "", explanation)
                )
    return proposals


def reads_key_results(rule: RuleSpec) -> bool:
    """Whether evaluating `rule` looks at key results at all: a check-in streak does not (its
    explanation lists no goals), so its inputs can leave them out."""
    return not is_streak(rule)


def eligibility(
    rule: RuleSpec, person: PersonIn, start: dt.date, end: dt.date, as_of: dt.date | None = None
) -> list[dict]:
    """Reasons the person is not eligible (empty: eligible). Codes are rendered in words by
    `incentives.explain`."""
    reasons: list[dict] = []
    if rule.min_tenure_days:
        if person.hired_on is None:
            reasons.append({"code": "tenure_unknown", "required": rule.min_tenure_days})
        else:
            tenure = (end - dt.timedelta(days=1) - person.hired_on).days
            if tenure < rule.min_tenure_days:
                reasons.append({"code": "tenure", "days": tenure, "required": rule.min_tenure_days})
    needs_goals = (
        rule.require_agreed_goals
        or (rule.kind in NEEDS_GOALS and not is_team(rule))
        or (rule.kind == "recognition" and not is_streak(rule))
    )
    if needs_goals and not person.goals:
        reasons.append({"code": "no_agreed_goals"})
    if rule.min_check_in_rate > 0:
        submitted, expected = check_in_rate(person, start, end, as_of)
        rate = Decimal(submitted) / expected if expected else Decimal("1")
        if rate.quantize(SIX) < Decimal(repr(rule.min_check_in_rate)).quantize(SIX):
            reasons.append(
                {
                    "code": "check_in_rate",
                    "submitted": submitted,
                    "expected": expected,
                    "required": rule.min_check_in_rate,
                }
            )
    min_rating = rule.params.get("min_rating")
    if min_rating:
        if person.rating is None:
            reasons.append({"code": "no_rating", "required": min_rating})
        elif person.rating < min_rating:
            reasons.append({"code": "rating", "rating": person.rating, "required": min_rating})
    return reasons


def eligibility_facts(
    rule: RuleSpec, person: PersonIn, start: dt.date, end: dt.date, as_of: dt.date | None = None
) -> dict:
    """What an eligible person's eligibility rested on, for the explanation."""
    submitted, expected = check_in_rate(person, start, end, as_of)
    check_ins: dict = {"submitted": submitted, "expected": expected}
    until = counted_until(end, as_of)
    if until is not None:
        check_ins["until"] = until.isoformat()
    facts = {
        "status": "eligible",
        "agreed_goals": len(person.goals),
        "check_ins": check_ins,
        "min_check_in_rate": rule.min_check_in_rate,
    }
    if person.hired_on is not None:
        facts["tenure_days"] = (end - dt.timedelta(days=1) - person.hired_on).days
    if rule.min_tenure_days:
        facts["min_tenure_days"] = rule.min_tenure_days
    if rule.params.get("min_rating"):
        facts["rating"] = person.rating
        facts["min_rating"] = rule.params["min_rating"]
    return facts


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _capped(rule: RuleSpec, raw: Decimal) -> tuple[Decimal, dict]:
    raw = _money(raw)
    if rule.cap is not None and raw > rule.cap:
        return rule.cap, {"cap": _s(rule.cap), "before_cap": _s(raw), "applied": True}
    cap = _s(rule.cap) if rule.cap is not None else None
    return raw, {"cap": cap, "before_cap": _s(raw), "applied": False}


def _tiered(rule, person, base) -> Proposal | None:
    attainment = person_attainment(person)
    tier_index, tier = None, None
    for index, candidate in enumerate(rule.params["tiers"]):
        if attainment >= Decimal(str(candidate["threshold"])):
            tier_index, tier = index, candidate
    base |= {"attainment": _s(attainment), "goals": attainment_inputs(person)}
    if tier is None:
        return None
    amount, cap = _capped(rule, Decimal(str(tier["amount"])))
    base |= {
        "tier": {"index": tier_index, "threshold": tier["threshold"], "amount": tier["amount"]},
        "cap": cap,
    }
    return Proposal(person.id, amount, Decimal("0"), "", base)


def _excess(kr: KRIn, value: Decimal) -> Decimal:
    if kr.direction in HIGHER_IS_BETTER:
        return max(Decimal("0"), value - kr.target_value)
    return max(Decimal("0"), kr.target_value - value)


def _commission(rule, person, base, paid) -> Proposal | None:
    """Commission on the increment: per key result, the commission earned to date (on its
    excess over target at the period's end) minus what this rule's earlier periods already
    cover (the ledger), so each period pays only what was earned in it; what changed before
    the period (a correction) is its `adjustment` part. May be negative (a claw-back)."""
    metric = rule.params["metric"]
    rate = Decimal(str(rule.params["rate"]))
    per_unit = Decimal(str(rule.params["value_per_unit"]))
    rows, excess, total = [], Decimal("0"), Decimal("0")
    for goal in person.goals:
        for kr in goal.key_results:
            if kr.metric != metric:
                continue
            above = _excess(kr, kr.value_end)
            earned = _money(above * per_unit * rate)
            earned_at_start = _money(_excess(kr, kr.value_start) * per_unit * rate)
            before = paid.get((person.id, kr.id), Decimal("0"))
            due = earned - before
            excess += above
            total += due
            rows.append(
                {
                    "key_result": kr.id,
                    "name": kr.name,
                    "value": _s(kr.value_end),
                    "value_at_start": _s(kr.value_start),
                    "target": _s(kr.target_value),
                    "above_target": _s(above),
                    "earned_to_date": _s(earned),
                    "paid_before": _s(before),
                    "earned_in_period": _s(earned - earned_at_start),
                    "adjustment": _s(earned_at_start - before),
                    "amount": _s(due),
                }
            )
    if not rows:
        return None
    if total > 0:
        amount, cap = _capped(rule, total)
    else:
        amount, cap = total, {"cap": _s(rule.cap) if rule.cap is not None else None,
                              "before_cap": _s(total), "applied": False}  # fmt: skip
    base |= {
        "metric": metric,
        "key_results": rows,
        "above_target": _s(excess),
        "value_per_unit": _s(per_unit),
        "rate": _s(rate),
        "cap": cap,
    }
    if amount == 0:
        return None
    return Proposal(person.id, amount, Decimal("0"), "", base)


def _milestone(rule, person, base, claimed) -> Proposal | None:
    metric = rule.params.get("metric") or ""
    reward = Decimal(str(rule.params["amount"]))
    reached = []
    for goal in person.goals:
        for kr in goal.key_results:
            if metric and kr.metric != metric:
                continue
            stones = list(kr.milestones)
            if rule.params.get("include_target", True):
                stones.append(kr.target_value)
            higher = kr.direction in HIGHER_IS_BETTER
            for stone in sorted(set(stones), reverse=not higher):
                key = f"kr:{kr.id}:{_s(stone)}"
                hit = kr.value_end >= stone if higher else kr.value_end <= stone
                if hit and (person.id, key) not in claimed:
                    reached.append(
                        {
                            "key": key,
                            "key_result": kr.id,
                            "name": kr.name,
                            "milestone": _s(stone),
                            "value": _s(kr.value_end),
                            "is_target": stone == kr.target_value,
                        }
                    )
    if not reached:
        return None
    amount, cap = _capped(rule, reward * len(reached))
    base |= {"milestones": reached, "reward_each": _s(reward), "cap": cap}
    return Proposal(person.id, amount, Decimal("0"), "", base)


def _points(rule, person, base) -> Proposal | None:
    attainment = person_attainment(person)
    threshold = Decimal(str(rule.params["threshold"]))
    base |= {
        "attainment": _s(attainment),
        "threshold": _s(threshold),
        "goals": attainment_inputs(person),
    }
    if attainment < threshold:
        return None
    points, cap = _capped(rule, Decimal(str(rule.params["points"])))
    base |= {"points_each": rule.params["points"], "cap": cap}
    return Proposal(person.id, Decimal("0"), points, "", base)


def _deferred(rule, person, base, start, end) -> Proposal | None:
    attainment = person_attainment(person)
    threshold = Decimal(str(rule.params["threshold"]))
    base |= {
        "attainment": _s(attainment),
        "threshold": _s(threshold),
        "goals": attainment_inputs(person),
    }
    if attainment < threshold:
        return None
    amount, cap = _capped(rule, Decimal(str(rule.params["amount"])))
    count = rule.params["vesting_periods"]
    each = _money(amount / count)
    schedule = []
    for index, (_p_start, p_end) in enumerate(following_periods(rule.period, end, count)):
        share = each if index < count - 1 else amount - each * (count - 1)
        schedule.append(
            {
                "vests_on": (p_end - dt.timedelta(days=1)).isoformat(),
                "amount": _s(share),
                "status": "pending",
            }  # noqa: E501
        )
    base |= {"cap": cap, "vesting": schedule, "forfeit_rule": "inactive_at_vesting"}
    return Proposal(person.id, amount, Decimal("0"), "", base)


def _recognition(rule, people: list[PersonIn], start, end) -> list[Proposal]:
    metric = rule.params["metric"]
    top_n = rule.params["top_n"]
    prize = Decimal(str(rule.params.get("amount") or 0))
    scored = []
    for person in people:
        if metric == "attainment":
            value = person_attainment(person)
        elif metric == "progress_gained":
            value = person_attainment(person) - person_attainment(person, at_start=True)
        else:
            value = Decimal(streak(person, end))
        if value > 0:
            scored.append((person, value, last_submission(person, start, end)))
    groups: dict[int | None, list] = {}
    for row in scored:
        groups.setdefault(row[0].unit_id if rule.params.get("per_unit") else None, []).append(row)
    proposals = []
    for group_key in sorted(groups, key=lambda k: (k is not None, k or 0)):
        # Tie-break (stated in every explanation): the higher metric, then the earlier last
        # check-in submission in the period, then the lower person id.
        ranked = sorted(groups[group_key], key=lambda r: (-r[1], r[2], r[0].id))
        for rank, (person, value, submitted) in enumerate(ranked[:top_n], start=1):
            tied = [p.id for p, v, _t in ranked if v == value and p.id != person.id]
            amount, cap = _capped(rule, prize)
            explanation = {
                "metric": metric,
                "value": _s(value),
                "rank": rank,
                "group_size": len(ranked),
                "group_unit": group_key,
                "tied_with": tied,
                "tie_break": "higher_metric_then_earlier_last_submission_then_person_id",
                "last_submission": None if submitted == FAR_FUTURE else submitted.isoformat(),
                "cap": cap,
            }
            if metric != "streak":
                explanation["goals"] = attainment_inputs(person)
            proposals.append(
                Proposal(person.id, amount, Decimal("0"), rule.params["title"], explanation)
            )
    return proposals


def evaluate(inputs: Inputs) -> Result:
    """Award proposals for one rule and period, with their explanations."""
    rule, start, end = inputs.rule, inputs.period_start, inputs.period_end
    eligible, ineligible = [], {}
    for person in sorted(inputs.people, key=lambda p: p.id):
        reasons = eligibility(rule, person, start, end, inputs.as_of)
        if reasons:
            ineligible[person.id] = reasons
        else:
            eligible.append(person)
    proposals: list[Proposal] = []
    if rule.kind == "recognition":
        proposals = _recognition(rule, eligible, start, end)
    elif is_team(rule):
        proposals = _team(rule, eligible, inputs.teams)
    else:
        for person in eligible:
            base = {"period": [start.isoformat(), end.isoformat()]}
            if rule.kind == "tiered_bonus":
                proposal = _tiered(rule, person, base)
            elif rule.kind == "commission":
                proposal = _commission(rule, person, base, inputs.paid)
            elif rule.kind == "milestone":
                proposal = _milestone(rule, person, base, inputs.claimed)
            elif rule.kind == "promotion_points":
                proposal = _points(rule, person, base)
            else:
                proposal = _deferred(rule, person, base, start, end)
            if proposal is not None:
                proposals.append(proposal)
    by_id = {person.id: person for person in eligible}
    for proposal in proposals:
        proposal.explanation["eligibility"] = eligibility_facts(
            rule, by_id[proposal.person_id], start, end, inputs.as_of
        )
        proposal.explanation.setdefault("period", [start.isoformat(), end.isoformat()])
        proposal.explanation["currency"] = rule.currency
    awarded = {p.person_id for p in proposals}
    not_awarded = {
        person.id: [why_not(rule, person, inputs)]
        for person in eligible
        if person.id not in awarded
    }
    return Result(proposals, [p.id for p in eligible], ineligible, not_awarded)


def _short(attainment: Decimal, threshold: Decimal) -> dict:
    return {
        "attainment": _s(attainment),
        "threshold": _s(threshold),
        "short_by": _s(max(Decimal("0"), threshold - attainment)),
    }


def why_not(rule: RuleSpec, person: PersonIn, inputs: Inputs) -> dict:
    """Why an eligible person earned nothing: the threshold or tier they missed and by how
    much, or what was missing."""
    kind = rule.kind
    if kind == "recognition":
        return _recognition_miss(rule, person, inputs)
    if is_team(rule):
        team = next((t for t in inputs.teams if t.id == person.unit_id), None)
        if team is None or not team.goals:
            return {"code": "no_team_goals"}
        attainment = _weighted([(goal_attainment(g), g.weight) for g in team.goals])
        lowest = Decimal(str(rule.params["tiers"][0]["threshold"]))
        if attainment < lowest:
            return {"code": "team_below_tier", "unit_name": team.name} | _short(attainment, lowest)
        return {"code": "no_contribution"}
    if kind == "tiered_bonus":
        lowest = Decimal(str(rule.params["tiers"][0]["threshold"]))
        return {"code": "below_tier"} | _short(person_attainment(person), lowest)
    if kind in ("promotion_points", "deferred"):
        threshold = Decimal(str(rule.params["threshold"]))
        return {"code": "below_threshold"} | _short(person_attainment(person), threshold)
    if kind == "commission":
        metric = rule.params["metric"]
        if not any(kr.metric == metric for g in person.goals for kr in g.key_results):
            return {"code": "no_metric", "metric": metric}
        return {"code": "nothing_new_above_target", "metric": metric}
    return {"code": "no_new_milestone"}


def _recognition_miss(rule: RuleSpec, person: PersonIn, inputs: Inputs) -> dict:
    metric = rule.params["metric"]
    end = inputs.period_end
    if metric == "attainment":
        value = person_attainment(person)
    elif metric == "progress_gained":
        value = person_attainment(person) - person_attainment(person, at_start=True)
    else:
        value = Decimal(streak(person, end))
    if value <= 0:
        return {"code": "no_score", "metric": metric, "value": _s(value)}
    return {
        "code": "not_in_top",
        "metric": metric,
        "value": _s(value),
        "top_n": rule.params["top_n"],
    }
