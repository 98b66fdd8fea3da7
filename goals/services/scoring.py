"""Scoring at the end of a cycle: every agreed goal gets a self score from its owner and a
manager score from above (0.0–1.0); the manager's is the goal's score. Both are suggested from
the goal's progress; scores are entered while the cycle is in scoring."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.history import records_actor
from goals import permissions
from goals.models import Cycle, Goal
from org.models import Person
from org.scopes import Viewer

SELF, MANAGER = "self_score", "manager_score"


def suggested_score(goal: Goal) -> float:
    """The grade the numbers suggest: the goal's progress (0–1), to two decimals. An
    aspirational goal is read against its expected score (about 0.7), which the page shows
    beside it."""
    return round(min(1.0, max(0.0, goal.progress)), 2)


def _parse_score(raw, field: str) -> float | None:
    if raw is None or raw == "":
        return None
    try:
        value = round(float(raw), 2)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a score between 0.0 and 1.0.")}) from None
    if not 0.0 <= value <= 1.0:
        raise ValidationError({field: _("Enter a score between 0.0 and 1.0.")})
    return value


def _check_scorer(viewer: Viewer, goal: Goal, which: str) -> None:
    if which == SELF and not permissions.is_goal_owner(viewer, goal):
        raise PermissionDenied(_("Only the goal's owner gives its self score."))
    if which == MANAGER and not permissions.can_manage_goal(viewer, goal):
        raise PermissionDenied(_("Only the owner's managers give the manager score."))


def _check_open(goal: Goal) -> None:
    if goal.cycle.state != Cycle.State.SCORING:
        raise ValidationError(
            _("Goals are scored while their cycle is in scoring (%(name)s is %(state)s).")
            % {"name": goal.cycle.name, "state": goal.cycle.get_state_display().lower()}
        )
    if goal.state != Goal.State.AGREED:
        raise ValidationError(_("Only agreed goals are scored."))


@records_actor
@transaction.atomic
def score_goal(
    *,
    actor: Person,
    goal: Goal,
    self_score=None,
    manager_score=None,
    comment: str | None = None,
) -> Goal:
    """Give a goal its self score (the owner) and/or its manager score (above the owner)."""
    viewer = Viewer.of(actor)
    goal = (
        Goal.objects.select_for_update(of=("self",))
        .select_related("cycle", "owner_unit")
        .get(pk=goal.pk)
    )
    given = {SELF: _parse_score(self_score, SELF), MANAGER: _parse_score(manager_score, MANAGER)}
    if all(v is None for v in given.values()) and comment is None:
        raise ValidationError(_("Give a self score or a manager score."))
    for which, value in given.items():
        if value is not None:
            _check_scorer(viewer, goal, which)
    if comment is not None and not (
        permissions.is_goal_owner(viewer, goal) or permissions.can_manage_goal(viewer, goal)
    ):
        raise PermissionDenied(_("You may not score this goal."))
    _check_open(goal)
    fields = ["scored_at", "version", "updated_at"]
    for which, value in given.items():
        if value is None:
            continue
        setattr(goal, which, value)
        fields.append(which)
        if which == MANAGER:
            goal.score = value
            fields.append("score")
    if comment is not None:
        goal.score_comment = comment.strip()[:2000]
        fields.append("score_comment")
    goal.scored_at = timezone.now()
    goal.version += 1
    goal.save(update_fields=fields)
    return goal


@dataclass
class ScoreRow:
    goal: Goal
    self_score: object = None
    manager_score: object = None


@records_actor
@transaction.atomic
def score_goals(*, actor: Person, rows: list[ScoreRow]) -> list[Goal]:
    """Bulk entry (a manager's team): every row is validated; one bad row saves nothing and
    its error names the row (`rows.3.manager_score`)."""
    errors, done = {}, []
    for index, row in enumerate(rows):
        if row.self_score in (None, "") and row.manager_score in (None, ""):
            continue
        try:
            with transaction.atomic():
                done.append(
                    score_goal(
                        actor=actor,
                        goal=row.goal,
                        self_score=row.self_score,
                        manager_score=row.manager_score,
                    )
                )
        except ValidationError as exc:
            for name, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                key = f"rows.{index}.{name}" if name and name != "__all__" else f"rows.{index}"
                errors[key] = messages
        except PermissionDenied as exc:
            errors[f"rows.{index}"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return done
