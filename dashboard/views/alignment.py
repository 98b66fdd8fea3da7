"""The HRBP goal-alignment review: the checklist for a unit (with its subtree) and a cycle,
recording a review, the history of reviews, and the checklist as CSV.

The findings are read from their table (`goals.models.AlignmentFinding`, kept on write), 50 at a
time, with the count of every check from one aggregate query: a fixed number of queries
whatever the size of the subtree."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Func, IntegerField, OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheet
from core.forms import Form
from goals.models import AlignmentReview, Cycle, UnitCycleRollup
from goals.selectors_alignment import CHECKS, review_findings, review_page, review_task_forces
from goals.services.alignment import can_review_alignment, record_alignment_review
from org import scopes
from org.models import Person, Unit

from .common import chosen_cycle, cycles


class ReviewForm(Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Outcome"),
        choices=AlignmentReview.Outcome.choices,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label=gettext_lazy("Comments"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def reviewable_units(viewer, units: list[Unit] | None = None) -> list[Unit]:
    """Admins: every unit; HRBPs: the units they partner and everything below them (one query
    for the units, or none given them all: the partnered units' paths are taken from them)."""
    units = list(Unit.objects.order_by("path")) if units is None else units
    if scopes.is_admin(viewer):
        return units
    v = scopes.Viewer.of(viewer)
    assigned = set(v.hrbp_unit_ids)
    if "hrbp_paths" not in v.__dict__:
        v.__dict__["hrbp_paths"] = [u.path for u in units if u.pk in assigned]
    paths = v.hrbp_paths
    if not paths:
        return []
    return [u for u in units if any(u.path.startswith(p) for p in paths)]


def _scope(request: HttpRequest):
    viewer = request.person
    every_unit = list(Unit.objects.order_by("path"))
    units = reviewable_units(viewer, every_unit)
    if not units:
        raise Http404
    raw = request.GET.get("unit") or request.POST.get("unit")
    if raw:
        unit = next((u for u in units if str(u.pk) == raw), None)
        if unit is None:
            raise Http404
    else:
        assigned = set(scopes.Viewer.of(viewer).hrbp_unit_ids)
        unit = next((u for u in units if u.pk in assigned), units[0])
    options = cycles()
    raw_cycle = request.GET.get("cycle") or request.POST.get("cycle")
    cycle = next((c for c in options if str(c.pk) == raw_cycle), None) if raw_cycle else None
    cycle = cycle or chosen_cycle(request)
    if cycle is None:
        raise Http404
    # Task forces sit under the lowest unit common to their members, often outside the units
    # the viewer reviews: whether there are any is read from every unit.
    return viewer, every_unit, unit, cycle, options


def _task_forces(unit: Unit, units: list[Unit]) -> list[Unit]:
    """The task forces the subtree's people belong to (no query when there are none)."""
    if not any(u.kind == Unit.Kind.TASK_FORCE for u in units):
        return []
    return review_task_forces(unit)


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("page") or 1)
    except ValueError:
        return 1


def _counts(unit: Unit, cycle, task_forces: list[Unit]) -> tuple[int, int]:
    """The goals not closed of the review (summed from the unit rollups by path) and its
    people: one query (two scalar subqueries)."""
    paths = Q(unit__path__startswith=unit.path)
    for task_force in task_forces:
        paths |= Q(unit__path__startswith=task_force.path)
    goals = (
        UnitCycleRollup.objects.filter(paths, cycle_id=OuterRef("pk"))
        .order_by()
        .annotate(n=Func(F("open_goals"), function="SUM"))
        .values("n")
    )
    people = (
        Person.objects.filter(unit__path__startswith=unit.path, is_active=True)
        .order_by()
        .annotate(n=Func(F("pk"), function="COUNT"))
        .values("n")
    )
    row = (
        Cycle.objects.filter(pk=cycle.pk)
        .values(n_goals=Subquery(goals, output_field=IntegerField()), n_people=Subquery(people))
        .get()
    )
    return row["n_goals"] or 0, row["n_people"] or 0


@login_required
def alignment(request: HttpRequest) -> HttpResponse:
    viewer, every_unit, unit, cycle, options = _scope(request)
    if not can_review_alignment(viewer, unit):
        raise Http404
    units = reviewable_units(viewer, every_unit)
    task_forces = _task_forces(unit, every_unit)
    page = review_page(unit=unit, cycle=cycle, task_forces=task_forces, page=_page_number(request))
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_alignment_review(
                actor=viewer,
                unit=unit,
                cycle=cycle,
                outcome=form.cleaned_data["outcome"],
                comments=form.cleaned_data["comments"],
                findings=page.counts,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("Review recorded; the unit head has been notified."))
            url = reverse("dashboard:alignment")
            return redirect(f"{url}?unit={unit.pk}&cycle={cycle.pk}#history")
    history = list(
        AlignmentReview.objects.filter(unit=unit, cycle=cycle).select_related("reviewer")[:50]
    )
    goal_count, people_count = _counts(unit, cycle, task_forces)
    context = {
        "units": units,
        "unit": unit,
        "cycle": cycle,
        "cycles": options,
        "page": page,
        "items": page.items,
        "open_count": page.total,
        "people_count": people_count,
        "goal_count": goal_count,
        "task_forces": task_forces,
        "form": form,
        "history": history,
        "now": timezone.now(),
    }
    return render(request, "dashboard/alignment.html", context)


@login_required
def alignment_csv(request: HttpRequest) -> HttpResponse:
    viewer, every_unit, unit, cycle, _options = _scope(request)
    if not can_review_alignment(viewer, unit):
        raise Http404
    findings = review_findings(
        unit=unit, cycle=cycle, task_forces=_task_forces(unit, every_unit)
    ).select_related("goal__owner_person", "goal__owner_unit", "person", "unit")
    labels = {key: str(label) for key, label, _fn in CHECKS}
    header = [
        _("Check"),
        _("Goal ID"),
        _("Goal"),
        _("Owner"),
        _("Person"),
        _("Unit"),
        _("Finding"),
        _("Link"),
    ]
    base = request.build_absolute_uri("/")[:-1]
    rows = (
        [
            labels[f.kind],
            f.goal.pk if f.goal else "",
            f.goal.title if f.goal else "",
            f.goal.owner_name if f.goal else "",
            f.person.display_name if f.person and f.kind in PERSON_COLUMN else "",
            f.unit.name if f.unit else "",
            f.text(),
            base + reverse("goals:detail", args=[f.goal.pk]) if f.goal else "",
        ]
        for f in findings.iterator(chunk_size=2000)
    )
    return spreadsheet.csv_response(f"alignment-{unit.pk}-{cycle.pk}", header, rows)


# The checks whose findings name a person (the CSV's Person column), as the checklist did.
PERSON_COLUMN = ("no_goals", "too_many", "weights")
