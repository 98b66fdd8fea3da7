"""Writes over threads: post a comment or a reply, edit one's own comment. Mentions (@username,
@[Unit name] or @[Person name]) notify, in each recipient's language, only the people who may
see the object; a reply tells the author of the comment it answers."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from coordination import permissions, targets
from coordination.models import (
    Comment,
    Meeting,
    MeetingAction,
    Mention,
    TargetKind,
    TaskForce,
)
from core.history import records_actor
from goals import permissions as goal_permissions
from notifications.messages import Message
from notifications.services import notify
from org.models import Person, TaskForceMembership, Unit
from retros import services as retro_services

MENTION = re.compile(r"@\[([^\]\n]{1,200})\]|@([\w.\-]+[\w])", re.UNICODE)
MAX_MENTIONS = 20


def parse_mentions(text: str) -> tuple[list[Person], list[Unit]]:
    """The people and units a text mentions: `@username` (else a unit of that name), or
    `@[Unit name]` (else a person of that name). Two queries."""
    bare, bracketed = set(), set()
    for match in MENTION.finditer(text or ""):
        if match.group(1):
            bracketed.add(match.group(1).strip())
        else:
            bare.add(match.group(2))
    if not bare and not bracketed:
        return [], []
    names = {n.lower() for n in bare | bracketed}
    people = list(
        Person.objects.filter(
            Q(user__username__in=bare) | Q(display_name__in=bracketed), user__is_active=True
        ).select_related("user")
    )
    found_users = {p.user.username.lower() for p in people}
    unit_names = {n for n in names if n not in found_users}
    units = [
        u for u in Unit.objects.all().only("pk", "name", "head") if u.name.lower() in unit_names
    ]
    if len(people) + len(units) > MAX_MENTIONS:
        raise ValidationError(
            {"text": _("Mention at most %(n)d people or units.") % {"n": MAX_MENTIONS}}
        )
    return people, units


def _unit_people(units: list[Unit]) -> list[Person]:
    if not units:
        return []
    return list(
        Person.objects.filter(
            Q(unit__in=units) | Q(pk__in=[u.head_id for u in units if u.head_id]),
            user__is_active=True,
        )
    )


def _notify_mentions(comment: Comment, obj, people, units, *, already=frozenset()) -> None:
    kind, pk = comment.target_kind, comment.target_id
    recipients = [
        p
        for p in {p.pk: p for p in [*people, *_unit_people(units)]}.values()
        if p.pk != comment.author_id and p.pk not in already and targets.can_see(p, kind, pk)
    ]
    label = TargetKind(kind).label
    notify(
        recipients=recipients,
        kind="mention",
        text=Message(
            gettext_noop("%(person)s mentioned you on %(what)s “%(title)s”: %(text)s"),
            person=comment.author.display_name,
            what=label,
            title=targets.title(kind, obj),
            text=comment.text[:200],
        ),
        url=targets.url(kind, obj),
        subject=comment,
    )


def _save_mentions(comment: Comment, people, units) -> None:
    Mention.objects.bulk_create(
        [Mention(comment=comment, person=p) for p in people]
        + [Mention(comment=comment, unit=u) for u in units]
    )


def _clean_text(text) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write something.")})
    return text


@records_actor
@transaction.atomic
def post_comment(
    *, actor: Person, kind: str, target_id, text: str, parent: Comment | None = None
) -> Comment:
    """A comment on an object the actor may see, or a reply to a comment of the same thread."""
    if kind not in targets.TARGETS:
        raise ValidationError({"target_kind": _("Comments are not possible here.")})
    obj = targets.get(actor, kind, target_id)  # Http404 for what the actor may not see
    text = _clean_text(text)
    if parent is not None:
        if parent.target_kind != kind or parent.target_id != obj.pk:
            raise ValidationError({"parent": _("Reply within the same thread.")})
        if parent.parent_id:
            parent = parent.parent
    people, units = parse_mentions(text)
    comment = Comment(target_kind=kind, target_id=obj.pk, parent=parent, author=actor, text=text)
    comment.full_clean()
    comment.save()
    _save_mentions(comment, people, units)
    _notify_mentions(comment, obj, people, units)
    mentioned = {p.pk for p in people}
    if (
        parent is not None
        and parent.author_id != actor.pk
        and parent.author_id not in mentioned
        and targets.can_see(parent.author, kind, obj.pk)
    ):
        notify(
            recipients=[parent.author],
            kind="reply",
            text=Message(
                gettext_noop("%(person)s replied to your comment: %(text)s"),
                person=actor.display_name,
                text=text[:200],
            ),
            url=targets.url(kind, obj),
            subject=comment,
        )
    return comment


@records_actor
@transaction.atomic
def edit_comment(*, actor: Person, comment: Comment, text: str) -> Comment:
    """The author changes their comment; the earlier text stays in its history. People newly
    mentioned are told; those mentioned before are not told again."""
    comment = Comment.objects.select_for_update().select_related("author").get(pk=comment.pk)
    if comment.author_id != actor.pk:
        raise PermissionDenied(_("Only its author may change a comment."))
    obj = targets.get(actor, comment.target_kind, comment.target_id)
    text = _clean_text(text)
    if text == comment.text:
        return comment
    before = set(comment.mentions.values_list("person_id", flat=True))
    before_units = set(comment.mentions.values_list("unit_id", flat=True))
    people, units = parse_mentions(text)
    comment.text = text
    comment.edited_at = timezone.now()
    comment.full_clean()
    comment.save()
    new_people = [p for p in people if p.pk not in before]
    new_units = [u for u in units if u.pk not in before_units]
    _save_mentions(comment, new_people, new_units)
    already = {p.pk for p in _unit_people([u for u in units if u.pk in before_units])} | before
    _notify_mentions(comment, obj, new_people, new_units, already=already)
    return comment


# --- meetings ------------------------------------------------------------------------------


@records_actor
@transaction.atomic
def record_meeting(
    *,
    actor: Person,
    kind: str,
    title: str,
    held_on,
    decisions: str,
    participants,
    goals=(),
    actions=(),
    notes: str = "",
    cycle=None,
    source: str = "",
) -> Meeting:
    """Record a coordination or alignment meeting with its participants, the goals discussed
    (only goals the actor may see), its decisions and its actions (dicts: text, owner, due_on;
    owners among the participants). Each action owner is told."""
    if not permissions.can_record_meeting(actor):
        raise PermissionDenied(_("Managers, HRBPs and admins record meetings."))
    participants = list({p.pk: p for p in participants}.values())
    if not participants:
        raise ValidationError({"participants": _("Name at least one participant.")})
    goals = list(goals)
    visible = set(
        goal_permissions.visible_goals(actor)
        .filter(pk__in=[g.pk for g in goals])
        .values_list("pk", flat=True)
    )
    if any(g.pk not in visible for g in goals):
        raise ValidationError({"goals": _("Unknown goal.")})
    meeting = Meeting(
        kind=kind,
        title=(title or "").strip(),
        held_on=held_on,
        decisions=(decisions or "").strip(),
        notes=notes or "",
        cycle=cycle,
        source=source or "",
        organizer=actor,
    )
    meeting.full_clean()
    meeting.save()
    meeting.participants.set(participants)
    meeting.goals.set(goals)
    rows = []
    ids = {p.pk for p in participants} | {actor.pk}
    for data in actions:
        text = (data.get("text") or "").strip()
        owner, due_on = data.get("owner"), data.get("due_on")
        if not text or owner is None or due_on is None:
            raise ValidationError(
                {"actions": _("Every action needs a text, an owner and a due date.")}
            )
        if owner.pk not in ids:
            raise ValidationError({"actions": _("An action's owner takes part in the meeting.")})
        row = MeetingAction(meeting=meeting, text=text, owner=owner, due_on=due_on)
        try:
            row.full_clean(exclude=["meeting"])
        except ValidationError as exc:
            raise ValidationError(
                {"actions": [m for msgs in exc.message_dict.values() for m in msgs]}
            ) from None
        rows.append(row)
    for row in rows:
        row.save()
    for row in rows:
        if row.owner_id == actor.pk:
            continue
        notify(
            recipients=[row.owner],
            kind="meeting_action",
            text=Message(
                gettext_noop("Action from “%(meeting)s” for you, due %(due)s: %(text)s"),
                meeting=meeting.title,
                due=row.due_on,
                text=row.text,
            ),
            url=reverse("coordination:meeting", args=[meeting.pk]),
            subject=row,
        )
    return meeting


@records_actor
@transaction.atomic
def complete_action(*, actor: Person, action: MeetingAction) -> MeetingAction:
    """Mark an action done (its owner, the organizer or an admin); done twice is a no-op."""
    action = MeetingAction.objects.select_for_update().select_related("meeting").get(pk=action.pk)
    if not permissions.may_complete(actor, action):
        raise PermissionDenied(_("Only the action's owner or the organizer completes it."))
    if action.done_at is None:
        action.done_at = timezone.now()
        action.save(update_fields=["done_at"])
    return action


def remind_overdue_actions(*, today) -> int:
    """Tell each owner of an open action past its due date, once a day: each action is claimed
    by a conditional update before its notification is written, so a repeated or concurrent
    dispatch never reminds twice. Returns how many were reminded."""
    sent = 0
    candidates = MeetingAction.objects.filter(done_at__isnull=True, due_on__lt=today).filter(
        Q(reminded_on__isnull=True) | Q(reminded_on__lt=today)
    )
    for action in candidates.select_related("meeting", "owner").order_by("pk")[:1000]:
        with transaction.atomic():
            claimed = (
                MeetingAction.objects.filter(pk=action.pk, done_at__isnull=True)
                .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lt=today))
                .update(reminded_on=today)
            )
            if not claimed:
                continue
            notify(
                recipients=[action.owner],
                kind="meeting_action_overdue",
                text=Message(
                    gettext_noop("Overdue since %(due)s, from “%(meeting)s”: %(text)s"),
                    due=action.due_on,
                    meeting=action.meeting.title,
                    text=action.text,
                ),
                url=reverse("coordination:meeting", args=[action.meeting_id]),
                subject=action,
            )
            sent += 1
    return sent


# --- task forces -------------------------------------------------------------------------
# A task force is an org unit of kind task force under the lowest unit common to its members'
# home units (so the heads and HRBPs above all of them see it as part of their subtree), headed
# by its lead; members join through org.TaskForceMembership and keep their home unit.


def _common_parent(people: list[Person]) -> Unit | None:
    """The lowest unit above (or equal to) every person's home unit (None for people of
    separate trees: the task force is then a root of its own)."""
    chains = [p.unit.ancestor_ids for p in people]
    common: list[int] = []
    for ids in zip(*chains, strict=False):
        if len(set(ids)) != 1:
            break
        common.append(ids[0])
    return Unit.objects.get(pk=common[-1]) if common else None


def _replace(task_force: TaskForce) -> None:
    """Keep the task force under the lowest unit common to its members (after a change of
    members): the heads and HRBPs above all of them see it."""
    people = list(
        Person.objects.filter(task_force_memberships__unit=task_force.unit).select_related("unit")
    )
    parent = _common_parent(people)
    parent_id = parent.pk if parent is not None else None
    if people and parent_id != task_force.unit.parent_id:
        task_force.unit.parent = parent
        task_force.unit.save()


def _check_members(lead: Person, members: list[Person]) -> list[Person]:
    people = {p.pk: p for p in [lead, *members] if p is not None}
    if any(not p.is_active for p in people.values()):
        raise ValidationError({"members": _("Only active people can join a task force.")})
    units = {p.unit_id for p in people.values()}
    if len(units) < 2:
        raise ValidationError(
            {"members": _("A task force brings together people from at least two units.")}
        )
    return list(people.values())


def _notify_joined(task_force: TaskForce, people: list[Person], actor: Person) -> None:
    notify(
        recipients=[p for p in people if p.pk != actor.pk],
        kind="task_force_joined",
        text=Message(
            gettext_noop("You are in the task force “%(name)s” (%(cycle)s), led by %(lead)s."),
            name=task_force.unit.name,
            cycle=task_force.cycle.name,
            lead=task_force.unit.head.display_name if task_force.unit.head else "—",
        ),
        url=reverse("coordination:task-force", args=[task_force.pk]),
        subject=task_force,
    )


@records_actor
@transaction.atomic
def create_task_force(
    *, actor: Person, name: str, purpose: str, cycle, lead: Person, members
) -> TaskForce:
    """A task force for a cycle: its unit (headed by the lead, under the members' common unit),
    the lead's and the members' memberships; the members are told. Heads of units, HRBPs and
    admins create one; the members come from at least two units."""
    if not permissions.can_create_task_force(actor):
        raise PermissionDenied(_("Heads of units, HRBPs and admins create task forces."))
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = _("Give the task force a name.")
    if not (purpose or "").strip():
        errors["purpose"] = _("Say what the task force is for.")
    if cycle is None:
        errors["cycle"] = _("Choose the cycle the task force works in.")
    elif cycle.is_closed or cycle.ends_on < timezone.localdate():
        errors["cycle"] = _("The cycle has ended: choose a current or coming one.")
    if lead is None:
        errors["lead"] = _("Choose the lead.")
    if errors:
        raise ValidationError(errors)
    people = _check_members(lead, list(members))
    unit = Unit(name=name, kind=Unit.Kind.TASK_FORCE, parent=_common_parent(people), head=lead)
    unit.full_clean()
    unit.save()
    task_force = TaskForce(unit=unit, cycle=cycle, purpose=purpose.strip(), created_by=actor)
    task_force.full_clean(exclude=["unit"])
    task_force.save()
    TaskForceMembership.objects.bulk_create(
        TaskForceMembership(
            unit=unit,
            person=p,
            role=TaskForceMembership.Role.LEAD
            if p.pk == lead.pk
            else TaskForceMembership.Role.MEMBER,
        )
        for p in people
    )
    _notify_joined(task_force, people, actor)
    return task_force


def _locked_active(task_force: TaskForce) -> TaskForce:
    locked = (
        TaskForce.objects.select_for_update(of=("self",))
        .select_related("unit", "unit__head", "cycle")
        .get(pk=task_force.pk)
    )
    if locked.state != TaskForce.State.ACTIVE:
        raise ValidationError(_("This task force has been dissolved."))
    return locked


@records_actor
@transaction.atomic
def add_task_force_member(*, actor: Person, task_force: TaskForce, person: Person) -> TaskForce:
    """Add a member (the lead, the creator or an admin); adding a member twice is a no-op."""
    if not permissions.may_manage_task_force(actor, task_force):
        raise PermissionDenied(_("Only the lead, the creator or an admin changes a task force."))
    task_force = _locked_active(task_force)
    if not person.is_active:
        raise ValidationError({"person": _("Only active people can join a task force.")})
    _row, created = TaskForceMembership.objects.get_or_create(unit=task_force.unit, person=person)
    if created:
        _replace(task_force)
        _notify_joined(task_force, [person], actor)
    return task_force


@records_actor
@transaction.atomic
def remove_task_force_member(*, actor: Person, task_force: TaskForce, person: Person) -> TaskForce:
    """Remove a member (not the lead); the task force keeps people from two units."""
    if not permissions.may_manage_task_force(actor, task_force):
        raise PermissionDenied(_("Only the lead, the creator or an admin changes a task force."))
    task_force = _locked_active(task_force)
    if person.pk == task_force.unit.head_id:
        raise ValidationError({"person": _("The lead stays in the task force.")})
    rest = list(
        Person.objects.filter(task_force_memberships__unit=task_force.unit)
        .exclude(pk=person.pk)
        .only("pk", "unit")
    )
    if len({p.unit_id for p in rest}) < 2:
        raise ValidationError(
            {"person": _("A task force brings together people from at least two units.")}
        )
    TaskForceMembership.objects.filter(unit=task_force.unit, person=person).delete()
    _replace(task_force)
    return task_force


@records_actor
@transaction.atomic
def dissolve_task_force(*, task_force: TaskForce, actor: Person | None = None) -> TaskForce:
    """Dissolve a task force: it is archived (no new members, shown among the past ones; its
    goals and memberships stay for the record) and a retrospective of its goals is created,
    facilitated by its lead with its members taking part. By the lead, the creator or an
    admin, or by the end-of-cycle task (no actor: the lead starts the retrospective)."""
    if actor is not None and not permissions.may_manage_task_force(actor, task_force):
        raise PermissionDenied(_("Only the lead, the creator or an admin changes a task force."))
    task_force = _locked_active(task_force)
    lead = task_force.unit.head or task_force.created_by
    members = list(Person.objects.filter(task_force_memberships__unit=task_force.unit))
    retro = retro_services.create_retrospective(
        actor=actor or lead,
        cycle=task_force.cycle,
        unit=task_force.unit,
        facilitator=lead,
        participants=members,
        title=f"{task_force.unit.name} · {task_force.cycle.name}"[:300],
    )
    task_force.state = TaskForce.State.DISSOLVED
    task_force.dissolved_at = timezone.now()
    task_force.retrospective = retro
    task_force.save(update_fields=["state", "dissolved_at", "retrospective"])
    return task_force


def dissolve_ended_task_forces(*, today) -> int:
    """Dissolve every active task force whose cycle ended before `today`, each in its own
    transaction (a failure leaves the others done; a repeated run finds nothing to do).
    Returns how many were dissolved."""
    done = 0
    ended = TaskForce.objects.filter(state=TaskForce.State.ACTIVE, cycle__ends_on__lt=today)
    for task_force in ended.select_related("unit", "cycle").order_by("pk")[:500]:
        try:
            dissolve_task_force(task_force=task_force)
        except ValidationError:
            continue  # dissolved meanwhile by someone else
        done += 1
    return done
