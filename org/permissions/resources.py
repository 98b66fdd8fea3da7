"""Scopes over resource requests and budgets.

Who sees a request: the requester, everyone above the requester (manager chain), the head of
the addressed unit and of every unit above it, the HRBPs of the requester's or the addressed
unit, and admins. Who decides: for a request to the requester's own unit (or a unit above it)
anyone in the requester's manager chain; for a cross-department request the head of the
addressed unit or of a unit above it; admins always; never the requester.

Budgets are seen by admins, by the heads of the unit (or a unit above it) and its HRBPs;
admins and those heads write them.
"""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from org.models import Person, Unit

from .people import _managed_ids, hrbp_paths, is_admin, manages

__all__ = [
    "can_decide_request",
    "can_write_budget",
    "decidable_requests_q",
    "get_budget_for",
    "get_resource_request_for",
    "headed_paths",
    "visible_budgets",
    "visible_resource_requests",
]


def headed_paths(viewer: Person) -> list[str]:
    """Paths of the units the viewer heads (cached on the viewer for the request)."""
    cached = getattr(viewer, "_headed_paths", None)
    if cached is None:
        cached = list(Unit.objects.filter(head=viewer).values_list("path", flat=True))
        viewer._headed_paths = cached
    return cached


def _paths_q(paths: list[str], field: str) -> Q | None:
    if not paths:
        return None
    return reduce(or_, (Q(**{f"{field}__startswith": p}) for p in paths))


def decidable_requests_q(viewer: Person) -> Q:
    """A Q over ResourceRequest: the requests this viewer may decide (any state)."""
    if is_admin(viewer):
        return ~Q(requester=viewer)
    q = Q(is_cross_unit=False, requester_id__in=_managed_ids(viewer))
    heads = _paths_q(headed_paths(viewer), "unit__path")
    if heads is not None:
        q |= Q(is_cross_unit=True) & heads
    return q & ~Q(requester=viewer)


def visible_resource_requests(viewer: Person | None) -> QuerySet:
    from tracking.models import ResourceRequest

    if viewer is None:
        return ResourceRequest.objects.none()
    if is_admin(viewer):
        return ResourceRequest.objects.all()
    q = Q(requester=viewer) | Q(requester_id__in=_managed_ids(viewer))
    for extra in (
        _paths_q(headed_paths(viewer), "unit__path"),
        _paths_q(hrbp_paths(viewer), "unit__path"),
        _paths_q(hrbp_paths(viewer), "requester__unit__path"),
    ):
        if extra is not None:
            q |= extra
    return ResourceRequest.objects.filter(q)


def can_decide_request(viewer: Person | None, request_obj) -> bool:
    if viewer is None or viewer.pk == request_obj.requester_id:
        return False
    if is_admin(viewer):
        return True
    if request_obj.is_cross_unit:
        return any(request_obj.unit.path.startswith(p) for p in headed_paths(viewer))
    return manages(viewer, request_obj.requester)


def get_resource_request_for(viewer: Person | None, pk, *, action: str = "view"):
    """The request, or Http404 when the viewer may not see it; PermissionDenied when they see
    it but may not do `action` ("view", "decide", "fulfil", "withdraw")."""
    from tracking.models import ResourceRequest

    try:
        obj = (
            visible_resource_requests(viewer)
            .select_related(
                "requester__unit",
                "requester__user",
                "unit",
                "goal__cycle",
                "key_result",
                "approver",
                "decided_by",
                "budget",
            )
            .get(pk=pk)
        )
    except (ResourceRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action in ("decide", "fulfil") and not can_decide_request(viewer, obj):
        raise PermissionDenied
    if action == "withdraw" and obj.requester_id != viewer.pk:
        raise PermissionDenied
    return obj


def visible_budgets(viewer: Person | None) -> QuerySet:
    from tracking.models import Budget

    if viewer is None:
        return Budget.objects.none()
    if is_admin(viewer):
        return Budget.objects.all()
    q = _paths_q(headed_paths(viewer) + hrbp_paths(viewer), "unit__path")
    return Budget.objects.filter(q) if q is not None else Budget.objects.none()


def can_write_budget(viewer: Person | None, unit: Unit) -> bool:
    if viewer is None:
        return False
    return is_admin(viewer) or any(unit.path.startswith(p) for p in headed_paths(viewer))


def get_budget_for(viewer: Person | None, pk, *, action: str = "view"):
    from tracking.models import Budget

    try:
        obj = visible_budgets(viewer).select_related("unit", "cycle").get(pk=pk)
    except (Budget.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "change" and not can_write_budget(viewer, obj.unit):
        raise PermissionDenied
    return obj
