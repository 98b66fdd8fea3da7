"""Keeps the unit × week check-in rollup (`tracking.services.week_rollups`) current, in the
transaction of the write that moves it: check-ins saved while or after being submitted, or
deleted; key-result updates of a submitted check-in saved or deleted on their own; people
joining, leaving, moving between units, activated or deactivated."""

from __future__ import annotations

from org.models import Person
from tracking.models import CheckIn, KeyResultUpdate
from tracking.services import week_rollups


def _unit_of(check_in: CheckIn) -> int | None:
    person = check_in._state.fields_cache.get("person")
    if person is not None:
        return person.unit_id
    return Person.objects.filter(pk=check_in.person_id).values_list("unit_id", flat=True).first()


def check_in_saved(sender, *, instance: CheckIn, created: bool, raw: bool = False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_rollup_before", None)
    was_submitted = before is not None and before[2] == CheckIn.State.SUBMITTED
    if instance.state != CheckIn.State.SUBMITTED and not was_submitted:
        return  # a draft saved as a draft counts nowhere
    unit_id = _unit_of(instance)
    keys = {(unit_id, instance.week)}
    if was_submitted and before[1] != instance.week:
        keys.add((unit_id, before[1]))
    week_rollups.touched(keys)
    instance._rollup_before = (instance.person_id, instance.week, instance.state)


def check_in_deleted(sender, *, instance: CheckIn, **kwargs):
    before = getattr(instance, "_rollup_before", None)
    if instance.state != CheckIn.State.SUBMITTED and not (
        before and before[2] == CheckIn.State.SUBMITTED
    ):
        return
    week_rollups.touched({(_unit_of(instance), instance.week)})


def _update_touched(instance: KeyResultUpdate) -> None:
    check_in = instance._state.fields_cache.get("check_in")
    if check_in is not None:  # known: a draft's updates count nowhere
        if check_in.state == CheckIn.State.SUBMITTED:
            week_rollups.touched({(_unit_of(check_in), check_in.week)})
        return
    week_rollups.touched(check_in_ids={instance.check_in_id})


def update_saved(sender, *, instance: KeyResultUpdate, raw: bool = False, **kwargs):
    if not raw:
        _update_touched(instance)


def update_deleted(sender, *, instance: KeyResultUpdate, **kwargs):
    _update_touched(instance)


def person_saved(sender, *, instance: Person, created: bool, raw: bool = False, **kwargs):
    """A new active person is expected in their unit; an (in)activated one is expected, and
    their check-ins count, or no longer."""
    was_active = getattr(instance, "as_loaded", {}).get("is_active")  # org.Person.from_db
    if raw:
        return
    if (created and instance.is_active) or (
        not created and was_active is not None and was_active != instance.is_active
    ):
        week_rollups.touched(unit_ids={instance.unit_id})


def person_moved(sender, *, person, old_unit_id: int, new_unit_id: int, **kwargs) -> None:
    """The person's check-ins now count in their new unit's rows, and they are expected
    there, no longer in the old unit's."""
    week_rollups.touched(unit_ids={old_unit_id, new_unit_id})


def person_deleted(sender, *, instance: Person, **kwargs):
    week_rollups.touched(unit_ids={instance.unit_id})
