"""Reads over threads: an object's comments with their replies, authors and what the viewer
may do; two queries whatever the number of comments."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from coordination import permissions
from coordination.models import Comment, Meeting, MeetingAction, TaskForce
from goals import permissions as goal_permissions
from goals.models import Goal, UnitCycleRollup
from goals.services import rollups
from org.models import TaskForceMembership
from org.scopes import Viewer, ViewerLike, may_follow
from retros import providers, search

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


MEETING_TEXTS = ("title", "decisions", "notes", "actions__text")


def meeting_search_hits(
    viewer: ViewerLike, groups: list, terms: list[str], limit: int
) -> list[providers.SearchHit]:
    """The lessons search's provider of meetings (registered in CoordinationConfig.ready): the
    meetings the viewer may see whose title, decisions, notes or actions match every term
    group (else any), ranked by the lessons' score, best first. Two queries."""
    if not groups:
        return []
    visible = permissions.visible_meetings(viewer)

    def matching(any_term: bool) -> list[Meeting]:
        ids = Meeting.objects.filter(search.match_q(MEETING_TEXTS, groups, any_term=any_term))
        return list(
            visible.filter(pk__in=ids.values("pk"))
            .select_related("organizer")
            .prefetch_related(Prefetch("actions", MeetingAction.objects.order_by("pk")))
            .order_by("-held_on", "-pk")[: limit * 4]
        )

    rows = matching(False)
    if not rows and len(groups) > 1:
        rows = matching(True)
    hits = []
    for meeting in rows:
        actions = [a.text for a in meeting.actions.all()]
        body = search.document(meeting.decisions, meeting.notes, *actions)
        hits.append(
            providers.SearchHit(
                kind=str(meeting.get_kind_display()),
                title=search.highlight(meeting.title, terms),
                snippet=search.snippet([meeting.decisions, *actions, meeting.notes], terms),
                meta=f"{meeting.held_on:%Y-%m-%d} · {meeting.organizer.display_name}",
                url=reverse("coordination:meeting", args=[meeting.pk]),
                score=search.python_score(terms, search.document(meeting.title), body).score,
            )
        )
    hits.sort(key=lambda hit: -hit.score)  # stable: newest first among equals
    return hits[:limit]


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


# --- task forces -------------------------------------------------------------------------


def attach_progress(task_forces: list[TaskForce]) -> list[TaskForce]:
    """Set `rollup` (the unit × cycle read model of the task force's own goals, None before it
    has any) on each: two queries whatever their number (one more when a row is of an earlier
    day and is brought to today)."""
    if not task_forces:
        return task_forces
    rows = UnitCycleRollup.objects.filter(
        unit_id__in=[t.unit_id for t in task_forces],
        cycle_id__in={t.cycle_id for t in task_forces},
    )
    rollups.refresh(rows)
    by_key = {(r.unit_id, r.cycle_id): r for r in rows}
    for task_force in task_forces:
        task_force.rollup = by_key.get((task_force.unit_id, task_force.cycle_id))
    return task_forces


def task_forces(viewer: ViewerLike, *, state: str = "") -> QuerySet[TaskForce]:
    """The task forces the viewer may see (active first), with unit, lead, cycle and how many
    members each has."""
    qs = permissions.visible_task_forces(viewer)
    if state:
        qs = qs.filter(state=state)
    return (
        qs.select_related("unit", "unit__head", "cycle")
        .annotate(member_count=Count("unit__task_force_memberships"))
        .order_by("state", "-cycle__ends_on", "unit__name", "pk")
    )


def task_force_detail(viewer: ViewerLike, pk) -> TaskForce:
    """A visible task force with its members (and their home units), the goals of it the
    viewer may see, its progress from the rollups and what the viewer may do."""
    viewer = Viewer.of(viewer)
    task_force = permissions.get_task_force_for(viewer, pk)
    task_force.members = list(
        TaskForceMembership.objects.filter(unit=task_force.unit)
        .select_related("person", "person__unit")
        .order_by("-role", "person__display_name")
    )
    task_force.member_count = len(task_force.members)
    task_force.goals = list(
        goal_permissions.visible_goals(viewer)
        .filter(owner_unit=task_force.unit)
        .exclude(state=Goal.State.RETURNED)
        .select_related("cycle")
        .order_by("cycle__starts_on", "title", "pk")
    )
    task_force.actions = permissions.task_force_actions(viewer, task_force)
    attach_progress([task_force])
    return task_force


def home_task_forces(person) -> list[TaskForce]:
    """The active task forces a person belongs to, for their home page: each with the person's
    `role` and its progress from the rollups. Three queries whatever their number."""
    memberships = list(
        TaskForceMembership.objects.filter(
            person=person, unit__task_force__state=TaskForce.State.ACTIVE
        ).select_related("unit__task_force__cycle", "unit__head")
    )
    found = []
    for membership in memberships:
        task_force = membership.unit.task_force
        task_force.role = membership.role
        found.append(task_force)
    return attach_progress(found)
