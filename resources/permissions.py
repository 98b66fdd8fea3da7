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

from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404

from goals import permissions as goal_permissions
from org.models import Unit
from org.scopes import Viewer, ViewerLike, subtree_q
from resources.models import Budget, ResourceRequest

__all__ = [
    "available_actions",
    "can_decide_request",
    "can_write_budget",
    "decidable_requests_q",
    "get_budget_for",
    "get_resource_request_for",
    "visible_budgets",
    "visible_resource_requests",
]


def decidable_requests_q(viewer: ViewerLike) -> Q:
    """A Q over ResourceRequest: the requests this viewer may decide (any state)."""
    viewer = Viewer.of(viewer)
    if viewer.is_admin:
        return ~Q(requester=viewer.person)
    managed = viewer.managed_q("requester")
    q = Q(is_cross_unit=False) & managed if managed is not None else Q(pk__in=[])
    heads = subtree_q(viewer.headed_paths, "unit__path")
    if heads is not None:
        q |= Q(is_cross_unit=True) & heads
    return q & ~Q(requester=viewer.person)


def with_goal_visibility(qs: QuerySet[ResourceRequest], viewer: Viewer) -> QuerySet:
    """`goal_visible` on each request: may this viewer see the goal it serves? (A head deciding
    a cross-department request may not see a private goal of the requester: pages and the API
    then show "a goal you cannot see" instead of its title and priority.) Same query, a join."""
    if viewer.is_admin:
        return qs.annotate(goal_visible=Value(True))
    return qs.annotate(
        goal_visible=Case(
            When(goal_permissions.visible_goals_q(viewer, "goal__"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def visible_resource_requests(viewer: ViewerLike) -> QuerySet[ResourceRequest]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return ResourceRequest.objects.none()
    return with_goal_visibility(_visible_resource_requests(viewer), viewer)


def _visible_resource_requests(viewer: Viewer) -> QuerySet[ResourceRequest]:
    if viewer.is_admin:
        return ResourceRequest.objects.all()
    q = Q(requester=viewer.person)
    managed = viewer.managed_q("requester")
    if managed is not None:
        q |= managed
    for extra in (
        subtree_q(viewer.headed_paths, "unit__path"),
        subtree_q(viewer.hrbp_paths, "unit__path"),
        subtree_q(viewer.hrbp_paths, "requester__unit__path"),
    ):
        if extra is not None:
            q |= extra
    return ResourceRequest.objects.filter(q)


def can_decide_request(viewer: ViewerLike, request_obj) -> bool:
    viewer = Viewer.of(viewer)
    if viewer.person is None or viewer.pk == request_obj.requester_id:
        return False
    if viewer.is_admin:
        return True
    if request_obj.is_cross_unit:
        return viewer.heads_subtree_of(request_obj.unit)
    return viewer.manages(request_obj.requester)


APPROVE, REJECT, FULFIL, WITHDRAW = "approve", "reject", "fulfil", "withdraw"
REQUEST_ACTIONS = (APPROVE, REJECT, FULFIL, WITHDRAW)


def available_actions(viewer: ViewerLike, request_obj) -> list[str]:
    """A submitted request is approved or rejected by its deciders and withdrawn by its
    requester; an approved (or partly approved) one is fulfilled by its deciders. The
    services check the same (and the budget, the amounts, a rejection's reason). Reads the
    request's addressed unit (selected with it) and the viewer's cached scopes."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return []
    state = request_obj.state
    if viewer.pk == request_obj.requester_id:
        return [WITHDRAW] if state == ResourceRequest.State.SUBMITTED else []
    if not can_decide_request(viewer, request_obj):
        return []
    if state == ResourceRequest.State.SUBMITTED:
        return [APPROVE, REJECT]
    if state in ResourceRequest.GRANTED_STATES:
        return [FULFIL]
    return []


def get_resource_request_for(viewer: ViewerLike, pk, *, action: str = "view"):
    """The request, or Http404 when the viewer may not see it; PermissionDenied when they see
    it but may not do `action` ("view", "decide", "fulfil", "withdraw")."""
    viewer = Viewer.of(viewer)
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


def visible_budgets(viewer: ViewerLike) -> QuerySet[Budget]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return Budget.objects.none()
    if viewer.is_admin:
        return Budget.objects.all()
    q = subtree_q(viewer.headed_paths + viewer.hrbp_paths, "unit__path")
    return Budget.objects.filter(q) if q is not None else Budget.objects.none()


def can_write_budget(viewer: ViewerLike, unit: Unit) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.is_admin or viewer.heads_subtree_of(unit)


def get_budget_for(viewer: ViewerLike, pk, *, action: str = "view"):
    try:
        obj = visible_budgets(viewer).select_related("unit", "cycle").get(pk=pk)
    except (Budget.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "change" and not can_write_budget(viewer, obj.unit):
        raise PermissionDenied
    return obj
