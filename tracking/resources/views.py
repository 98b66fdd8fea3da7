"""Resource pages: the request form, my requests, the approver's inbox (decisions inline via
htmx) and the budget page. Thin: forms shape input, services decide, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from config.params import is_id
from goals.models import Cycle
from org import permissions
from tracking.models import ResourceRequest
from tracking.resources import selectors, services
from tracking.resources.forms import ApproveForm, BudgetForm, ResourceRequestForm

PAGE_SIZE = 50


def _viewer(request: HttpRequest):
    if request.person is None:
        raise Http404
    return request.person


def _first_error(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


@login_required
@vary_on_headers("HX-Request")
def inbox(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
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
        return render(request, "tracking/resources/inbox.html#inbox-list", context)
    return render(request, "tracking/resources/inbox.html", context)


@login_required
@require_POST
@vary_on_headers("HX-Request")
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve (fully or partly), reject or fulfil one request from the inbox."""
    viewer = _viewer(request)
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
        return redirect("tracking:resource-inbox")
    obj = permissions.get_resource_request_for(viewer, pk)
    partial = "done-row"
    if error and obj.state == ResourceRequest.State.SUBMITTED:
        partial = "inbox-row"
    elif error and obj.state in ResourceRequest.GRANTED_STATES:
        partial = "fulfil-row"
    return render(
        request,
        f"tracking/resources/inbox.html#{partial}",
        {"r": obj, "error": error, "form": form, "decided": not error},
    )


@login_required
def new_request(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
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
                return redirect("tracking:resource-detail", pk=obj.pk)
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
        form = ResourceRequestForm(initial=initial, goals=goals)
    return render(request, "tracking/resources/form.html", {"form": form})


@login_required
@vary_on_headers("HX-Request")
def mine(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    page = Paginator(selectors.my_requests(viewer=viewer), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "tracking/resources/mine.html", {"page": page})


@login_required
@require_POST
@vary_on_headers("HX-Request")
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
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
        return render(request, "tracking/resources/mine.html#mine-row", {"r": obj, "error": error})
    if error:
        messages.error(request, error)
    return redirect("tracking:my-requests")


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    obj = permissions.get_resource_request_for(viewer, pk)
    return render(
        request,
        "tracking/resources/detail.html",
        {
            "r": obj,
            "can_decide": permissions.can_decide_request(viewer, obj),
            "is_requester": obj.requester_id == viewer.pk,
        },
    )


@login_required
@vary_on_headers("HX-Request")
def budgets(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
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
                return redirect(f"{reverse('tracking:budgets')}?cycle={cycle_pk}")
    elif request.method == "POST":
        raise PermissionDenied
    rows = list(selectors.budgets(viewer=viewer, cycle=cycle)) if cycle else []
    utilisation = selectors.budget_utilisation(viewer=viewer, cycle=cycle)["units"] if cycle else []
    return render(
        request,
        "tracking/resources/budgets.html",
        {
            "cycle": cycle,
            "cycles": Cycle.objects.order_by("-starts_on")[:12],
            "budgets": rows,
            "totals": utilisation,
            "form": form,
        },
    )
