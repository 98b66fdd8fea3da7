"""Goals keep their owners' unit paths (`Goal.owner_path`) current when the organisation moves
(connected in GoalsConfig.ready to org.signals: org cannot import goals)."""

from __future__ import annotations

from django.db.models import Value
from django.db.models.functions import Concat, Substr

from goals.models import Goal
from org.models import Unit


def subtree_moved(sender, *, old_path: str, new_path: str, **kwargs) -> None:
    Goal.objects.filter(owner_path__startswith=old_path).update(
        owner_path=Concat(Value(new_path), Substr("owner_path", len(old_path) + 1))
    )


def person_moved(sender, *, person, new_unit_id: int, **kwargs) -> None:
    path = Unit.objects.filter(pk=new_unit_id).values_list("path", flat=True).first() or ""
    Goal.objects.filter(owner_person=person).update(owner_path=path)


def person_moved_rollups(sender, *, person, old_unit_id: int, new_unit_id: int, **kwargs) -> None:
    """The person's goals now count in their new unit's row, no longer in the old one's."""
    from goals.services import rollups

    paths = list(
        Unit.objects.filter(pk__in=[old_unit_id, new_unit_id]).values_list("path", flat=True)
    )
    cycles = set(Goal.objects.filter(owner_person=person).values_list("cycle_id", flat=True))
    rollups.recompute(set(), {(p, c) for p in paths for c in cycles})


# Goal and key-result fields the read models (goals.models.rollups) depend on: a save that
# writes none of them leaves the rows as they are.
GOAL_INPUTS = frozenset(
    {
        "state",
        "weight",
        "progress",
        "owner_person",
        "owner_unit",
        "owner_path",
        "cycle",
        "starts_on",
    }
)
KEY_RESULT_INPUTS = frozenset(
    {
        "goal",
        "progress",
        "current_value",
        "start_value",
        "target_value",
        "target_high",
        "direction",
        "due_on",
        "milestones",
        "pace_on",
    }
)


def goal_saved(sender, instance: Goal, created: bool, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and not GOAL_INPUTS & set(update_fields)):
        return
    from goals.services import rollups

    before = getattr(instance, "_rollup_key_as_loaded", None)
    now = (instance.owner_person_id, instance.owner_path, instance.cycle_id)
    rollups.touch_goals([instance.pk], also=[before] if before and before != now else None)
    instance._rollup_key_as_loaded = now


def goal_deleted(sender, instance: Goal, **kwargs):
    from goals.services import rollups

    rollups.touch_goals(
        [], also=[(instance.owner_person_id, instance.owner_path, instance.cycle_id)]
    )


def key_result_saved(sender, instance, created: bool, update_fields=None, raw=False, **kwargs):
    # A new value (`value_at` written: goals.services.measurements) is followed by the progress
    # refresh, which touches the rows of every goal it recomputed.
    if raw or (
        update_fields is not None
        and ("value_at" in update_fields or not KEY_RESULT_INPUTS & set(update_fields))
    ):
        return
    from goals.services import rollups

    rollups.touch_goals([instance.goal_id])


def key_result_deleted(sender, instance, **kwargs):
    from goals.services import rollups

    goal = (
        Goal.objects.filter(pk=instance.goal_id)
        .values_list("owner_person_id", "owner_path", "cycle_id")
        .first()
    )
    if goal:
        rollups.touch_goals([], also=[goal])


# --- alignment findings (goals.services.alignment_findings) --------------------------------

# Goal fields the findings read (their texts name the title; weights, kinds, levels, states,
# parents, owners and cycles decide them).
FINDINGS_INPUTS = frozenset(
    {
        "title",
        "kind",
        "level",
        "state",
        "weight",
        "cycle",
        "parent",
        "owner_person",
        "owner_unit",
        "owner_path",
    }
)
FINDINGS_KR_INPUTS = frozenset(
    {"goal", "name", "metric", "unit", "direction", "target_value", "weight", "due_on"}
)


def _structure_index() -> dict[str, int]:
    from goals.models.goal import FINDINGS_STRUCTURE

    return {name: n for n, name in enumerate(FINDINGS_STRUCTURE)}


FINDINGS_STRUCTURE_INDEX = _structure_index()


def _structure(values: tuple | None) -> tuple | None:
    if values is None:
        return None
    *rest, state = values
    return (*rest, state == Goal.State.CLOSED)


def goal_saved_findings(sender, instance: Goal, created: bool, update_fields=None, raw=False, **kw):
    if raw or (update_fields is not None and not FINDINGS_INPUTS & set(update_fields)):
        return
    from goals.models.goal import FINDINGS_STRUCTURE
    from goals.services import alignment_findings

    before = getattr(instance, "_findings_as_loaded", None)
    now = tuple(getattr(instance, name) for name in FINDINGS_STRUCTURE)
    old_parent, old_person, old_unit, old_cycle = (before or (None,) * 4)[:4]
    title_before = getattr(instance, "_title_as_loaded", None)
    parents, children = _neighbours(instance, created, before, now, title_before)
    alignment_findings.touch_goals(
        # The new parent is touched as the goal's parent, the old one (if another) as itself.
        [instance.pk, old_parent if parents and old_parent != instance.parent_id else None],
        people=[old_person],
        units=[old_unit],
        cycles=[old_cycle],
        cross=created or _structure(before) != _structure(now),
        parents=parents,
        children=children,
    )
    instance._findings_as_loaded = now
    instance._title_as_loaded = instance.__dict__.get("title")


def _neighbours(instance: Goal, created: bool, before, now, title_before):
    """Which neighbours a goal's save can move the findings of: (its parent?, its children:
    all, none or these ids). The parent's findings read its children's existence and closing
    (cascade gaps); the children's read their parent's title (late children), cycle (late
    children, SMART relevant) and key results (kept by the key-result receivers). A goal not
    loaded from the database (nothing to compare with) moves both."""
    if created:
        return True, False  # a new goal has no children yet
    if before is None or title_before is None:
        return True, True
    parent_id, closed = FINDINGS_STRUCTURE_INDEX["parent_id"], FINDINGS_STRUCTURE_INDEX["state"]
    was_closed = before[closed] == Goal.State.CLOSED
    parents = before[parent_id] != now[parent_id] or was_closed != (
        now[closed] == Goal.State.CLOSED
    )
    if before[FINDINGS_STRUCTURE_INDEX["cycle_id"]] != now[FINDINGS_STRUCTURE_INDEX["cycle_id"]]:
        return parents, True
    if title_before != instance.title:
        # Only a child found due after this goal names its title.
        from goals.models import AlignmentFinding

        return parents, list(
            AlignmentFinding.objects.filter(
                kind="late_children", goal__parent_id=instance.pk
            ).values_list("goal_id", flat=True)
        )
    return parents, False


# Goals being deleted: their key results go first (each post_delete sent while the goal row is
# still there), and must not write findings for the goal that is going.
_deleting: set[int] = set()


def goal_deleting_findings(sender, instance: Goal, **kwargs):
    """Before the delete: the children (about to lose their parent) and the parent."""
    _deleting.add(instance.pk)
    instance._findings_neighbours = [
        instance.parent_id,
        *Goal.objects.filter(parent_id=instance.pk).values_list("pk", flat=True),
    ]


def goal_deleted_findings(sender, instance: Goal, **kwargs):
    from goals.services import alignment_findings

    _deleting.discard(instance.pk)
    alignment_findings.touch_goals(
        getattr(instance, "_findings_neighbours", [instance.parent_id]),
        people=[instance.owner_person_id],
        units=[instance.owner_unit_id],
        cycles=[instance.cycle_id],
        cross=True,
    )


def key_result_saved_findings(sender, instance, created: bool, update_fields=None, raw=False, **kw):
    if raw or (update_fields is not None and not FINDINGS_KR_INPUTS & set(update_fields)):
        return
    from goals.services import alignment_findings

    # The parent goal's cascade gaps read this key result's goal, metric and target; the
    # child goals' late-children findings read its due date (`KeyResult.from_db` remembers
    # them as loaded). A new key result, or one not loaded, moves both.
    before = None if created else getattr(instance, "_findings_as_loaded", None)
    now = tuple(getattr(instance, name) for name in instance.FINDINGS_FIELDS)
    alignment_findings.touch_goals(
        [instance.goal_id],
        owners=False,
        parents=before is None or before[:3] != now[:3],
        children=before is None or before[3] != now[3],
    )
    instance._findings_as_loaded = now


def key_result_deleted_findings(sender, instance, **kwargs):
    if instance.goal_id in _deleting:
        return
    from goals.services import alignment_findings

    alignment_findings.touch_goals([instance.goal_id], owners=False)


def supports_changed_findings(sender, instance, action: str, pk_set=None, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    from goals.services import alignment_findings

    cycles = (
        set(
            Goal.objects.filter(pk__in=[*(pk_set or ()), instance.pk]).values_list(
                "cycle_id", flat=True
            )
        )
        if isinstance(instance, Goal)
        else None
    )
    alignment_findings.cross_unit_on_commit(alignment_findings.cycles_covered_by(cycles or ()))


def person_saved_findings(sender, instance, raw=False, **kwargs):
    """A person joins, leaves, moves or is renamed: their "no goals" and other person
    findings (a save that changed none of these leaves them as they are)."""
    if raw or not (
        kwargs.get("created")
        or instance.changed_since_loaded("unit_id", "is_active", "display_name", "manager_id")
    ):
        return
    from goals.services import alignment_findings

    alignment_findings.recompute_people([instance.pk])


def unit_saved_findings(sender, instance, raw=False, **kwargs):
    """A unit's head or place changed: the head's findings, and the cross-unit ones (a review's
    sub-units) of the open cycles."""
    if raw:
        return
    from goals.services import alignment_findings

    alignment_findings.recompute_people([instance.head_id])
    alignment_findings.cross_unit_on_commit(alignment_findings.open_cycle_ids())


def membership_changed_findings(sender, instance, raw=False, **kwargs):
    """A task force's members count in their home units' reviews."""
    if raw:
        return
    from goals.services import alignment_findings

    alignment_findings.cross_unit_on_commit(alignment_findings.open_cycle_ids())


def cycle_saved_findings(sender, instance, created: bool, raw=False, **kwargs):
    """A new cycle: everyone has no goal in it yet (it has no goals: a few queries)."""
    if raw or not created:
        return
    from goals.services import alignment_findings

    alignment_findings.rebuild(cycles=[instance])
