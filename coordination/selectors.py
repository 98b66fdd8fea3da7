"""Reads over threads: an object's comments with their replies, authors and what the viewer
may do; two queries whatever the number of comments."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from coordination import permissions
from coordination.models import Comment, Meeting, MeetingAction
from goals import permissions as goal_permissions
from org.scopes import Viewer, ViewerLike, may_follow

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


def meetings(viewer: ViewerLike, *, q: str = "") -> QuerySet[Meeting]:
    """The meetings the viewer may see, newest first; `q` searches titles, decisions, notes and
    actions (the words people remember a decision by)."""
    qs = permissions.visible_meetings(viewer).select_related("organizer", "cycle")
    q = (q or "").strip()
    if q:
        ids = Meeting.objects.filter(
            Q(title__icontains=q)
            | Q(decisions__icontains=q)
            | Q(notes__icontains=q)
            | Q(actions__text__icontains=q)
        ).values("pk")
        qs = qs.filter(pk__in=ids)
    return qs.order_by("-held_on", "-pk")


def meeting_detail(viewer: ViewerLike, pk) -> Meeting:
    """A visible meeting with its participants, the goals discussed the viewer may see, and its
    actions (each with what the viewer may do: `can_complete`)."""
    viewer = Viewer.of(viewer)
    meeting = permissions.get_meeting_for(viewer, pk)
    meeting.people = list(meeting.participants.order_by("display_name"))
    meeting.visible_goals = list(
        goal_permissions.visible_goals(viewer)
        .filter(meetings=meeting)
        .select_related("owner_person", "owner_unit")
        .order_by("title")
    )
    meeting.action_rows = list(meeting.actions.select_related("owner").order_by("due_on", "pk"))
    for action in meeting.action_rows:
        action.meeting = meeting
        action.can_complete = permissions.COMPLETE in permissions.action_actions(viewer, action)
    return meeting


def open_actions(viewer: ViewerLike, person) -> list[MeetingAction]:
    """The open meeting actions of a person the viewer may follow (their check-in shows them),
    oldest due first; an empty list for anyone else."""
    viewer = Viewer.of(viewer)
    if not may_follow(viewer, person):
        return []
    rows = list(
        MeetingAction.objects.filter(owner=person, done_at__isnull=True)
        .select_related("meeting__organizer", "owner")
        .order_by("due_on", "pk")[:50]
    )
    today = timezone.localdate()
    for row in rows:
        row.can_complete = permissions.COMPLETE in permissions.action_actions(viewer, row)
        row.overdue = row.due_on < today
    return rows
