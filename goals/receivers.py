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
