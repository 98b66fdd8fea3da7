"""Cascade: from a goal, child goals for chosen units or people in one action, splitting one key
result's target equally, by weights or by each owner's history. The children's targets add up
exactly to the parent's (the rounding remainder goes to the last child). Goal templates per
level and tenure add differentiated key results to each person's child goal."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from core.history import records_actor
from goals import metrics, permissions
from goals.models import Cycle, Goal, GoalTemplate, KeyResult, Measurement
from notifications.messages import Message
from notifications.services import notify
from org.models import Person, Unit
from org.scopes import Viewer

from . import alignment_findings, rollups
from .core import _clean_kr_data, parse_weight
from .measurements import roll_up

MAX_CHILDREN = 500
SPLITS = ("equal", "weights", "history")


@dataclass
class CascadeResult:
    split: str
    rows: list[dict] = field(default_factory=list)  # owner, target_value, start_value, weight
    goals: list[Goal] = field(default_factory=list)
    fallback: str = ""  # why the history split fell back to equal, if it did

    @property
    def total(self) -> Decimal:
        return sum((row["target_value"] for row in self.rows), Decimal("0"))


def _quantum(*values: Decimal) -> Decimal:
    """Whole numbers when the parent's values are whole, else four decimals."""
    if all(v == v.to_integral_value() for v in values):
        return Decimal("1")
    return Decimal("0.0001")


def split_targets(total: Decimal, shares: list[Decimal], quantum: Decimal) -> list[Decimal]:
    """Split `total` by `shares` (any non-negative numbers, not all zero) into parts rounded
    down to `quantum`; the remainder goes to the last part so the parts add up exactly."""
    if not shares:
        return []
    weight_sum = sum(shares, Decimal("0"))
    if weight_sum <= 0:
        shares = [Decimal("1")] * len(shares)
        weight_sum = Decimal(len(shares))
    parts = [
        (total * share / weight_sum).quantize(quantum, rounding=ROUND_DOWN) for share in shares[:-1]
    ]
    parts.append(total - sum(parts, Decimal("0")))
    return parts


def best_past_values(
    *, metric: str, cycle: Cycle, people: list[Person], units: list[Unit]
) -> dict[tuple[str, int], Decimal]:
    """Each owner's best past value of a metric (the highest measurement of key results with
    that metric they owned in cycles that ended before this one started): one query per kind
    of owner."""
    best: dict[tuple[str, int], Decimal] = {}
    base = Measurement.objects.filter(
        key_result__metric=metric, key_result__goal__cycle__ends_on__lt=cycle.starts_on
    )
    if people:
        for row in (
            base.filter(key_result__goal__owner_person__in=people)
            .values("key_result__goal__owner_person")
            .annotate(best=Max("value"))
        ):
            best[("person", row["key_result__goal__owner_person"])] = row["best"]
    if units:
        for row in (
            base.filter(key_result__goal__owner_unit__in=units)
            .values("key_result__goal__owner_unit")
            .annotate(best=Max("value"))
        ):
            best[("unit", row["key_result__goal__owner_unit"])] = row["best"]
    return best


def _child_owners(children: list[dict]) -> list[tuple[str, Person | Unit, Decimal | None]]:
    if not isinstance(children, list) or not children:
        raise ValidationError({"children": _("Choose at least one person or unit.")})
    if len(children) > MAX_CHILDREN:
        raise ValidationError(
            {"children": _("Cascade to at most %(n)s owners at once.") % {"n": MAX_CHILDREN}}
        )
    owners = []
    seen: set[tuple[str, int]] = set()
    for row in children:
        person, unit = row.get("owner_person"), row.get("owner_unit")
        if (person is None) == (unit is None):
            raise ValidationError(
                {"children": _("Each child has exactly one owner: a person or a unit.")}
            )
        kind, owner = ("person", person) if person is not None else ("unit", unit)
        if (kind, owner.pk) in seen:
            raise ValidationError({"children": _("%(owner)s is listed twice.") % {"owner": owner}})
        seen.add((kind, owner.pk))
        weight = row.get("weight")
        owners.append(
            (kind, owner, parse_weight(weight, field="children.weight") if weight else None)
        )
    return owners


def templates_for(person: Person, templates: list[GoalTemplate], on) -> GoalTemplate | None:
    """The most specific active template that fits the person's level and tenure."""
    fitting = [t for t in templates if t.matches(person, on)]
    fitting.sort(
        key=lambda t: (
            bool(t.level),
            t.min_tenure_months is not None,
            t.max_tenure_months is not None,
        ),
        reverse=True,
    )
    return fitting[0] if fitting else None


def _check_cascade(viewer: Viewer, goal: Goal, key_result: KeyResult | None, split: str) -> None:
    """The viewer may cascade this goal's key result this way."""
    if not (permissions.is_goal_owner(viewer, goal) or permissions.can_manage_goal(viewer, goal)):
        raise PermissionDenied(_("You may not cascade this goal."))
    if goal.state == Goal.State.CLOSED or goal.cycle.state == Cycle.State.CLOSED:
        raise ValidationError(_("A closed goal or cycle cannot be cascaded."))
    if key_result is None or key_result.goal_id != goal.pk:
        raise ValidationError({"key_result": _("Choose a key result of this goal.")})
    if key_result.direction not in metrics.ADDITIVE:
        raise ValidationError(
            {
                "key_result": _(
                    "Only an increase or decrease target adds up and can be split; "
                    "give each owner their own “stay above/below” key result instead."
                )
            }
        )
    if split not in SPLITS:
        raise ValidationError({"split": _("Split equally, by weights or by history.")})


def _check_owners(viewer: Viewer, owners) -> None:
    for _kind, owner, _weight in owners:
        ok = (
            permissions.can_assign_to(viewer, person=owner)
            if isinstance(owner, Person)
            else permissions.can_assign_to(viewer, unit=owner)
        )
        if not ok:
            raise PermissionDenied(
                _("You may not set goals for %(owner)s.") % {"owner": str(owner)}
            )


def _shares(split: str, owners, goal: Goal, key_result: KeyResult, result: CascadeResult):
    """Each owner's share of the target under the chosen split."""
    if split == "weights":
        if any(weight is None or weight <= 0 for _k, _o, weight in owners):
            raise ValidationError(
                {"children": _("Give every owner a positive weight for a split by weights.")}
            )
        return [weight for _k, _o, weight in owners]
    if split == "history":
        return _history_shares(owners, goal, key_result, result)
    return [Decimal("1")] * len(owners)


def _history_shares(owners, goal: Goal, key_result: KeyResult, result: CascadeResult):
    if not key_result.metric:
        raise ValidationError(
            {"key_result": _("Give the key result a metric to split by history.")}
        )
    best = best_past_values(
        metric=key_result.metric,
        cycle=goal.cycle,
        people=[o for k, o, _w in owners if k == "person"],
        units=[o for k, o, _w in owners if k == "unit"],
    )
    known = [best[(k, o.pk)] for k, o, _w in owners if (k, o.pk) in best]
    known = [v for v in known if v > 0]
    if not known:
        result.fallback = _("Nobody has history for this metric: split equally.")
        return [Decimal("1")] * len(owners)
    mean = sum(known, Decimal("0")) / len(known)
    return [max(best.get((k, o.pk), mean), Decimal("0")) or mean for k, o, _w in owners]


def _plan_rows(result: CascadeResult, owners, shares, key_result: KeyResult) -> None:
    quantum = _quantum(key_result.target_value, key_result.start_value)
    targets = split_targets(key_result.target_value, shares, quantum)
    starts = split_targets(key_result.start_value, shares, quantum)
    for (kind, owner, weight), target, start, share in zip(
        owners, targets, starts, shares, strict=True
    ):
        result.rows.append(
            {
                "kind": kind,
                "owner": owner,
                "target_value": target,
                "start_value": start,
                "weight": weight or Decimal("1"),
                "share": share,
            }
        )


def _child_goals(actor: Person, goal: Goal, rows, *, title: str, templates) -> tuple[list, list]:
    """The child goals (proposed: assigned by the actor) and the template each one follows."""
    today = timezone.localdate()
    child_title = (title or goal.title).strip()[:300]
    new_goals, template_of = [], []
    # bulk_create skips Goal.save: the owners' unit paths in one query.
    person_paths = dict(
        Person.objects.filter(
            pk__in=[r["owner"].pk for r in rows if r["kind"] == "person"]
        ).values_list("pk", "unit__path")
    )
    for row in rows:
        person = row["owner"] if row["kind"] == "person" else None
        unit = row["owner"] if row["kind"] == "unit" else None
        template = templates_for(person, templates, today) if person and templates else None
        template_of.append(template)
        new_goals.append(
            Goal(
                kind=Goal.Kind.OBJECTIVE,
                level=Goal.Level.PERSON if person else Goal.Level.UNIT,
                title=child_title,
                description=goal.description,
                category=template.category if template and template.category else goal.category,
                owner_person=person,
                owner_unit=unit,
                owner_path=unit.path if unit else person_paths.get(person.pk, ""),
                cycle=goal.cycle,
                parent=goal,
                priority=goal.priority,
                commitment=goal.commitment,
                weight=row["weight"],
                visibility=goal.visibility,
                starts_on=goal.starts_on,
                state=Goal.State.PROPOSED,
                created_by=actor,
                initiated_by=actor,
            )
        )
    return new_goals, template_of


def _child_key_results(key_result: KeyResult, new_goals, rows, template_of) -> list[KeyResult]:
    """Each child's share of the split key result (contributing to it) and its template's."""
    new_krs = []
    for child, row, template in zip(new_goals, rows, template_of, strict=True):
        kr = KeyResult(
            goal=child,
            name=key_result.name,
            metric=key_result.metric,
            unit=key_result.unit,
            direction=key_result.direction,
            start_value=row["start_value"],
            target_value=row["target_value"],
            current_value=row["start_value"],
            due_on=key_result.due_on,
            position=0,
            contributes_to=key_result,
            contribution_weight=row["weight"],
        )
        kr.progress = kr.compute_progress()
        new_krs.append(kr)
        for position, data in enumerate(template.key_results if template else [], start=1):
            extra = KeyResult(goal=child, position=position, **_clean_kr_data(data))
            extra.current_value = extra.start_value
            extra.progress = extra.compute_progress()
            new_krs.append(extra)
    return new_krs


def _notify_owners(actor: Person, goal: Goal, new_goals) -> None:
    from .agreement import goal_url

    recipients = []
    for child in new_goals:
        if child.owner_person_id:
            recipients.append(child.owner_person)
        elif child.owner_unit.head_id:
            recipients.append(child.owner_unit.head)
    notify(
        recipients=[p for p in recipients if p.pk != actor.pk],
        kind="goal_assigned",
        text=Message(
            gettext_noop(
                "%(who)s assigned you a goal aligned to “%(goal)s”: accept or counter-propose it."
            ),
            who=actor.display_name,
            goal=goal.title,
        ),
        url=goal_url(goal),
        subject=goal,
    )


@records_actor
@transaction.atomic
def cascade_goal(
    *,
    actor: Person,
    goal: Goal,
    key_result: KeyResult,
    split: str,
    children: list[dict],
    dry_run: bool = False,
    apply_templates: bool = False,
    title: str = "",
    aggregation: str = KeyResult.Aggregation.SUM,
) -> CascadeResult:
    """Create one child goal per owner (state proposed: assigned by the actor, accepted or
    counter-proposed by each owner), each with the parent key result's share. `children` is a
    list of {"owner_person": Person} or {"owner_unit": Unit}, with "weight" for the weights
    split. Each child's key result contributes to the split one, whose value from then on is
    rolled up from its contributors (`aggregation`: a sum by default). With `dry_run` nothing
    is written and the result is the preview."""
    viewer = Viewer.of(actor)
    _check_cascade(viewer, goal, key_result, split)
    if aggregation not in KeyResult.Aggregation.values:
        raise ValidationError({"aggregation": _("Choose how the values roll up.")})
    owners = _child_owners(children)
    _check_owners(viewer, owners)
    result = CascadeResult(split=split)
    _plan_rows(result, owners, _shares(split, owners, goal, key_result, result), key_result)
    if dry_run:
        transaction.set_rollback(True)
        return result

    templates = list(GoalTemplate.objects.filter(is_active=True)) if apply_templates else []
    new_goals, template_of = _child_goals(
        actor, goal, result.rows, title=title, templates=templates
    )
    bulk_create_with_history(new_goals, Goal, batch_size=500, default_user=actor.user)
    new_krs = _child_key_results(key_result, new_goals, result.rows, template_of)
    bulk_create_with_history(new_krs, KeyResult, batch_size=500, default_user=actor.user)
    # Progress of the new goals (from their key results) in one pass; derived, not audited.
    by_goal: dict[int, list[tuple[float, Decimal]]] = {}
    for kr in new_krs:
        by_goal.setdefault(kr.goal_id, []).append((kr.progress, kr.weight))
    for child in new_goals:
        child.progress = metrics.weighted_mean(by_goal.get(child.pk, []))
    Goal.objects.bulk_update([g for g in new_goals if g.progress], ["progress"], batch_size=500)
    # From now on the split key result's value is its contributors'.
    KeyResult.objects.filter(pk=key_result.pk).update(
        source=KeyResult.Source.ROLLUP, aggregation=aggregation
    )
    roll_up([key_result.pk])  # and the goals above, when the value moved
    rollups.touch_goals([g.pk for g in new_goals])  # created in bulk: no signals
    alignment_findings.touch_goals([goal.pk, *(g.pk for g in new_goals)], cross=True)
    _notify_owners(actor, goal, new_goals)
    result.goals = new_goals
    return result
