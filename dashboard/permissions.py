"""Scopes of the dashboard's own pages.

The audit trail (the history of goals, key results, adjustments, budgets, resource
requests, awards, incentive rules, units and people).

- Admins read every change.
- An HRBP reads the changes to objects in the units they partner (and below them).
- Nobody else reads the audit trail: the page and the API answer 404.

The HRBP overview of units: HRBPs (the units they partner) and admins (every department);
anyone else 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from org.models import Unit
from org.scopes import Viewer, ViewerLike, subtree_q

__all__ = ["audit_units", "can_see_audit", "can_see_units_overview", "visible_audit_q"]


def can_see_audit(viewer: ViewerLike) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.is_admin or viewer.is_hrbp


def can_see_units_overview(viewer: ViewerLike) -> bool:
    """The HRBP overview (/dashboard/units/): HRBPs (their partnered units) and admins."""
    viewer = Viewer.of(viewer)
    return viewer.is_admin or viewer.is_hrbp


def visible_audit_q(viewer: ViewerLike, unit_paths: Sequence[str]) -> Q:
    """A filter over one kind of history rows: `unit_paths` are the lookups from a history row
    to the path of each unit its object belongs to (e.g. `("owner_unit__path",
    "owner_person__unit__path")`). Q() for admins; the rows in the viewer's partnered subtrees
    for an HRBP; Http404 for anyone else."""
    viewer = Viewer.of(viewer)
    if viewer.is_admin:
        return Q()
    paths = viewer.hrbp_paths
    if not paths:
        raise Http404
    return reduce(
        or_, (Q(**{f"{lookup}__startswith": path}) for lookup in unit_paths for path in paths)
    )


def audit_units(viewer: ViewerLike) -> QuerySet[Unit]:
    """The units whose changes the viewer may audit (for the unit filter)."""
    viewer = Viewer.of(viewer)
    if viewer.is_admin:
        return Unit.objects.all()
    q = subtree_q(viewer.hrbp_paths, field="path")
    return Unit.objects.filter(q) if q is not None else Unit.objects.none()
