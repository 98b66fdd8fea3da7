"""Cycle pages: the cycles list (everyone reads; admins create, edit and move them along
planning → active → scoring → closed, and reopen with a reason), the scoring page (own goals,
a manager's team in one form, progress per unit for HRBPs and admins) and the carry-over of
unfinished goals. Thin over goals.services.cycles and goals.services.scoring."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.forms import checked_text
from core.params import is_id
from goals import metrics, selectors_cycles, services
from goals.forms import CycleForm, TransitionForm
from goals.models import Cycle, GoalSettings
from org import scopes
from org.access import person_required

from .pages import _apply_errors, _errors

# The transition buttons' words, by target state (reopening a closed cycle: "Reopen").
MOVES = {
    Cycle.State.ACTIVE: gettext_lazy("Activate"),
    Cycle.State.SCORING: gettext_lazy("Start scoring"),
    Cycle.State.CLOSED: gettext_lazy("Close"),
}


def _admin_only(request: HttpRequest) -> None:
    """Cycle writes are for admins; to anyone else they do not exist."""
    if not scopes.is_admin(request.person):
        raise Http404


def _cycle(pk) -> Cycle:
    return get_object_or_404(Cycle.objects.select_related("parent"), pk=pk)


def _moves(cycle: Cycle) -> list[tuple[str, str]]:
    return [
        (to, _("Reopen") if cycle.is_closed else str(MOVES[to]))
        for to in services.allowed_transitions(cycle)
    ]


def _row_context(cycle: Cycle, *, is_admin: bool, error: list[str] | None = None, post=None):
    return {
        "cycle": cycle,
        "is_admin": is_admin,
        "moves": _moves(cycle) if is_admin else [],
        "transition_errors": error or [],
        "typed": post or {},
    }


@person_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    is_admin = scopes.is_admin(request.person)
    cycles = selectors_cycles.cycles_with_counts()
    rows = [_row_context(c, is_admin=is_admin) for c in cycles]
    return render(request, "goals/cycles.html", {"rows": rows, "is_admin": is_admin})


@person_required
def cycle_create(request: HttpRequest) -> HttpResponse:
    _admin_only(request)
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.create_cycle(actor=request.person, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Cycle %(name)s created.") % {"name": cycle.name})
            return redirect("goals:cycles")
    return render(request, "goals/cycle_form.html", {"form": form, "cycle": None})


@person_required
def cycle_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _admin_only(request)
    cycle = _cycle(pk)
    initial = {
        "name": cycle.name,
        "kind": cycle.kind,
        "starts_on": cycle.starts_on,
        "ends_on": cycle.ends_on,
        "parent": cycle.parent_id,
    }
    form = CycleForm(request.POST or None, initial=initial, cycle=cycle)
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if v != initial[k]}
        if isinstance(changes.get("parent"), Cycle) and changes["parent"].pk == initial["parent"]:
            changes.pop("parent")
        try:
            services.update_cycle(actor=request.person, cycle=cycle, **changes)
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Cycle %(name)s saved.") % {"name": cycle.name})
            return redirect("goals:cycles")
    history = selectors_cycles.state_changes([cycle.pk]).get(cycle.pk, [])
    return render(
        request, "goals/cycle_form.html", {"form": form, "cycle": cycle, "history": history}
    )


@person_required
@require_POST
@vary_on_headers("HX-Request")
def cycle_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a cycle (admins). The row's form posts here (htmx swaps the row back, with the
    service's refusal shown in it); without htmx the list comes back with a message."""
    _admin_only(request)
    cycle = _cycle(pk)
    form = TransitionForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            cycle = services.transition_cycle(
                actor=request.person, cycle=cycle, **form.cleaned_data
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(
                request,
                _("%(name)s is now %(state)s.")
                % {"name": cycle.name, "state": cycle.get_state_display().lower()},
            )
    else:
        errors = [str(e) for errs in form.errors.values() for e in errs]
    if request.htmx:
        cycle = selectors_cycles.cycles_with_counts(cycle.pk)[0]
        context = _row_context(
            cycle, is_admin=True, error=errors, post=request.POST if errors else None
        )
        return render(request, "goals/cycles.html#cycle-row", context)
    for msg in errors:
        messages.error(request, msg)
    return redirect("goals:cycles")


# Scoring ---------------------------------------------------------------------------------


def _suggest(goals, settings: GoalSettings) -> None:
    for goal in goals:
        goal.typed = goal.typed_comment = None  # nothing typed yet: the page shows the values
        goal.row_errors, goal.saved = [], False
        goal.suggested = services.suggested_score(goal)
        goal.expected = metrics.expected_score(
            goal.commitment, aspirational_expectation=settings.aspirational_expectation
        )


def _scoring_context(request: HttpRequest, cycle: Cycle) -> dict:
    viewer = request.person
    own = selectors_cycles.own_goals_to_score(viewer, cycle)
    team = selectors_cycles.team_goals_to_score(viewer, cycle)
    _suggest([*own, *team], GoalSettings.load())
    return {
        "cycle": cycle,
        "own": own,
        "team": team,
        "progress": selectors_cycles.scoring_progress(viewer, cycle),
        "is_open": cycle.state == Cycle.State.SCORING,
        "team_top_errors": [],
    }


@person_required
def cycle_scoring(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the scoring page. POST: a manager's scores for the team, in one form (every row
    validated; one bad row saves nothing and the typed values come back)."""
    cycle = _cycle(pk)
    context = _scoring_context(request, cycle)
    if request.method == "POST":
        team = {goal.pk: goal for goal in context["team"]}
        ids = [int(v) for v in request.POST.getlist("goal") if is_id(v)]
        if not ids or any(pk not in team for pk in ids):
            raise Http404  # a goal outside the viewer's team: not theirs to score
        rows = [
            services.ScoreRow(goal=team[pk], manager_score=request.POST.get(f"manager-{pk}", ""))
            for pk in ids
        ]
        try:
            done = services.score_goals(actor=request.person, rows=rows)
        except ValidationError as exc:
            by_goal, context["team_top_errors"] = _row_errors(exc, ids)
            for pk in ids:  # what was typed comes back, with each row's errors beside it
                team[pk].typed = request.POST.get(f"manager-{pk}", "")
                team[pk].row_errors = by_goal.get(pk, [])
        else:
            messages.success(
                request,
                ngettext("%(n)s goal scored.", "%(n)s goals scored.", len(done)) % {"n": len(done)},
            )
            return redirect("goals:cycle-scoring", cycle.pk)
    return render(request, "goals/scoring.html", context)


def _row_errors(exc: ValidationError, ids: list[int]) -> tuple[dict[int, list[str]], list[str]]:
    """`rows.3.manager_score` → errors of the fourth posted goal; others on top."""
    by_goal: dict[int, list[str]] = {}
    top: list[str] = []
    for key, msgs in getattr(exc, "message_dict", {"": exc.messages}).items():
        parts = key.split(".")
        if len(parts) >= 2 and parts[0] == "rows" and parts[1].isdigit():
            by_goal.setdefault(ids[int(parts[1])], []).extend(msgs)
        else:
            top.extend(msgs)
    return by_goal, top


@person_required
@require_POST
@vary_on_headers("HX-Request")
def cycle_self_score(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    """A person's self score and comment for one of their own goals (a row of the scoring
    page; htmx swaps the row back)."""
    cycle = _cycle(pk)
    own = {g.pk: g for g in selectors_cycles.own_goals_to_score(request.person, cycle)}
    goal = own.get(goal_pk)
    if goal is None:
        raise Http404
    typed = {"self_score": request.POST.get("self_score", ""), "comment": None}
    if "comment" in request.POST:
        typed["comment"] = request.POST["comment"]
    errors: list[str] = []
    try:
        checked_text(typed["comment"], "comment")
        goal = services.score_goal(actor=request.person, goal=goal, **typed)
    except ValidationError as exc:
        errors = _errors(exc)
    except PermissionDenied as exc:
        errors = [str(exc)]
    _suggest([goal], GoalSettings.load())
    goal.row_errors = errors
    goal.saved = not errors
    if errors:  # what was typed comes back beside the errors
        goal.typed = typed["self_score"]
        goal.typed_comment = typed["comment"]
    context = {"cycle": cycle, "goal": goal, "is_open": cycle.state == Cycle.State.SCORING}
    if request.htmx:
        return render(request, "goals/scoring.html#own-row", context)
    if errors:
        for msg in errors:
            messages.error(request, msg)
    else:
        messages.success(request, _("Self score saved."))
    return redirect("goals:cycle-scoring", cycle.pk)


# Carry-over --------------------------------------------------------------------------------


@person_required
@vary_on_headers("HX-Request")
def cycle_carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    """Unfinished goals of a scoring or closed cycle, to copy into the next cycle (admins):
    a dry-run preview first (htmx), then the copy."""
    _admin_only(request)
    cycle = _cycle(pk)
    is_open = cycle.state in (Cycle.State.SCORING, Cycle.State.CLOSED)
    context = {
        "cycle": cycle,
        "is_open": is_open,
        "goals": selectors_cycles.carry_over_candidates(cycle),
        "target": services.next_cycle(cycle),
        "chosen": set(),
        "result": None,
        "errors": [],
    }
    if request.method == "POST" and not is_open:
        context["errors"] = [_("Goals are carried over once the cycle is in scoring or closed.")]
    elif request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("goal") if is_id(v)]
        context["chosen"] = set(ids)
        dry_run = "confirm" not in request.POST
        try:
            result = services.carry_over(
                actor=request.person, cycle=cycle, goals=ids, dry_run=dry_run
            )
        except ValidationError as exc:
            context["errors"] = _errors(exc)
        else:
            if not dry_run:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s goal copied to %(cycle)s.",
                        "%(n)s goals copied to %(cycle)s.",
                        len(result.goals),
                    )
                    % {"n": len(result.goals), "cycle": result.target.name},
                )
                return redirect("goals:cycles")
            context["result"] = result
            titles = {goal.pk: goal.title for goal in context["goals"]}
            context["skipped"] = [
                (titles.get(pk, f"#{pk}"), reason) for pk, reason in result.skipped.items()
            ]
        if request.htmx:
            return render(request, "goals/carry_over.html#preview", context)
    return render(request, "goals/carry_over.html", context)
