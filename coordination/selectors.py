"""Reads over threads: an object's comments with their replies, authors and what the viewer
may do; two queries whatever the number of comments."""

from __future__ import annotations

from django.db.models import Prefetch

from coordination import permissions
from coordination.models import Comment
from org.scopes import Viewer, ViewerLike

THREAD_LIMIT = 200


def thread(viewer: ViewerLike, kind: str, pk) -> list[Comment]:
    """The top-level comments on an object (Http404 when the viewer may not see it), oldest
    first, each with `replies` loaded and `can_edit` set (on replies too)."""
    viewer = Viewer.of(viewer)
    comments = list(
        permissions.thread_comments(viewer, kind, pk)
        .filter(parent__isnull=True)
        .select_related("author")
        .prefetch_related(
            Prefetch(
                "replies",
                queryset=Comment.objects.select_related("author").order_by("created_at", "pk"),
            )
        )[:THREAD_LIMIT]
    )
    for comment in comments:
        comment.can_edit = permissions.can_edit(viewer, comment)
        for reply in comment.replies.all():
            reply.can_edit = permissions.can_edit(viewer, reply)
    return comments
