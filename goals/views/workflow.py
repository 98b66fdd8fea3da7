"""Workflow pages: agreement transitions, measurements, cascade wizard, alignment tree and
target adjustments. Thin over goals.services and goals.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.forms import checked_text
from core.params import is_id
from goals import permissions, selectors, selectors_lists, services
from goals.forms import AdjustmentForm, CascadeForm, MeasureForm
from goals.models import KeyResult, Measurement
from org import permissions as org_permissions
from org import scopes
from org.access import person_required
from org.models import Unit

from .pages import _annotate_kr, _annotate_links, _apply_errors, _errors

TRANSITIONS = {"propose", "agree", "return", "close", "counter"}


@person_required
@require_POST
def goal_transition(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    viewer = request.person
    if verb not in TRANSITIONS:
        raise Http404
    action = {"propose": "edit", "close": "close"}.get(verb, "agree")
    goal = permissions.get_goal_for(viewer, pk, action)
    try:
        comment = checked_text(request.POST.get("comment", ""), "comment")
        if verb == "propose":
            services.propose_goal(actor=viewer, goal=goal)
            messages.success(request, _("Goal proposed for agreement."))
        elif verb == "agree":
            services.agree_goal(actor=viewer, goal=goal)
            messages.success(request, _("Goal agreed."))
        elif verb == "return":
            services.return_goal(actor=viewer, goal=goal, comment=comment)
            messages.success(request, _("Goal returned to its owner."))
        elif verb == "counter":
            targets = {
                key[len("target-") :]: value
                for key, value in request.POST.items()
                if key.startswith("target-") and value.strip()
            }
            services.counter_propose_goal(actor=viewer, goal=goal, comment=comment, targets=targets)
            messages.success(request, _("Counter-proposal sent."))
        else:
            services.close_goal(actor=viewer, goal=goal, score=request.POST.get("score") or None)
            messages.success(request, _("Goal closed."))
    except ValidationError as exc:
        for msg in _errors(exc):
            messages.error(request, msg)
    return redirect("goals:detail", goal.pk)


@person_required
@require_POST
@vary_on_headers("HX-Request")
def measure(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    kr = permissions.get_key_result_for(viewer, pk, "measure")
    form = MeasureForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.record_measurement(
                key_result=kr,
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                source=Measurement.Source.MANUAL,
                recorded_by=viewer,
            )
        except ValidationError as exc:
            error = " ".join(_errors(exc))
    else:
        error = " ".join(str(e) for errs in form.errors.values() for e in errs)
    if request.htmx:
        kr = (
            KeyResult.objects.select_related("goal__cycle")
            .prefetch_related("contributors")
            .get(pk=kr.pk)
        )
        today = timezone.localdate()
        _annotate_kr(kr, today)
        _annotate_links(viewer, [kr])
        return render(
            request,
            "goals/detail.html#kr-row",
            {
                "kr": kr,
                "goal": kr.goal,
                "can_measure": True,
                "measure_error": error,
                "measure_form": MeasureForm(),
            },
        )
    if error:
        messages.error(request, error)
    return redirect("goals:detail", kr.goal_id)


CASCADE_PEOPLE_PAGE = 50


def _cascade_candidates(viewer):
    """People and units the viewer may assign to: those they manage and the units they head
    (admins: everyone), as querysets (the page shows them a page at a time)."""
    if scopes.is_admin(viewer):
        people = org_permissions.visible_people(viewer).filter(is_active=True)
        units = Unit.objects.all()
    else:
        people = scopes.managed_people(viewer).filter(is_active=True)
        paths = list(Unit.objects.filter(head=viewer).values_list("path", flat=True))
        units = Unit.objects.filter(pk__in=[0])
        for path in paths:
            units = units | Unit.objects.filter(path__startswith=path)
    return people, units


def _people_page(request: HttpRequest, people, chosen: set[int]) -> dict:
    """One page of the people to cascade to, found by name, unit or title; the people chosen
    on other pages ride along as hidden inputs (with their weights)."""
    q = request.POST.get("people_q", request.GET.get("people_q", ""))[:100]
    found = people
    for word in q.split()[:5]:
        found = found.filter(
            Q(display_name__icontains=word)
            | Q(unit__name__icontains=word)
            | Q(title__icontains=word)
        )
    page = Paginator(
        found.select_related("unit").order_by("unit__path", "display_name", "pk"),
        CASCADE_PEOPLE_PAGE,
    ).get_page(request.POST.get("people_page", request.GET.get("people_page")))
    shown = {p.pk for p in page}
    data = request.POST or request.GET
    kept = [{"pk": pk, "weight": data.get(f"weight-p{pk}", "")} for pk in sorted(chosen - shown)]
    return {"page": page, "q": q, "chosen": chosen, "kept": kept}


@person_required
@vary_on_headers("HX-Request")
def goal_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    """The cascade wizard: pick a key result, units or people (searched, a page at a time) and
    a split; preview (htmx) then create."""
    viewer = request.person
    goal = permissions.get_goal_for(viewer, pk, "cascade")
    people, units = _cascade_candidates(viewer)
    data = request.POST or request.GET
    person_ids = {int(v) for v in data.getlist("person") if is_id(v)}
    unit_ids = {int(v) for v in data.getlist("unit") if is_id(v)}
    form = CascadeForm(request.POST or None, goal=goal)
    context = {
        "goal": goal,
        "form": form,
        "people": _people_page(request, people, person_ids),
        "units": units.select_related("head").order_by("path")[:200],
        "chosen_units": unit_ids,
        "result": None,
    }
    if request.method == "GET" and request.htmx:
        return render(request, "goals/cascade.html#people", context)
    if request.method == "POST" and form.is_valid():
        chosen_people = people.filter(pk__in=person_ids).order_by("unit__path", "display_name")
        children = [
            {"owner_person": p, "weight": request.POST.get(f"weight-p{p.pk}") or None}
            for p in chosen_people
        ] + [
            {"owner_unit": u, "weight": request.POST.get(f"weight-u{u.pk}") or None}
            for u in units.filter(pk__in=unit_ids).order_by("path")
        ]
        dry_run = "preview" in request.POST or bool(request.htmx)
        try:
            result = services.cascade_goal(
                actor=viewer,
                goal=goal,
                key_result=form.cleaned_data["key_result"],
                split=form.cleaned_data["split"],
                children=children,
                dry_run=dry_run,
                apply_templates=form.cleaned_data["apply_templates"],
                title=form.cleaned_data["title"],
                aggregation=form.cleaned_data["aggregation"] or KeyResult.Aggregation.SUM,
            )
        except (ValidationError, PermissionDenied) as exc:
            msgs = _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]
            for msg in msgs:
                form.add_error(None, msg)
        else:
            if not dry_run:
                messages.success(
                    request,
                    _("%(n)s goals created and sent for acceptance.") % {"n": len(result.goals)},
                )
                return redirect("goals:tree", goal.pk)
            context["result"] = result
            context["parent_target"] = form.cleaned_data["key_result"].target_value
            context["adds_up"] = result.total == form.cleaned_data["key_result"].target_value
        if request.htmx:
            return render(request, "goals/cascade.html#preview", context)
    return render(request, "goals/cascade.html", context)


TREE_PAGE_DEPTH = 2


@person_required
@vary_on_headers("HX-Request")
def goal_tree(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    goal = permissions.get_goal_for(viewer, pk)
    try:
        offset = max(0, min(int(request.GET.get("offset") or 0), 1_000_000))
    except ValueError:
        raise Http404 from None
    # The page opens TREE_PAGE_DEPTH levels deep, each node with a page of its children; a
    # deeper branch loads when expanded and a node's next children on "more" (htmx; without
    # it, the links open the tree page of that goal), so a company tree of 10,000 goals
    # renders in the time of a few dozen, in a fixed number of queries.
    tree = selectors_lists.goal_tree_page(goal, viewer, depth=TREE_PAGE_DEPTH, offset=offset)
    if request.htmx and request.GET.get("children"):
        return render(
            request, "goals/_tree_children.html", {"nodes": tree.children, "parent": tree}
        )
    return render(
        request,
        "goals/tree.html",
        {"goal": goal, "tree": tree, "size": tree.count(), "offset": offset},
    )


@person_required
def adjustment_request(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    goal = permissions.get_goal_for(viewer, pk, "adjust")
    form = AdjustmentForm(request.POST or None, goal=goal)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_adjustment(actor=viewer, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Adjustment requested; the owner's manager decides."))
            return redirect("goals:detail", goal.pk)
    return render(request, "goals/adjust.html", {"goal": goal, "form": form})


@person_required
def adjustment_inbox(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    rows = list(selectors.pending_adjustments_for(viewer).order_by("-created_at")[:200])
    return render(request, "goals/adjustments.html", {"adjustments": rows})


@person_required
@require_POST
def adjustment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    adjustment = permissions.get_adjustment_for(viewer, pk, "decide")
    try:
        comment = checked_text(request.POST.get("comment", ""), "comment")
        if request.POST.get("decision") == "approve":
            services.approve_adjustment(actor=viewer, adjustment=adjustment, comment=comment)
            messages.success(request, _("Adjustment approved; the target has changed."))
        else:
            services.reject_adjustment(actor=viewer, adjustment=adjustment, comment=comment)
            messages.success(request, _("Adjustment rejected."))
    except ValidationError as exc:
        for msg in _errors(exc):
            messages.error(request, msg)
    return redirect("goals:adjustments")
