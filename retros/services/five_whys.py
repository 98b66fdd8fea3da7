"""5-Why analyses: a problem statement and an ordered chain of whys, validated as a whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org.models import Person
from retros import permissions
from retros.models import FiveWhyAnalysis, RetroAction, Retrospective, WhyLevel

DEFAULT_LEVELS = 5
MAX_LEVELS = 10


def _normal(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def _levels(whys: list) -> list[dict]:
    rows = []
    for item in whys or []:
        if isinstance(item, str):
            item = {"text": item}
        rows.append(
            {
                "text": (item.get("text") or "").strip(),
                "is_root_cause": bool(item.get("is_root_cause")),
            }
        )
    return rows


def validate_chain(
    *,
    problem: str,
    whys: list[dict],
    countermeasure: str,
    countermeasure_owner: Person | None,
    countermeasure_due_on: dt.date | None,
) -> None:
    """Every rule of a good chain, with one message per broken rule (all at once)."""
    errors: dict[str, list[str]] = {}

    def add(key: str, message: str) -> None:
        errors.setdefault(key, []).append(message)

    if not (problem or "").strip():
        add("problem", _("State the problem the chain starts from."))
    if not whys:
        add("whys", _("Add the first why: what caused the problem?"))
    if len(whys) > MAX_LEVELS:
        add("whys", _("A chain has at most %(n)d levels.") % {"n": MAX_LEVELS})
    _check_each_level_deeper(problem, whys, add)
    _check_root_cause(whys, add)
    _check_countermeasure(countermeasure, countermeasure_owner, countermeasure_due_on, add)
    if errors:
        raise ValidationError(errors)


def _check_each_level_deeper(
    problem: str, whys: list[dict], add: Callable[[str, str], None]
) -> None:
    """Every why is answered and neither restates the problem nor repeats an earlier why."""
    seen: dict[str, int] = {_normal(problem): 0} if (problem or "").strip() else {}
    for number, level in enumerate(whys, start=1):
        text = _normal(level["text"])
        if not text:
            add(
                f"whys.{number}",
                _("Why %(n)d is empty: answer it or remove the level.") % {"n": number},
            )
            continue
        if text in seen:
            earlier = seen[text]
            add(
                f"whys.{number}",
                _("Why %(n)d only restates the problem; go one level deeper.") % {"n": number}
                if earlier == 0
                else _("Why %(n)d repeats why %(m)d; each answer must go one level deeper.")
                % {"n": number, "m": earlier},
            )
        else:
            seen[text] = number


def _check_root_cause(whys: list[dict], add: Callable[[str, str], None]) -> None:
    """At most one root cause, the last level; without one, the full number of whys."""
    roots = [n for n, level in enumerate(whys, start=1) if level["is_root_cause"]]
    if len(roots) > 1:
        add("whys", _("Mark only one level as the root cause."))
    elif roots and roots[0] != len(whys):
        add(
            "whys",
            _("The root cause must be the last level: remove the levels after why %(n)d.")
            % {"n": roots[0]},
        )
    if whys and len(whys) < DEFAULT_LEVELS and not roots:
        add(
            "whys",
            _(
                "Ask why %(n)d times, or mark the level where you reached the root cause "
                "to stop earlier."
            )
            % {"n": DEFAULT_LEVELS},
        )


def _check_countermeasure(
    countermeasure: str,
    owner: Person | None,
    due_on: dt.date | None,
    add: Callable[[str, str], None],
) -> None:
    """A countermeasure with an active owner and a due date."""
    if not (countermeasure or "").strip():
        add("countermeasure", _("Every 5-Why ends with a countermeasure against the root cause."))
    if owner is None:
        add("countermeasure_owner", _("The countermeasure needs an owner."))
    elif not owner.is_active:
        add("countermeasure_owner", _("The owner has left the company."))
    if due_on is None:
        add("countermeasure_due_on", _("The countermeasure needs a due date."))


@transaction.atomic
def save_five_why(
    *,
    actor: Person,
    retrospective: Retrospective,
    problem: str,
    whys: list,
    countermeasure: str = "",
    countermeasure_owner: Person | None = None,
    countermeasure_due_on: dt.date | None = None,
    analysis: FiveWhyAnalysis | None = None,
) -> FiveWhyAnalysis:
    """Create or replace a 5-Why analysis. `whys` is the chain in order: strings or dicts
    {"text", "is_root_cause"}. The root cause is the marked level, else the last one. The
    countermeasure becomes an action of the retrospective, ready to follow through."""
    if not permissions.can_on_retrospective(actor, retrospective, "edit"):
        raise PermissionDenied(_("You may not change this retrospective."))
    if retrospective.state == Retrospective.State.PUBLISHED:
        raise ValidationError(_("A published retrospective can no longer be edited."))
    if analysis is not None and analysis.retrospective_id != retrospective.pk:
        raise ValidationError(
            {"retrospective": _("The analysis belongs to another retrospective.")}
        )
    levels = _levels(whys)
    validate_chain(
        problem=problem,
        whys=levels,
        countermeasure=countermeasure,
        countermeasure_owner=countermeasure_owner,
        countermeasure_due_on=countermeasure_due_on,
    )
    analysis = analysis or FiveWhyAnalysis(retrospective=retrospective, created_by=actor)
    analysis.problem = problem.strip()
    analysis.root_cause = levels[-1]["text"]
    analysis.countermeasure = countermeasure.strip()
    analysis.countermeasure_owner = countermeasure_owner
    analysis.countermeasure_due_on = countermeasure_due_on
    analysis.save()
    analysis.levels.all().delete()
    WhyLevel.objects.bulk_create(
        WhyLevel(
            analysis=analysis,
            position=number,
            text=level["text"],
            is_root_cause=number == len(levels),
        )
        for number, level in enumerate(levels, start=1)
    )
    action = RetroAction.objects.filter(five_why=analysis).first() or RetroAction(
        retrospective=retrospective, five_why=analysis, kind=RetroAction.Kind.COUNTERMEASURE
    )
    action.description = analysis.countermeasure
    action.owner = countermeasure_owner
    action.due_on = countermeasure_due_on
    action.save()
    return analysis


@transaction.atomic
def delete_five_why(*, actor: Person, analysis: FiveWhyAnalysis) -> None:
    retro = analysis.retrospective
    if not permissions.can_on_retrospective(actor, retro, "edit"):
        raise PermissionDenied(_("You may not change this retrospective."))
    if retro.state == Retrospective.State.PUBLISHED:
        raise ValidationError(_("A published retrospective can no longer be edited."))
    if RetroAction.objects.filter(five_why=analysis).exclude(goal=None, plan=None).exists():
        raise ValidationError(_("Its countermeasure was already followed through; keep it."))
    analysis.delete()
