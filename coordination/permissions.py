"""Scopes over threads: a comment is seen by exactly those who may see its object (the owning
app's permissions, through coordination.targets); whoever sees the object may comment and
reply; only the author edits a comment. 404 for what the viewer may not see."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from coordination import targets
from coordination.models import Comment
from org.scopes import Viewer, ViewerLike

EDIT = "edit"


def thread_comments(viewer: ViewerLike, kind: str, pk) -> QuerySet[Comment]:
    """The comments on an object the viewer may see (Http404 otherwise)."""
    obj = targets.get(viewer, kind, pk)
    return Comment.objects.filter(target_kind=kind, target_id=obj.pk)


def can_edit(viewer: ViewerLike, comment: Comment) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.person is not None and comment.author_id == viewer.pk


def comment_actions(viewer: ViewerLike, comment: Comment) -> list[str]:
    return [EDIT] if can_edit(viewer, comment) else []


def get_comment_for(viewer: ViewerLike, pk, action: str = "view") -> Comment:
    """The comment, or Http404 when the viewer may not see its object; PermissionDenied when
    they may see it but not edit it."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        raise Http404
    try:
        comment = Comment.objects.select_related("author__user").get(pk=pk)
    except (Comment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    targets.get(viewer, comment.target_kind, comment.target_id)
    if action == EDIT and not can_edit(viewer, comment):
        raise PermissionDenied(_("Only its author may change a comment."))
    return comment
