"""Scopes over threads: a comment is seen by exactly those who may see its object (the owning
app's permissions, through coordination.targets); whoever sees the object may comment and
reply; only the author edits a comment. 404 for what the viewer may not see."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from coordination import targets
from coordination.models import Comment, Meeting, MeetingAction, TaskForce
from org.models import Person
from org.scopes import Viewer, ViewerLike, followed_people_q, subtree_q

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


# --- meetings ----------------------------------------------------------------------------
# A meeting is seen by whoever may follow one of its people (participants, organizer, action
# owners): themselves, those above them, their HRBP, admins. Managers, HRBPs and admins record
# meetings; an action is completed by its owner, the organizer or an admin.
COMPLETE = "complete"


def visible_meetings(viewer: ViewerLike) -> QuerySet[Meeting]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return Meeting.objects.none()
    if viewer.is_admin:
        return Meeting.objects.all()
    followed = Person.objects.filter(followed_people_q(viewer, "")).values("pk")
    ids = Meeting.objects.filter(
        Q(participants__in=followed) | Q(organizer__in=followed) | Q(actions__owner__in=followed)
    ).values("pk")
    return Meeting.objects.filter(pk__in=ids)


def can_record_meeting(viewer: ViewerLike) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.person is not None and (viewer.is_admin or viewer.is_manager or viewer.is_hrbp)


def get_meeting_for(viewer: ViewerLike, pk) -> Meeting:
    try:
        return visible_meetings(viewer).select_related("organizer", "cycle").get(pk=pk)
    except (Meeting.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_complete(viewer: ViewerLike, action: MeetingAction) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.person is not None and (
        viewer.is_admin or viewer.pk in (action.owner_id, action.meeting.organizer_id)
    )


def action_actions(viewer: ViewerLike, action: MeetingAction) -> list[str]:
    return [COMPLETE] if action.done_at is None and may_complete(viewer, action) else []


def get_meeting_action_for(viewer: ViewerLike, pk, action: str = "view") -> MeetingAction:
    try:
        row = (
            MeetingAction.objects.filter(meeting__in=visible_meetings(viewer).values("pk"))
            .select_related("meeting", "owner")
            .get(pk=pk)
        )
    except (MeetingAction.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == COMPLETE and not may_complete(viewer, row):
        raise PermissionDenied(_("Only the action's owner or the organizer completes it."))
    return row


# --- task forces -------------------------------------------------------------------------
# A task force is seen by its members, whoever follows a member (their managers, their HRBP),
# the heads and HRBPs of the units above it, its creator and admins. Heads of units, HRBPs and
# admins create one; its lead, its creator and admins change its members and dissolve it.
MANAGE_TASK_FORCE = "manage"


def can_create_task_force(viewer: ViewerLike) -> bool:
    """Heads of units (a task force's lead does not count for that), HRBPs and admins."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return False
    if viewer.is_admin or viewer.is_hrbp:
        return True
    return viewer.heads_org_unit


def visible_task_forces(viewer: ViewerLike) -> QuerySet[TaskForce]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return TaskForce.objects.none()
    if viewer.is_admin:
        return TaskForce.objects.all()
    q = Q(created_by=viewer.person) | Q(unit__path__in=viewer.task_force_paths)
    if viewer.followed_task_force_paths is not None:
        q |= Q(unit__path__in=viewer.followed_task_force_paths)
    for extra in (
        subtree_q(viewer.headed_paths, "unit__path"),
        subtree_q(viewer.hrbp_paths, "unit__path"),
    ):
        if extra is not None:
            q |= extra
    return TaskForce.objects.filter(q)


def may_manage_task_force(viewer: ViewerLike, task_force: TaskForce) -> bool:
    viewer = Viewer.of(viewer)
    return viewer.person is not None and (
        viewer.is_admin or viewer.pk in (task_force.created_by_id, task_force.unit.head_id)
    )


def task_force_actions(viewer: ViewerLike, task_force: TaskForce) -> list[str]:
    """What the viewer may do with the task force now (select its unit with it)."""
    if task_force.state != TaskForce.State.ACTIVE:
        return []
    return [MANAGE_TASK_FORCE] if may_manage_task_force(viewer, task_force) else []


def get_task_force_for(viewer: ViewerLike, pk, action: str = "view") -> TaskForce:
    """The task force, or Http404 when the viewer may not see it; PermissionDenied when they
    may see it but not manage it."""
    try:
        task_force = (
            visible_task_forces(viewer)
            .select_related("unit", "unit__head", "cycle", "created_by", "retrospective")
            .get(pk=pk)
        )
    except (TaskForce.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == MANAGE_TASK_FORCE and not may_manage_task_force(viewer, task_force):
        raise PermissionDenied(_("Only the lead, the creator or an admin changes a task force."))
    return task_force
