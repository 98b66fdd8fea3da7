"""Cycles: admins plan, open and close them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from goals.models import Cycle, KeyResult
from org import permissions
from org.models import Person

TRANSITIONS = {
    Cycle.State.PLANNING: {Cycle.State.ACTIVE},
    Cycle.State.ACTIVE: {Cycle.State.CLOSED},
    Cycle.State.CLOSED: set(),
}


def _check_admin(actor: Person) -> None:
    if not permissions.is_admin(actor):
        raise PermissionDenied(_("Only administrators manage cycles."))


@transaction.atomic
def create_cycle(*, actor: Person, name: str, kind: str, starts_on, ends_on, parent=None) -> Cycle:
    _check_admin(actor)
    cycle = Cycle(name=name, kind=kind, starts_on=starts_on, ends_on=ends_on, parent=parent)
    cycle.full_clean()
    cycle.save()
    return cycle


@transaction.atomic
def update_cycle(*, actor: Person, cycle: Cycle, **changes) -> Cycle:
    """Rename, re-date or move a cycle along planning → active → closed."""
    _check_admin(actor)
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    state = changes.pop("state", cycle.state)
    if state != cycle.state and state not in TRANSITIONS[cycle.state]:
        raise ValidationError(
            {
                "state": _("A cycle cannot go from %(old)s to %(new)s.")
                % {"old": cycle.get_state_display(), "new": state}
            }
        )
    unknown = set(changes) - {"name", "kind", "starts_on", "ends_on", "parent"}
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if cycle.state == Cycle.State.CLOSED and changes:
        raise ValidationError(_("A closed cycle cannot change."))
    for field, value in changes.items():
        setattr(cycle, field, value)
    cycle.state = state
    cycle.full_clean()
    outside = KeyResult.objects.filter(goal__cycle=cycle, due_on__isnull=False).exclude(
        due_on__range=(cycle.starts_on, cycle.ends_on)
    )
    if outside.exists():
        raise ValidationError(
            {"ends_on": _("Some key results fall due outside these dates; move them first.")}
        )
    cycle.save()
    return cycle
