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
