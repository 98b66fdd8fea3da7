"""Scope of the audit trail (the history of goals, key results, adjustments, budgets, resource
requests, awards and incentive rules).

- Admins read every change.
- An HRBP reads the changes to objects in the units they partner (and below them).
- Nobody else reads the audit trail: the page and the API answer 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from org.models import Person, Unit

from .people import _subtree_q, hrbp_paths, is_admin, is_hrbp

__all__ = ["audit_units", "can_see_audit", "visible_audit_q"]


def can_see_audit(viewer: Person | None) -> bool:
    return is_admin(viewer) or is_hrbp(viewer)


def visible_audit_q(viewer: Person | None, unit_paths: Sequence[str]) -> Q:
    """A filter over one kind of history rows: `unit_paths` are the lookups from a history row
    to the path of each unit its object belongs to (e.g. `("owner_unit__path",
    "owner_person__unit__path")`). Q() for admins; the rows in the viewer's partnered subtrees
    for an HRBP; Http404 for anyone else."""
    if is_admin(viewer):
        return Q()
    paths = hrbp_paths(viewer) if viewer is not None else []
    if not paths:
        raise Http404
    return reduce(
        or_, (Q(**{f"{lookup}__startswith": path}) for lookup in unit_paths for path in paths)
    )


def audit_units(viewer: Person | None) -> QuerySet[Unit]:
    """The units whose changes the viewer may audit (for the unit filter)."""
    if is_admin(viewer):
        return Unit.objects.all()
    q = _subtree_q(hrbp_paths(viewer), field="path") if viewer is not None else None
    return Unit.objects.filter(q) if q is not None else Unit.objects.none()
