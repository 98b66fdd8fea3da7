"""Who may come in: the one page decorator and the one API permission every view uses.

Pages: `@person_required` (signed in, else the sign-in page; a user without a Person record
answers 404: nothing here is theirs). The view then reads `request.viewer` / `request.person`.

API: `SignedIn` is the default permission class (REST_FRAMEWORK in settings); views with
permission classes of their own list it first. It puts the authenticated user's viewer on the
request (the token's user is only known after DRF authenticates, after the middleware ran),
and `ViewerAPIMixin` gives viewsets `self.viewer`.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.http import Http404
from rest_framework.permissions import BasePermission

from org import tokens
from org.identity import viewer_for
from org.scopes import Viewer, adopt


def person_required(view):
    """A page for signed-in people with a Person record; 404 for a user without one."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.person is None:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def attach_viewer(request) -> Viewer:
    """`request.viewer` for the user DRF authenticated (the middleware's when it is the same
    person, so a session's scopes are computed once)."""
    base = getattr(request, "_request", request)
    user = request.user
    viewer = getattr(base, "viewer", None)
    same = (
        viewer is not None
        and viewer.person is not None
        and user is not None
        and viewer.person.user_id == user.pk
    )
    if not same:
        viewer = viewer_for(user)
        base.viewer, base.person = viewer, viewer.person
        adopt(viewer)
    return viewer


def service_scope_of(view, method: str) -> str | None:
    """The service scope a view asks of a service account for `method`: the view's
    `service_scopes` (a dict of method → scope, "*" for any), None when it admits none."""
    scopes = getattr(view, "service_scopes", None) or {}
    return scopes.get(method.upper(), scopes.get("*"))


def service_account(request):
    """The service account a request's token belongs to, or None (a person, a session)."""
    return tokens.service_account_of(request.user) if request.auth is not None else None


class SignedIn(BasePermission):
    """Authenticated (session or token), with `request.viewer` set for that user. A service
    account passes only views that name a scope for the method (`service_scopes`) it holds:
    everything made for people refuses it."""

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        # Only a token reaches a service account (its user has no usable password), and the
        # token's authentication joined it: no query for people.
        account = service_account(request)
        if account is not None:
            scope = service_scope_of(view, request.method)
            if scope is None or not tokens.has_scope(account, scope):
                return False
        attach_viewer(request)
        return True


class ViewerAPIMixin:
    """`self.viewer` (the request's Viewer) and `self.person` (its Person, 404 when the user
    has none) for viewsets."""

    @property
    def viewer(self) -> Viewer:
        viewer = getattr(self.request, "viewer", None)
        # Schema generation builds views over a bare request: nobody is signed in there.
        return viewer if viewer is not None else attach_viewer(self.request)

    @property
    def person(self):
        person = self.viewer.person
        # drf-spectacular builds each view once, signed out, to read its queryset's model.
        if person is None and not getattr(self, "swagger_fake_view", False):
            raise Http404
        return person
