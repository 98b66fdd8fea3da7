"""List reads built from rows, not model objects: the goals API list, the OKR board's columns
and the goal tree's paged levels. Each answers in a fixed number of queries whatever the
number of goals, on indexed columns (the cycle, the owner's unit path, the parent)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from goals import metrics, permissions
from goals.models import Cycle, Goal, GoalSettings, KeyResult, Status
from org.models import Person, Unit
from org.scopes import Viewer

# ---------------------------------------------------------------------------------------------
# The goals API list

# `?ordering=`: only orders an index serves. "cycle" is the default (newest cycle first, then
# level and title: index goal_list_order); "id" / "-id" walk the primary key (keyset paging
# uses them).
GOAL_ORDERINGS = {
    "cycle": ("-cycle_id", "level", "title", "pk"),
    "id": ("pk",),
    "-id": ("-pk",),
}
DEFAULT_GOAL_ORDERING = "cycle"

_GOAL_COLUMNS = (
    "pk",
    "kind",
    "level",
    "title",
    "description",
    "category",
    "owner_person_id",
    "owner_unit_id",
    "cycle_id",
    "parent_id",
    "priority",
    "commitment",
    "weight",
    "visibility",
    "state",
    "progress",
    "starts_on",
    "self_score",
    "manager_score",
    "score_comment",
    "score",
    "carried_from_id",
    "version",
    "return_comment",
    "agreed_at",
    "created_at",
    "initiated_by_id",
    "owner_path",
    # For the owner's name, the pace and the available actions, joined on their keys.
    "owner_person__display_name",
    "owner_unit__name",
    "owner_unit__head_id",
    "owner_unit__path",
    "cycle__starts_on",
    "cycle__ends_on",
    "cycle__state",
)

_KR_COLUMNS = (
    "pk",
    "goal_id",
    "name",
    "metric",
    "unit",
    "direction",
    "start_value",
    "target_value",
    "target_high",
    "current_value",
    "weight",
    "due_on",
    "milestones",
    "position",
    "source",
    "aggregation",
    "contributes_to_id",
    "contribution_weight",
    "progress",
)


def goal_list_rows(goals: QuerySet[Goal]) -> QuerySet:
    """The goals as rows (`.values()`) with what a list row needs from the owner and cycle."""
    return goals.values(*_GOAL_COLUMNS)


@cache
def _formats() -> tuple[dict, dict]:
    """The documented serializers' fields, for their value formats (decimals as strings with
    their places, dates and times as ISO strings in the current time zone): the rows keep
    exactly the shape the schema documents."""
    from goals.api.serializers import GoalSerializer, KeyResultSerializer

    return dict(GoalSerializer().fields), dict(KeyResultSerializer().fields)


def _fmt(fields: dict, name: str, value):
    return None if value is None else fields[name].to_representation(value)


class _Owner:
    """Just enough of a goal's cycle, unit and person for `permissions.available_actions`."""

    def __init__(self, **values):
        self.__dict__.update(values)


def _goal_stub(row: dict) -> Goal:
    goal = Goal(
        id=row["pk"],
        owner_person_id=row["owner_person_id"],
        owner_unit_id=row["owner_unit_id"],
        cycle_id=row["cycle_id"],
        state=row["state"],
        initiated_by_id=row["initiated_by_id"],
        owner_path=row["owner_path"],
    )
    # Unsaved stand-ins filled from the row (no query): available_actions reads the cycle's
    # state, the unit's head and path, the person's id.
    goal._state.fields_cache["cycle"] = Cycle(id=row["cycle_id"], state=row["cycle__state"])
    if row["owner_unit_id"]:
        goal._state.fields_cache["owner_unit"] = Unit(
            id=row["owner_unit_id"],
            head_id=row["owner_unit__head_id"],
            path=row["owner_unit__path"],
        )
        goal._state.fields_cache["owner_person"] = None
    else:
        goal._state.fields_cache["owner_person"] = Person(id=row["owner_person_id"])
        goal._state.fields_cache["owner_unit"] = None
    return goal


def goal_list_payload(viewer: Viewer, rows: list[dict], *, today: dt.date | None = None) -> list:
    """The goals API list's rows for a page of `goal_list_rows`: the fields GoalSerializer
    documents, with the key results of the page from one query (their contributors from one
    more) and the supported goals from one more, whatever the page's size."""
    today = today or timezone.localdate()
    settings = GoalSettings.load()
    gf, kf = _formats()
    ids = [row["pk"] for row in rows]
    krs_by_goal: dict[int, list[dict]] = defaultdict(list)
    kr_rows = list(
        KeyResult.objects.filter(goal_id__in=ids).order_by("position", "pk").values(*_KR_COLUMNS)
    )
    for kr in kr_rows:
        krs_by_goal[kr["goal_id"]].append(kr)
    contributors: dict[int, list[int]] = defaultdict(list)
    if kr_rows:
        for target, pk in (
            KeyResult.objects.filter(contributes_to_id__in=[kr["pk"] for kr in kr_rows])
            .order_by("goal_id", "position", "pk")
            .values_list("contributes_to_id", "pk")
        ):
            contributors[target].append(pk)
    supports: dict[int, list[int]] = defaultdict(list)
    if ids:
        through = Goal.supports.through
        for from_id, to_id in (
            through.objects.filter(from_goal_id__in=ids)
            .order_by("to_goal__cycle", "to_goal__level", "to_goal__title", "to_goal_id")
            .values_list("from_goal_id", "to_goal_id")
        ):
            supports[from_id].append(to_id)
    out = []
    for row in rows:
        began = timezone.localdate(row["created_at"]) if row["created_at"] else None
        pace_start = metrics.pace_start(
            row["cycle__starts_on"], explicit=row["starts_on"], began=began
        )
        key_results = [
            _kr_payload(kr, kf, contributors, pace_start, row["cycle__ends_on"], today, settings)
            for kr in krs_by_goal[row["pk"]]
        ]
        if row["commitment"] == Goal.Commitment.ASPIRATIONAL:
            expected_score = settings.aspirational_expectation
        else:
            expected_score = 1.0
        out.append(
            {
                "id": row["pk"],
                "kind": row["kind"],
                "level": row["level"],
                "title": row["title"],
                "description": row["description"],
                "category": row["category"],
                "owner_person": row["owner_person_id"],
                "owner_unit": row["owner_unit_id"],
                "owner_name": row["owner_person__display_name"]
                if row["owner_person_id"]
                else row["owner_unit__name"],
                "cycle": row["cycle_id"],
                "parent": row["parent_id"],
                "supports": supports[row["pk"]],
                "priority": row["priority"],
                "commitment": row["commitment"],
                "expected_score": expected_score,
                "weight": _fmt(gf, "weight", row["weight"]),
                "visibility": row["visibility"],
                "state": row["state"],
                "progress_source": "key_results" if key_results else "children",
                "progress": row["progress"],
                "starts_on": _fmt(gf, "starts_on", row["starts_on"]),
                "pace_start": _fmt(gf, "pace_start", pace_start),
                "self_score": row["self_score"],
                "manager_score": row["manager_score"],
                "score_comment": row["score_comment"],
                "score": row["score"],
                "carried_from": row["carried_from_id"],
                "version": row["version"],
                "return_comment": row["return_comment"],
                "agreed_at": _fmt(gf, "agreed_at", row["agreed_at"]),
                "key_results": key_results,
                "available_actions": permissions.available_actions(viewer, _goal_stub(row)),
            }
        )
    return out


def _kr_payload(kr, kf, contributors, pace_start, cycle_ends, today, settings) -> dict:
    expected = metrics.expected_progress(
        today,
        start=pace_start,
        due=kr["due_on"] or cycle_ends,
        milestones=kr["milestones"],
        start_value=kr["start_value"],
        target_value=kr["target_value"],
        direction=kr["direction"],
        high=kr["target_high"],
    )
    attainment = metrics.attainment(
        kr["current_value"],
        start=kr["start_value"],
        target=kr["target_value"],
        direction=kr["direction"],
        high=kr["target_high"],
    )
    return {
        "id": kr["pk"],
        "goal": kr["goal_id"],
        "name": kr["name"],
        "metric": kr["metric"],
        "unit": kr["unit"],
        "direction": kr["direction"],
        "start_value": _fmt(kf, "start_value", kr["start_value"]),
        "target_value": _fmt(kf, "target_value", kr["target_value"]),
        "target_high": _fmt(kf, "target_high", kr["target_high"]),
        "current_value": _fmt(kf, "current_value", kr["current_value"]),
        "weight": _fmt(kf, "weight", kr["weight"]),
        "due_on": _fmt(kf, "due_on", kr["due_on"]),
        "milestones": kr["milestones"],
        "position": kr["position"],
        "source": kr["source"],
        "aggregation": kr["aggregation"],
        "contributes_to": kr["contributes_to_id"],
        "contribution_weight": _fmt(kf, "contribution_weight", kr["contribution_weight"]),
        "contributors": contributors.get(kr["pk"], []),
        "progress": kr["progress"],
        "attainment": round(attainment, 4),
        "expected_progress": round(expected, 4),
        "status": settings.classify(kr["progress"], expected),
    }


# ---------------------------------------------------------------------------------------------
# The OKR board: goal cards in four columns, paged per column

NOT_AGREED = "not_agreed"
BOARD_COLUMNS = (NOT_AGREED, Status.ON_TRACK, Status.AT_RISK, Status.OFF_TRACK)
BOARD_PAGE = 50


def _kr_with_status(status: str) -> Exists:
    return Exists(KeyResult.objects.filter(goal_id=OuterRef("pk"), pace_status=status))


def board_goals(viewer: Viewer, cycle: Cycle, unit_path: str | None = None) -> QuerySet[Goal]:
    """The open goals of the cycle the viewer may see (owned within the unit's subtree when
    one is given: `owner_path LIKE 'x%'` on the cycle's index), each with `column` (not
    agreed yet, or its worst key result's stored pace), `current_status` (the worst pace, for
    any state) and `kr_count`. Read the stored pace after `goals.services.pace.refresh`."""
    qs = permissions.visible_goals(viewer).filter(cycle=cycle).exclude(state=Goal.State.CLOSED)
    if unit_path is not None:
        qs = qs.filter(owner_path__startswith=unit_path)
    worst = Case(
        When(_kr_with_status(Status.OFF_TRACK), then=Value(Status.OFF_TRACK.value)),
        When(_kr_with_status(Status.AT_RISK), then=Value(Status.AT_RISK.value)),
        default=Value(Status.ON_TRACK.value),
        output_field=CharField(),
    )
    return qs.annotate(
        current_status=worst,
        column=Case(
            When(state=Goal.State.AGREED, then=worst),
            default=Value(NOT_AGREED),
            output_field=CharField(),
        ),
    )


def board_counts(goals: QuerySet[Goal]) -> dict[str, int]:
    """Cards per column, in one aggregate query."""
    counts = dict.fromkeys(BOARD_COLUMNS, 0)
    for row in goals.values("column").annotate(n=Count("pk")).order_by():
        counts[row["column"]] = row["n"]
    return counts


_LEVEL_RANK = Case(
    When(level=Goal.Level.COMPANY, then=Value(0)),
    When(level=Goal.Level.UNIT, then=Value(1)),
    default=Value(2),
)
_CARD_ORDER = ("level_rank", "owner_path", "title", "pk")


def _cards(goals: QuerySet[Goal]) -> QuerySet[Goal]:
    n_krs = (
        KeyResult.objects.filter(goal_id=OuterRef("pk"))
        .order_by()
        .values("goal_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        goals.select_related("owner_person", "owner_unit")
        .only(
            "pk",
            "title",
            "level",
            "state",
            "progress",
            "commitment",
            "owner_path",
            "owner_person__display_name",
            "owner_unit__name",
        )
        .annotate(
            level_rank=_LEVEL_RANK,
            kr_count=Coalesce(Subquery(n_krs, output_field=IntegerField()), 0),
        )
    )


def board_first_pages(goals: QuerySet[Goal]) -> dict[str, list[Goal]]:
    """The first BOARD_PAGE cards of every column, in one query (a row number per column)."""
    ranked = _cards(goals).annotate(
        row=Window(
            RowNumber(),
            partition_by=[F("column")],
            order_by=[F(name) for name in _CARD_ORDER],
        )
    )
    columns: dict[str, list[Goal]] = {key: [] for key in BOARD_COLUMNS}
    for goal in ranked.filter(row__lte=BOARD_PAGE).order_by("column", *_CARD_ORDER):
        columns[goal.column].append(goal)
    return columns


def board_column_page(goals: QuerySet[Goal], column: str, page: int) -> list[Goal]:
    """One page (from 1) of one column's cards."""
    start = (page - 1) * BOARD_PAGE
    return list(
        _cards(goals.filter(column=column)).order_by(*_CARD_ORDER)[start : start + BOARD_PAGE]
    )


# ---------------------------------------------------------------------------------------------
# The goal tree page: levels opened on demand, each node's children paged

TREE_CHILDREN_PAGE = 20  # children shown under one node at a time
TREE_LEVEL_CAP = 200  # goals loaded per level at most (the rest open on demand)


@dataclass
class PagedNode:
    goal: Goal
    children: list[PagedNode] = field(default_factory=list)
    # Visible children not shown here (not loaded, or past this page), and where the next
    # page of children starts (None: every child is shown).
    more: int = 0
    next_offset: int | None = None

    def count(self) -> int:
        return 1 + sum(child.count() for child in self.children)


def goal_tree_page(root: Goal, viewer: Viewer, *, depth: int = 2, offset: int = 0) -> PagedNode:
    """The root and the visible goals aligned below it, `depth` levels open: each node with at
    most TREE_CHILDREN_PAGE children (the root's from `offset`), each level with at most
    TREE_LEVEL_CAP goals (first children of every node before the later ones). One query per
    open level (the rows and each parent's count of visible children, by row numbers over
    the parent's index) and one for the counts below the last level: `depth` + 1 queries,
    whatever the number of goals."""
    visible = permissions.visible_goals(viewer)
    top = PagedNode(root)
    frontier = {root.pk: top}
    for level in range(depth):
        start = offset if level == 0 else 0
        ranked = (
            visible.filter(parent_id__in=list(frontier))
            .select_related("owner_person", "owner_unit")
            .annotate(
                row=Window(
                    RowNumber(),
                    partition_by=[F("parent_id")],
                    order_by=[F("level"), F("title"), F("pk")],
                ),
                siblings=Window(Count("pk"), partition_by=[F("parent_id")]),
            )
        )
        rows = list(
            ranked.filter(row__gt=start, row__lte=start + TREE_CHILDREN_PAGE).order_by(
                "row", "parent_id"
            )[:TREE_LEVEL_CAP]
        )
        totals: dict[int, int] = {}
        for goal in rows:
            totals[goal.parent_id] = goal.siblings
        rows.sort(key=lambda g: (g.parent_id, g.row))
        nxt: dict[int, PagedNode] = {}
        for goal in rows:
            node = PagedNode(goal)
            frontier[goal.parent_id].children.append(node)
            nxt[goal.pk] = node
        for pk, node in frontier.items():
            shown = len(node.children)
            first = start if node is top else 0
            total = totals.get(pk)
            if total is None:
                # No child on this page: none at all, or the level's cap was reached before
                # this node (counted below with the last level's counts).
                node.more = -1 if first == 0 else 0
                continue
            node.more = max(total - first - shown, 0)
            node.next_offset = first + shown if node.more else None
        frontier = nxt
        if not frontier:
            break
    # Counts below the last open level, and for nodes the level cap left unopened.
    pending = {pk: node for pk, node in _walk(top) if node.more == -1 or pk in frontier}
    if pending:
        counts = dict(
            visible.filter(parent_id__in=list(pending))
            .values_list("parent_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for pk, node in pending.items():
            node.more = counts.get(pk, 0)
            node.next_offset = 0 if node.more else None
    return top


def _walk(node: PagedNode):
    yield node.goal.pk, node
    for child in node.children:
        yield from _walk(child)
