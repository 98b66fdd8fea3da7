"""The HRBP goal-alignment review: the checklist for a unit (with its subtree) and a cycle,
recording a review, the history of reviews, and the checklist as CSV."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheet
from core.forms import Form
from goals.models import AlignmentReview
from goals.selectors_alignment import alignment_checklist, findings_summary
from goals.services.alignment import can_review_alignment, record_alignment_review
from org import scopes
from org.models import Unit

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


def reviewable_units(viewer) -> list[Unit]:
    """Admins: every unit; HRBPs: the units they partner and everything below them."""
    if scopes.is_admin(viewer):
        return list(Unit.objects.order_by("path"))
    paths = scopes.Viewer.of(viewer).hrbp_paths
    if not paths:
        return []
    return [u for u in Unit.objects.order_by("path") if any(u.path.startswith(p) for p in paths)]


def _scope(request: HttpRequest):
    viewer = request.person
    units = reviewable_units(viewer)
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
    cycle = chosen_cycle(request)
    if cycle is None:
        raise Http404
    return viewer, units, unit, cycle


@login_required
def alignment(request: HttpRequest) -> HttpResponse:
    viewer, units, unit, cycle = _scope(request)
    if not can_review_alignment(viewer, unit):
        raise Http404
    scope, items = alignment_checklist(unit=unit, cycle=cycle)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_alignment_review(
                actor=viewer,
                unit=unit,
                cycle=cycle,
                outcome=form.cleaned_data["outcome"],
                comments=form.cleaned_data["comments"],
                findings=findings_summary(items),
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
    context = {
        "units": units,
        "unit": unit,
        "cycle": cycle,
        "cycles": cycles(),
        "items": items,
        "open_count": sum(len(i.findings) for i in items),
        "people_count": len(scope.people),
        "goal_count": len(scope.goals),
        "task_forces": scope.task_forces,
        "form": form,
        "history": history,
        "now": timezone.now(),
    }
    return render(request, "dashboard/alignment.html", context)


@login_required
def alignment_csv(request: HttpRequest) -> HttpResponse:
    viewer, _units, unit, cycle = _scope(request)
    if not can_review_alignment(viewer, unit):
        raise Http404
    _scope_data, items = alignment_checklist(unit=unit, cycle=cycle)
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
            item.label,
            f.goal.pk if f.goal else "",
            f.goal.title if f.goal else "",
            f.goal.owner_name if f.goal else "",
            f.person.display_name if f.person else "",
            f.unit.name if f.unit else "",
            f.message,
            base + reverse("goals:detail", args=[f.goal.pk]) if f.goal else "",
        ]
        for item in items
        for f in item.findings
    )
    return spreadsheet.csv_response(f"alignment-{unit.pk}-{cycle.pk}", header, rows)
