"""Resource pages: the request form, my requests, the approver's inbox (decisions inline via
htmx) and the budget page. Thin: forms shape input, services decide, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.params import is_id
from goals.models import Cycle
from org.access import person_required
from resources import permissions, selectors, services
from resources.forms import ApproveForm, BudgetForm, ResourceRequestForm
from resources.models import ResourceRequest

PAGE_SIZE = 50


def _first_error(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


@person_required
@vary_on_headers("HX-Request")
def inbox(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    page = Paginator(selectors.approval_inbox(viewer=viewer), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    near_limit = selectors.budgets_near_limit(viewer=viewer, cycle=selectors.current_cycle())
    context = {
        "page": page,
        "to_fulfil": selectors.to_fulfil(viewer=viewer)[:PAGE_SIZE],
        "near_limit": near_limit[:PAGE_SIZE],
        "waiting_ids": set(
            selectors.waiting_requests(viewer=viewer)
            .filter(pk__in=[r.pk for r in page])
            .values_list("pk", flat=True)
        ),
    }
    if request.htmx:
        return render(request, "resources/inbox.html#inbox-list", context)
    return render(request, "resources/inbox.html", context)


@person_required
@require_POST
@vary_on_headers("HX-Request")
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve (fully or partly), reject or fulfil one request from the inbox."""
    viewer = request.person
    # 404 when the request is out of sight, 403 when it is seen but not the viewer's to decide.
    obj = permissions.get_resource_request_for(viewer, pk, action="decide")
    action = request.POST.get("action")
    form = ApproveForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    error = ""
    try:
        if action == "approve":
            obj = services.approve_request(
                actor=viewer,
                request=obj,
                granted_amount=data.get("granted_amount"),
                comment=data.get("comment", ""),
            )
        elif action == "reject":
            obj = services.reject_request(
                actor=viewer, request=obj, comment=data.get("comment", "")
            )
        elif action == "fulfil":
            obj = services.fulfil_request(
                actor=viewer, request=obj, spent_amount=request.POST.get("spent_amount")
            )
        else:
            error = _("Choose approve, reject or fulfil.")
    except ValidationError as exc:
        error = _first_error(exc)
    except PermissionDenied as exc:
        error = str(exc) or _("You may not decide this request.")
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Saved."))
        return redirect("resources:resource-inbox")
    obj = permissions.get_resource_request_for(viewer, pk)
    partial = "done-row"
    if error and obj.state == ResourceRequest.State.SUBMITTED:
        partial = "inbox-row"
    elif error and obj.state in ResourceRequest.GRANTED_STATES:
        partial = "fulfil-row"
    return render(
        request,
        f"resources/inbox.html#{partial}",
        {"r": obj, "error": error, "form": form, "decided": not error},
    )


@person_required
def new_request(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    goals = selectors.servable_goals(viewer=viewer)
    if request.method == "POST":
        form = ResourceRequestForm(request.POST, goals=goals)
        if form.is_valid():
            data = form.cleaned_data
            try:
                obj = services.submit_request(requester=viewer, **data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(
                    request,
                    _("Your request was sent to %(approver)s.")
                    % {"approver": obj.approver.display_name if obj.approver else _("the admins")},
                )
                return redirect("resources:resource-detail", pk=obj.pk)
    else:
        initial = {"unit": viewer.unit_id}
        key_result = request.GET.get("key_result", "")
        goal = request.GET.get("goal", "")
        if is_id(key_result):
            kr = (
                ResourceRequestForm(goals=goals)
                .fields["key_result"]
                .queryset.filter(pk=key_result)
                .first()
            )
            if kr is not None:
                initial.update(key_result=kr.pk, goal=kr.goal_id)
        elif is_id(goal) and goals.filter(pk=goal).exists():
            initial["goal"] = int(goal)
        chosen = goals.filter(pk=initial.get("goal")).values("cycle_id", "owner_unit_id").first()
        room = selectors.budgets_with_room(cycle_ids=[chosen["cycle_id"]] if chosen else [])
        if room:  # propose a budget that can pay: the requester's unit, else the goal's unit
            rank = {viewer.unit_id: 0, chosen["owner_unit_id"]: 1}
            pick = min(room, key=lambda b: rank.get(b.unit_id, 2))
            initial.update(unit=pick.unit_id, category=pick.category)
        form = ResourceRequestForm(initial=initial, goals=goals)
    cycles = {g.cycle_id: g.cycle for g in goals.select_related("cycle")}
    room = selectors.budgets_with_room(cycle_ids=cycles)
    budget_room = [
        {"cycle": cycle, "budgets": [b for b in room if b.cycle_id == cycle_id]}
        for cycle_id, cycle in cycles.items()
    ]
    return render(request, "resources/form.html", {"form": form, "budget_room": budget_room})


@person_required
@vary_on_headers("HX-Request")
def mine(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    page = Paginator(selectors.my_requests(viewer=viewer), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "resources/mine.html", {"page": page})


@person_required
@require_POST
@vary_on_headers("HX-Request")
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    obj = permissions.get_resource_request_for(viewer, pk, action="withdraw")
    error = ""
    try:
        obj = services.withdraw_request(actor=viewer, request=obj)
    except ValidationError as exc:
        error = _first_error(exc)
    except PermissionDenied as exc:
        error = str(exc)
    if request.htmx:
        obj = permissions.get_resource_request_for(viewer, pk)
        return render(request, "resources/mine.html#mine-row", {"r": obj, "error": error})
    if error:
        messages.error(request, error)
    return redirect("resources:my-requests")


@person_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    obj = permissions.get_resource_request_for(viewer, pk)
    return render(
        request,
        "resources/detail.html",
        {
            "r": obj,
            "actions": permissions.available_actions(viewer, obj),
        },
    )


@person_required
@vary_on_headers("HX-Request")
def budgets(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    cycle = None
    if is_id(request.GET.get("cycle", "")):
        cycle = Cycle.objects.filter(pk=request.GET["cycle"]).first()
    cycle = cycle or selectors.current_cycle()
    units = selectors.writable_units(viewer=viewer)
    form = None
    if units.exists():
        form = BudgetForm(
            request.POST or None, units=units, initial={"cycle": cycle.pk if cycle else None}
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.create_budget(actor=viewer, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Budget saved."))
                cycle_pk = form.cleaned_data["cycle"].pk
                return redirect(f"{reverse('resources:budgets')}?cycle={cycle_pk}")
    elif request.method == "POST":
        raise PermissionDenied
    rows = list(selectors.budgets(viewer=viewer, cycle=cycle)) if cycle else []
    utilisation = selectors.budget_utilisation(viewer=viewer, cycle=cycle)["units"] if cycle else []
    return render(
        request,
        "resources/budgets.html",
        {
            "cycle": cycle,
            "cycles": Cycle.objects.order_by("-starts_on")[:12],
            "budgets": rows,
            "totals": utilisation,
            "form": form,
        },
    )
