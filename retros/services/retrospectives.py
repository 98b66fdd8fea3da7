"""Retrospectives: creation with a frozen results snapshot, sections, hold and publish,
improvements and their follow-through into the next cycle's goals or an improvement plan."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from goals.models import Cycle, Goal, GoalSettings
from goals.services import create_goal
from notifications.messages import Message
from notifications.services import notify
from org import scopes
from org.models import Person, Unit
from retros import permissions
from retros.models import RetroAction, Retrospective, RetroTemplate, Section
from tracking.models import ImprovementAction
from tracking.services import create_improvement_plan


def scope_goals(*, cycle: Cycle, goal: Goal | None = None, unit: Unit | None = None) -> list[Goal]:
    """Goals in a retrospective's scope, with key results: the goal and the goals cascaded
    from it, or every goal of the unit's subtree (unit or personal), in cycles inside `cycle`.
    Returned goals are left out. One query per level of the cascade."""
    base = (
        Goal.objects.filter(
            cycle__starts_on__gte=cycle.starts_on, cycle__ends_on__lte=cycle.ends_on
        )
        .exclude(state=Goal.State.RETURNED)
        .select_related("cycle", "owner_person", "owner_unit")
        .prefetch_related("key_results")
        .order_by("level", "title", "pk")
    )
    if unit is not None:
        return list(base.filter(owner_path__startswith=unit.path))
    found: list[Goal] = []
    frontier = list(
        Goal.objects.filter(pk=goal.pk)
        .select_related("cycle", "owner_person", "owner_unit")
        .prefetch_related("key_results")
    )
    seen: set[int] = set()
    while frontier:
        frontier = [g for g in frontier if g.pk not in seen]
        seen.update(g.pk for g in frontier)
        found.extend(frontier)
        if not frontier:
            break
        frontier = list(base.filter(parent_id__in=[g.pk for g in frontier]))
    return found


def snapshot_results(goals: Iterable[Goal], *, as_of: dt.date) -> dict:
    """Target, actual, attainment and status of every goal and key result, as plain JSON."""
    settings = GoalSettings.load()
    rows = []
    for goal in goals:
        krs = []
        for kr in goal.key_results.all():
            krs.append(
                {
                    "id": kr.pk,
                    "name": kr.name,
                    "unit": kr.unit,
                    "direction": kr.direction,
                    "start": str(kr.start_value),
                    "target": str(kr.target_value),
                    "actual": str(kr.current_value),
                    "attainment": round(kr.attainment(), 4),
                    "status": str(kr.status(as_of, settings)),
                }
            )
        rows.append(
            {
                "id": goal.pk,
                "title": goal.title,
                "kind": goal.kind,
                "level": goal.level,
                "owner": goal.owner_name,
                "category": goal.category,
                "state": goal.state,
                "progress": round(goal.progress, 4),
                "score": goal.score,
                "key_results": krs,
            }
        )
    return {"as_of": as_of.isoformat(), "taken_at": timezone.now().isoformat(), "goals": rows}


def _default_template() -> RetroTemplate | None:
    return RetroTemplate.objects.filter(is_default=True).first()


def _require(viewer: Person, retro: Retrospective, action: str) -> None:
    if not permissions.can_on_retrospective(viewer, retro, action):
        raise PermissionDenied(_("You may not change this retrospective."))


def _not_published(retro: Retrospective) -> None:
    if retro.state == Retrospective.State.PUBLISHED:
        raise ValidationError(_("A published retrospective can no longer be edited."))


@transaction.atomic
def create_retrospective(
    *,
    actor: Person,
    cycle: Cycle,
    goal: Goal | None = None,
    unit: Unit | None = None,
    facilitator: Person | None = None,
    participants: Iterable[Person] = (),
    title: str = "",
    template: RetroTemplate | None = None,
) -> Retrospective:
    """A draft retrospective for a goal or a unit in a cycle, its results frozen now."""
    if (goal is None) == (unit is None):
        raise ValidationError(
            {"goal": _("Choose either the goal or the unit the retrospective is about.")}
        )
    if goal is not None and not cycle.covers(goal.cycle):
        raise ValidationError({"goal": _("The goal does not belong to this cycle.")})
    if not permissions.can_start_retrospective(actor, goal=goal, unit=unit):
        raise PermissionDenied(_("Only the owner, their managers or an admin can start this."))
    retro = Retrospective(
        title=(title or "").strip() or f"{goal.title if goal else unit.name} · {cycle.name}"[:300],
        cycle=cycle,
        goal=goal,
        unit=unit,
        facilitator=facilitator or actor,
        template=template or _default_template(),
        created_by=actor,
    )
    retro.results = snapshot_results(
        scope_goals(cycle=cycle, goal=goal, unit=unit),
        as_of=min(timezone.localdate(), cycle.ends_on),
    )
    retro.full_clean()
    retro.save()
    people = [p for p in participants if p is not None]
    retro.participants.set(people)
    _notify_in_their_language(
        [p for p in [*people, retro.facilitator] if p.pk != actor.pk],
        kind="retro_invited",
        message=gettext_noop("You are invited to the retrospective “%(title)s”."),
        retro=retro,
    )
    return retro


def _notify_in_their_language(
    people: Iterable[Person], *, kind: str, message: str, retro: Retrospective
) -> None:
    """One notification per person, worded in the language of whoever reads it."""
    notify(
        recipients=people,
        kind=kind,
        text=Message(message, title=retro.title),
        url=reverse("retros:detail", args=[retro.pk]),
        subject=retro,
    )


@transaction.atomic
def update_retrospective(
    *,
    actor: Person,
    retro: Retrospective,
    title: str | None = None,
    reasons: str | None = None,
    what_worked: str | None = None,
    improvements: str | None = None,
    participants: Iterable[Person] | None = None,
    facilitator: Person | None = None,
) -> Retrospective:
    """Edit the sections (and, for facilitators and managers, the title and the people)."""
    _require(actor, retro, "edit")
    _not_published(retro)
    if title is not None or participants is not None or facilitator is not None:
        _require(actor, retro, "manage")
    for name, value in (
        ("title", title),
        ("reasons", reasons),
        ("what_worked", what_worked),
        ("improvements", improvements),
    ):
        if value is not None:
            setattr(retro, name, value.strip())
    if facilitator is not None:
        retro.facilitator = facilitator
    retro.full_clean()
    retro.save()
    if participants is not None:
        retro.participants.set(list(participants))
    return retro


@transaction.atomic
def hold_retrospective(*, actor: Person, retro: Retrospective) -> Retrospective:
    """The meeting took place: draft → held."""
    _require(actor, retro, "manage")
    retro = Retrospective.objects.select_for_update().get(pk=retro.pk)
    if retro.state != Retrospective.State.DRAFT:
        raise ValidationError(_("Only a draft retrospective can be marked as held."))
    retro.state = Retrospective.State.HELD
    retro.held_at = timezone.now()
    retro.save(update_fields=["state", "held_at"])
    return retro


@transaction.atomic
def publish_retrospective(*, actor: Person, retro: Retrospective) -> Retrospective:
    """held → published: the sections are final and the participants are told."""
    _require(actor, retro, "manage")
    retro = Retrospective.objects.select_for_update().get(pk=retro.pk)
    if retro.state == Retrospective.State.DRAFT:
        raise ValidationError(_("Hold the retrospective before publishing it."))
    if retro.state == Retrospective.State.PUBLISHED:
        raise ValidationError(_("This retrospective is already published."))
    if not (retro.reasons or retro.what_worked or retro.improvements):
        raise ValidationError(
            _("Write at least one of the reasons, what worked or the improvements first.")
        )
    retro.state = Retrospective.State.PUBLISHED
    retro.published_at = timezone.now()
    retro.save(update_fields=["state", "published_at"])
    people = [*retro.participants.all(), retro.facilitator]
    _notify_in_their_language(
        [p for p in people if p.pk != actor.pk],
        kind="retro_published",
        message=gettext_noop("The retrospective “%(title)s” was published."),
        retro=retro,
    )
    return retro


@transaction.atomic
def add_improvement(
    *,
    actor: Person,
    retro: Retrospective,
    description: str,
    owner: Person | None,
    due_on: dt.date | None = None,
) -> RetroAction:
    _require(actor, retro, "edit")
    _not_published(retro)
    errors = {}
    if not (description or "").strip():
        errors["description"] = _("Describe the improvement.")
    if owner is None:
        errors["owner"] = _("An improvement needs an owner.")
    elif not owner.is_active:
        errors["owner"] = _("The owner has left the company.")
    if errors:
        raise ValidationError(errors)
    return RetroAction.objects.create(
        retrospective=retro,
        kind=RetroAction.Kind.IMPROVEMENT,
        description=description.strip(),
        owner=owner,
        due_on=due_on,
    )


def next_cycle(cycle: Cycle) -> Cycle | None:
    """The cycle of the same kind that starts after this one ends."""
    return (
        Cycle.objects.filter(kind=cycle.kind, starts_on__gt=cycle.ends_on)
        .order_by("starts_on", "pk")
        .first()
    )


@transaction.atomic
def follow_through(
    *,
    actor: Person,
    action: RetroAction,
    to: str,
    key_results: list[dict] | None = None,
    plan_kind: str = ImprovementAction.Kind.PROCESS,
) -> RetroAction:
    """Turn an improvement or countermeasure, in one step, into a draft goal in the next
    cycle (owned like the retrospective's scope) or an improvement plan for its owner; the
    action keeps the link and its state follows that goal or plan."""
    action = (
        RetroAction.objects.select_for_update(of=("self",))
        .select_related("retrospective__cycle", "retrospective__goal", "retrospective__unit")
        .get(pk=action.pk)
    )
    retro = action.retrospective
    _require(actor, retro, "manage")
    if action.followed_through:
        raise ValidationError(_("This action has already been followed through."))
    source = f"retrospective:{retro.pk}"
    note = _("From the retrospective “%(title)s”.") % {"title": retro.title}
    if to == "goal":
        cycle = next_cycle(retro.cycle)
        if cycle is None:
            raise ValidationError(
                {"to": _("There is no next cycle yet; ask an admin to create it first.")}
            )
        if retro.goal_id:
            owner = {"owner_person": retro.goal.owner_person, "owner_unit": retro.goal.owner_unit}
            level, category = retro.goal.level, retro.goal.category
        else:
            owner = {"owner_person": None, "owner_unit": retro.unit}
            level = Goal.Level.COMPANY if retro.unit.parent_id is None else Goal.Level.UNIT
            category = ""
        action.goal = create_goal(
            actor=actor,
            cycle=cycle,
            title=action.description.splitlines()[0][:300],
            level=level,
            description=f"{action.description}\n\n{note}",
            category=category,
            key_results=key_results or [],
            **owner,
        )
    elif to == "plan":
        if plan_kind not in ImprovementAction.Kind.values:
            raise ValidationError({"plan_kind": _("Unknown kind of action.")})
        action.plan = create_improvement_plan(
            actor=actor,
            person=action.owner,
            title=action.description.splitlines()[0][:300],
            actions=[
                {
                    "kind": plan_kind,
                    "description": f"{action.description}\n\n{note}",
                    "owner": action.owner,
                    "due_on": action.due_on,
                }
            ],
            goal=retro.goal,
            source=source,
        )
    else:
        raise ValidationError({"to": _("Choose a goal or an improvement plan.")})
    action.save(update_fields=["goal", "plan"])
    return action


@transaction.atomic
def save_template(
    *,
    actor: Person,
    name: str,
    questions: dict,
    is_default: bool = False,
    template: RetroTemplate | None = None,
) -> RetroTemplate:
    """Create or edit a retrospective template (admins only)."""
    if not scopes.is_admin(actor):
        raise PermissionDenied(_("Only admins edit retrospective templates."))
    if not isinstance(questions, dict):
        raise ValidationError({"questions": _("Give the questions per section.")})
    unknown = set(questions) - set(Section.values)
    if unknown:
        raise ValidationError(
            {"questions": _("Unknown sections: %(names)s.") % {"names": ", ".join(sorted(unknown))}}
        )
    cleaned = {}
    for section, items in questions.items():
        if not isinstance(items, list) or not all(isinstance(q, str) for q in items):
            raise ValidationError({"questions": _("Each section holds a list of questions.")})
        cleaned[section] = [q.strip() for q in items if q.strip()]
    template = template or RetroTemplate()
    template.name, template.questions, template.is_default = name, cleaned, is_default
    if is_default:
        RetroTemplate.objects.filter(is_default=True).exclude(pk=template.pk).update(
            is_default=False
        )
    template.full_clean()
    template.save()
    return template
