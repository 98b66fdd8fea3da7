"""Reads over goals worth naming, scoped by goals.permissions, with the joins their callers
need. Other apps use `active_key_results_for` and `goal_tree`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Case, Count, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from core import humanize
from goals import permissions
from goals.models import Cycle, Goal, KeyResult, TargetAdjustment, fmt_number
from org import scopes
from org.models import Person

# The goals whose key results a person reports on: agreed, proposed or draft (not returned,
# not closed).
CHECK_IN_STATES = (Goal.State.AGREED, Goal.State.PROPOSED, Goal.State.DRAFT)
TABS = ("mine", "team", "unit", "company")


def active_key_results_for(person: Person) -> QuerySet[KeyResult]:
    """Key results of the person's agreed, proposed and draft goals in active cycles, with the
    goal and cycle joined."""
    return (
        KeyResult.objects.filter(
            goal__owner_person=person,
            goal__state__in=CHECK_IN_STATES,
            goal__cycle__state=Cycle.State.ACTIVE,
        )
        .select_related("goal", "goal__cycle")
        .order_by("goal__cycle__starts_on", "goal_id", "position", "pk")
    )


def goals_with_key_results(qs: QuerySet[Goal]) -> QuerySet[Goal]:
    return qs.select_related("cycle", "owner_person", "owner_unit", "parent").prefetch_related(
        Prefetch(
            "key_results",
            queryset=KeyResult.objects.order_by("position", "pk").prefetch_related(
                Prefetch("contributors", queryset=KeyResult.objects.only("pk", "contributes_to"))
            ),
        )
    )


def current_cycle(on=None) -> Cycle | None:
    """The shortest active cycle containing today (the quarter rather than the year)."""
    on = on or timezone.localdate()
    cycles = list(
        Cycle.objects.filter(state=Cycle.State.ACTIVE, starts_on__lte=on, ends_on__gte=on)
    )
    if not cycles:
        return Cycle.objects.filter(state=Cycle.State.ACTIVE).first() or Cycle.objects.first()
    return min(cycles, key=lambda c: c.ends_on - c.starts_on)


def goal_list(*, viewer: Person, cycle: Cycle | None, tab: str = "mine") -> QuerySet[Goal]:
    """The goals page tabs: mine, my team (the people and units I manage), my unit, company."""
    qs = permissions.visible_goals(viewer)
    if cycle is not None:
        qs = qs.filter(cycle=cycle)
    if tab == "team":
        managed = scopes.managed_people(viewer).values("pk")
        qs = qs.filter(Q(owner_person__in=managed) | Q(owner_unit__head__in=managed))
    elif tab == "unit":
        unit = viewer.unit
        qs = qs.filter(Q(owner_path__startswith=unit.path))
    elif tab == "company":
        qs = qs.filter(level=Goal.Level.COMPANY)
    else:
        qs = qs.filter(Q(owner_person=viewer) | Q(owner_unit__head=viewer))
    return goals_with_key_results(qs).order_by("level", "title", "pk")


@dataclass
class TreeNode:
    goal: Goal
    children: list[TreeNode] = field(default_factory=list)
    # Children not loaded (the tree was cut at `depth`): how many, to load on demand.
    more: int = 0

    def count(self) -> int:
        return 1 + sum(child.count() for child in self.children)


MAX_TREE_DEPTH = 12


def goal_tree(
    root: Goal, viewer: Person, *, with_key_results: bool = False, depth: int = MAX_TREE_DEPTH
) -> TreeNode:
    """The root and every goal aligned below it that the viewer may see, nested. One query per
    level of the tree (bounded by MAX_TREE_DEPTH), whatever the number of goals: a 1,000-goal
    tree of depth 4 loads in a handful of queries. Invisible goals are left out with their
    subtrees."""
    visible = permissions.visible_goals(viewer).select_related(
        "owner_person", "owner_unit", "cycle"
    )
    if with_key_results:
        visible = visible.prefetch_related("key_results")
    top = TreeNode(root)
    frontier = {root.pk: top}
    seen = {root.pk}
    for _level in range(min(depth, MAX_TREE_DEPTH)):
        if not frontier:
            break
        rows = list(visible.filter(parent_id__in=list(frontier)).order_by("level", "title", "pk"))
        nxt: dict[int, TreeNode] = {}
        for goal in rows:
            if goal.pk in seen:
                continue
            seen.add(goal.pk)
            node = TreeNode(goal)
            frontier[goal.parent_id].children.append(node)
            nxt[goal.pk] = node
        frontier = nxt
    if frontier and depth < MAX_TREE_DEPTH:
        counts = (
            visible.filter(parent_id__in=list(frontier))
            .values_list("parent_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for parent_id, n in counts:
            frontier[parent_id].more = n
    return top


def goal_ancestors(goal: Goal, viewer: Person) -> list[Goal]:
    """The visible goals above, nearest last (one query per level)."""
    chain: list[Goal] = []
    seen = {goal.pk}
    current = goal.parent_id
    visible = permissions.visible_goals(viewer).select_related("owner_person", "owner_unit")
    while current and current not in seen and len(chain) < MAX_TREE_DEPTH:
        seen.add(current)
        parent = visible.filter(pk=current).first()
        if parent is None:
            break
        chain.append(parent)
        current = parent.parent_id
    chain.reverse()
    return chain


def _history_records(goal: Goal, limit: int) -> list[dict]:
    """The goal's, its key results' and their adjustments' history rows, newest first: each
    with its model, what it names, the actor and the raw (field, old, new) changes."""
    entries: list[dict] = []

    def diff(records, model, label, label_for_people=None):
        records = list(records)
        for newer, older in zip(records, [*records[1:], None], strict=False):
            changes = []
            if older is not None:
                delta = newer.diff_against(older)
                changes = [
                    (c.field, c.old, c.new) for c in delta.changes if c.field not in ("version",)
                ]
            user = newer.history_user
            person = getattr(user, "person", None) if user else None
            entries.append(
                {
                    "model": model,
                    "object": label(newer),
                    "subject": (label_for_people or label)(newer),
                    "type": {"+": "created", "~": "changed", "-": "deleted"}[newer.history_type],
                    "at": newer.history_date,
                    "by": person.display_name if person else (user.get_username() if user else ""),
                    "reason": newer.history_change_reason or "",
                    "changes": changes,
                }
            )

    diff(
        goal.history.select_related("history_user__person").order_by("-history_id")[: limit + 1],
        Goal,
        lambda r: r.title,
    )
    kr_history = KeyResult.history.filter(goal_id=goal.pk).select_related("history_user__person")
    by_kr: dict[int, list] = {}
    for record in kr_history.order_by("-history_id")[: limit * 4]:
        by_kr.setdefault(record.id, []).append(record)
    for records in by_kr.values():
        diff(records, KeyResult, lambda r: r.name)
    adj_history = (
        TargetAdjustment.history.filter(key_result__goal_id=goal.pk)
        .select_related("history_user__person")
        .order_by("-history_id")
    )
    by_adj: dict[int, list] = {}
    for record in adj_history[: limit * 2]:
        by_adj.setdefault(record.id, []).append(record)
    for records in by_adj.values():
        diff(
            records,
            TargetAdjustment,
            lambda r: f"{fmt_number(r.old_target)} → {fmt_number(r.new_target)}",
            lambda r: f"{humanize.number(r.old_target)} → {humanize.number(r.new_target)}",
        )
    entries.sort(key=lambda e: e["at"], reverse=True)
    # A change with no changed fields (e.g. only the version moved) says nothing.
    return [e for e in entries if e["type"] != "changed" or e["changes"]][:limit]


def goal_history(goal: Goal, *, limit: int = 50) -> list[dict]:
    """Who changed what and when, for the goal, its key results and their adjustments: each
    entry with the changed fields as (field, old, new) raw values (the API's answer)."""
    return [
        {
            **{k: v for k, v in e.items() if k not in ("model", "subject", "changes")},
            "changes": [
                {"field": name, "old": _plain(old), "new": _plain(new)}
                for name, old, new in e["changes"]
            ],
        }
        for e in _history_records(goal, limit)
    ]


def _plain(value):
    return value if isinstance(value, str | int | float | bool | type(None)) else str(value)


@dataclass
class HistoryLine:
    """One history entry for people: when, the sentence saying who did what, and one
    sentence per changed field ("Liu Yang changed the target of the key result “Calls”:
    45 → 36"), values formatted in the reader's language (core.humanize)."""

    at: object
    sentence: str
    changes: list[str]
    reason: str


def _history_subject(model, name: str) -> str:
    if model is KeyResult:
        return _("the key result “%(name)s”") % {"name": name}
    if model is TargetAdjustment:
        return _("the target adjustment %(name)s") % {"name": name}
    return _("the goal “%(name)s”") % {"name": name}


def _reason_for_people(reason: str) -> str:
    """The stored reason of a history row as words: an approved adjustment's target change
    ("adjustment 12: market") names the adjustment's reason, not its id."""
    found = re.fullmatch(r"adjustment \d+: (\w+)", reason)
    if found:
        label = dict(TargetAdjustment.Reason.choices).get(found.group(1), found.group(1))
        return _("approved target adjustment: %(reason)s") % {"reason": label}
    return reason


def goal_history_lines(goal: Goal, *, limit: int = 50) -> list[HistoryLine]:
    """The goal page's history: `goal_history` in sentences (one query per kind of related
    row named in the changes)."""
    records = _history_records(goal, limit)
    wanted: dict = {}
    for e in records:
        for model, ids in humanize.related_models(e["model"], e["changes"]):
            wanted.setdefault(model, set()).update(ids)
    names = humanize.related_names(wanted)
    lines = []
    for e in records:
        by = e["by"] or _("The system")
        subject = _history_subject(e["model"], e["subject"])
        changes = [
            {
                "field": humanize.field_label(e["model"], name),
                "old": humanize.value_text(f, old, names),
                "new": humanize.value_text(f, new, names),
            }
            for name, old, new in e["changes"]
            for f in [humanize.model_field(e["model"], name)]
        ]
        if e["type"] == "changed" and len(changes) == 1:
            sentence = humanize.change_sentence(by=by, subject=subject, **changes[0])
            changes = []
        else:
            sentence = humanize.action_sentence(by=by, action=e["type"], subject=subject)
        lines.append(
            HistoryLine(
                e["at"],
                sentence,
                [humanize.change_text(**c) for c in changes],
                _reason_for_people(e["reason"]),
            )
        )
    return lines


def proposed_goals_of(people) -> QuerySet[Goal]:
    """Goals proposed by `people` or for the units they head, waiting to be agreed, oldest
    first (the manager dashboard's approvals)."""
    return (
        Goal.objects.filter(state=Goal.State.PROPOSED)
        .filter(Q(owner_person__in=people) | Q(owner_unit__head__in=people))
        .select_related("owner_person", "owner_unit")
        .order_by("updated_at", "pk")
    )


def pending_adjustments_for(viewer: Person) -> QuerySet[TargetAdjustment]:
    """Adjustments waiting for the viewer's decision."""
    qs = permissions.visible_adjustments(viewer).filter(state=TargetAdjustment.State.PENDING)
    if not scopes.is_admin(viewer):
        managed = list(scopes.managed_people(viewer).values_list("pk", flat=True))
        qs = qs.filter(
            Q(key_result__goal__owner_person_id__in=managed)
            | Q(key_result__goal__owner_unit__head_id__in=managed)
        )
    return qs.select_related(
        "key_result",
        "key_result__goal",
        "key_result__goal__owner_person",
        "key_result__goal__owner_unit",
        "requested_by",
    )


def goal_adjustments(goal: Goal, *, limit: int = 20) -> list[TargetAdjustment]:
    """The latest target adjustments of a goal's key results, for its page."""
    return list(
        TargetAdjustment.objects.filter(key_result__goal=goal)
        .select_related("key_result", "requested_by", "decided_by")
        .order_by("-created_at")[:limit]
    )


def cascade_shortfalls(*, viewer: Person, cycle: Cycle) -> list[dict]:
    """Cascade gaps for the alignment review: every visible goal of the cycle whose additive key
    result (increase or decrease, with a metric) is carried by its child goals' key results of
    the same metric only in part. Two queries, whatever the number of goals."""
    from django.db.models import Sum

    visible = permissions.visible_goals(viewer).filter(cycle=cycle)
    parents = list(
        KeyResult.objects.filter(
            goal__in=visible,
            direction__in=[KeyResult.Direction.INCREASE, KeyResult.Direction.DECREASE],
        )
        .exclude(metric="")
        .select_related("goal", "goal__owner_person", "goal__owner_unit")
    )
    if not parents:
        return []
    carried = {
        (row["goal__parent_id"], row["metric"]): row["total"]
        for row in KeyResult.objects.filter(goal__parent__in=[kr.goal_id for kr in parents])
        .exclude(goal__state=Goal.State.RETURNED)
        .values("goal__parent_id", "metric")
        .annotate(total=Sum("target_value"))
    }
    gaps = []
    for kr in parents:
        total = carried.get((kr.goal_id, kr.metric))
        if total is not None and total < kr.target_value:
            gaps.append(
                {
                    "goal": kr.goal,
                    "key_result": kr,
                    "target": kr.target_value,
                    "carried": total,
                    "gap": kr.target_value - total,
                }
            )
    return gaps


PARENT_CHOICES = 50


def parent_candidates(
    viewer: Person, *, q: str = "", selected: int | None = None, limit: int = PARENT_CHOICES
) -> list[Goal]:
    """Goals a new or edited goal may align to, for the picker: open goals in open cycles the
    viewer may see, company and unit goals first, found by words of the title or the owner's
    name; at most `limit`, plus the one already chosen."""
    qs = (
        permissions.visible_goals(viewer)
        .exclude(state__in=[Goal.State.CLOSED, Goal.State.RETURNED])
        .exclude(cycle__state=Cycle.State.CLOSED)
    )
    for word in q.split()[:5]:
        qs = qs.filter(
            Q(title__icontains=word)
            | Q(owner_person__display_name__icontains=word)
            | Q(owner_unit__name__icontains=word)
        )
    level_order = {Goal.Level.COMPANY: 0, Goal.Level.UNIT: 1, Goal.Level.PERSON: 2}
    rank = Case(
        *(When(level=level, then=Value(n)) for level, n in level_order.items()),
        default=Value(3),
    )
    found = list(
        qs.select_related("cycle", "owner_person__unit", "owner_unit")
        .annotate(level_rank=rank)
        .order_by("-cycle__starts_on", "level_rank", "title", "pk")[:limit]
    )
    if selected and all(g.pk != selected for g in found):
        found += list(
            permissions.visible_goals(viewer)
            .filter(pk=selected)
            .select_related("cycle", "owner_person__unit", "owner_unit")
        )
    found.sort(key=lambda g: (-g.cycle.starts_on.toordinal(), level_order.get(g.level, 3)))
    return found


def parent_label(goal: Goal) -> str:
    """How the picker names a goal: title, owner and unit, cycle."""
    unit = goal.owner_unit or (goal.owner_person.unit if goal.owner_person_id else None)
    owner = goal.owner_name
    where = owner if unit is None or unit.name == owner else f"{owner} · {unit.name}"
    return f"{goal.title} — {where} ({goal.cycle.name})"
