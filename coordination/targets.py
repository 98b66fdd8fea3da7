"""What a thread can be about, resolved through the owning app's permissions: `get(viewer,
kind, pk)` (404 for what the viewer may not see), `can_see(person, kind, pk)` and the object's
page. Nothing below coordination knows about threads; their pages load them from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import reverse

from coordination.models import TargetKind
from goals import permissions as goal_permissions
from org.scopes import Viewer, ViewerLike
from resources import permissions as resource_permissions
from retros import permissions as retro_permissions
from tracking import permissions as tracking_permissions


@dataclass(frozen=True)
class Target:
    visible: Callable[[ViewerLike], QuerySet]
    url: Callable[[Model], str]
    title: Callable[[Model], str]


TARGETS: dict[str, Target] = {
    TargetKind.GOAL: Target(
        goal_permissions.visible_goals,
        lambda o: reverse("goals:detail", args=[o.pk]),
        lambda o: o.title,
    ),
    TargetKind.KEY_RESULT: Target(
        goal_permissions.visible_key_results,
        lambda o: reverse("goals:detail", args=[o.goal_id]) + f"#kr-{o.pk}",
        lambda o: o.name,
    ),
    TargetKind.CHECK_IN: Target(
        tracking_permissions.visible_check_ins,
        lambda o: reverse("tracking:check-in", args=[o.pk]),
        lambda o: str(o),
    ),
    TargetKind.RESOURCE_REQUEST: Target(
        resource_permissions.visible_resource_requests,
        lambda o: reverse("resources:resource-detail", args=[o.pk]),
        lambda o: o.title,
    ),
    TargetKind.RETROSPECTIVE: Target(
        retro_permissions.visible_retrospectives,
        lambda o: reverse("retros:detail", args=[o.pk]),
        lambda o: o.title,
    ),
}


def get(viewer: ViewerLike, kind: str, pk) -> Model:
    """The object a thread is about, or Http404 when the kind is unknown or the viewer may not
    see it."""
    target = TARGETS.get(kind)
    viewer = Viewer.of(viewer)
    if target is None or viewer.person is None:
        raise Http404
    try:
        return target.visible(viewer).get(pk=pk)
    except (target.visible(viewer).model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_see(person, kind: str, pk) -> bool:
    return TARGETS[kind].visible(Viewer.of(person)).filter(pk=pk).exists()


def url(kind: str, obj: Model) -> str:
    return TARGETS[kind].url(obj)


def title(kind: str, obj: Model) -> str:
    return TARGETS[kind].title(obj)
