"""Goal pages and htmx partials: thin over goals.services and goals.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from goals import selectors, services
from goals.forms import AdjustmentForm, CascadeForm, GoalForm, KeyResultFormSet, MeasureForm
from goals.models import Cycle, Goal, GoalSettings, KeyResult, Measurement, Status
from goals.smart import check_goal, smart_check
from org import permissions
from org.models import Unit


def _viewer(request: HttpRequest):
    if request.person is None:
        raise Http404
    return request.person


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _annotate_krs(goals, today, settings) -> None:
    for goal in goals:
        for kr in goal.key_results.all():
            _annotate_kr(kr, today, settings)


def _annotate_kr(kr, today, settings=None) -> None:
    kr.status_today = kr.status(today, settings)
    kr.status_label = Status(kr.status_today).label
    kr.expected_today = kr.expected_progress(today)


@login_required
@vary_on_headers("HX-Request")
def goal_list(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    cycles = list(Cycle.objects.order_by("-starts_on", "kind"))
    cycle = next((c for c in cycles if str(c.pk) == request.GET.get("cycle")), None)
    cycle = cycle or selectors.current_cycle()
    tab = request.GET.get("tab", "mine")
    if tab not in selectors.TABS:
        tab = "mine"
    goals = list(selectors.goal_list(viewer=viewer, cycle=cycle, tab=tab))
    _annotate_krs(goals, timezone.localdate(), GoalSettings.load())
    context = {"goals": goals, "cycle": cycle, "cycles": cycles, "tab": tab, "tabs": _tabs()}
    if request.htmx:
        return render(request, "goals/list.html#results", context)
    return render(request, "goals/list.html", context)


def _tabs():
    return [
        ("mine", _("Mine")),
        ("team", _("My team")),
        ("unit", _("My unit")),
        ("company", _("Company")),
    ]


@login_required
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    goal = permissions.get_goal_for(viewer, pk)
    goal = selectors.goals_with_key_results(Goal.objects.filter(pk=goal.pk)).get()
    today = timezone.localdate()
    _annotate_krs([goal], today, GoalSettings.load())
    tree = selectors.goal_tree(goal, viewer)
    is_owner = permissions.is_goal_owner(viewer, goal)
    is_manager = permissions.can_manage_goal(viewer, goal)
    context = {
        "goal": goal,
        "smart": check_goal(goal),
        "ancestors": selectors.goal_ancestors(goal, viewer),
        "children": tree.children,
        "history": selectors.goal_history(goal, limit=30),
        "adjustments": goal_adjustments(goal),
        "is_owner": is_owner,
        "is_manager": is_manager,
        "can_edit": (is_owner or is_manager)
        and goal.state in (Goal.State.DRAFT, Goal.State.RETURNED)
        or (is_manager and goal.state == Goal.State.PROPOSED),
        "can_measure": (is_owner or is_manager) and goal.state != Goal.State.CLOSED,
        "measure_form": MeasureForm(),
    }
    return render(request, "goals/detail.html", context)


def goal_adjustments(goal: Goal):
    from goals.models import TargetAdjustment

    return list(
        TargetAdjustment.objects.filter(key_result__goal=goal)
        .select_related("key_result", "requested_by", "decided_by")
        .order_by("-created_at")[:20]
    )


def _form_key_results(formset) -> list[dict]:
    rows = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if not data or data.get("DELETE") or not data.get("name"):
            continue
        row = {k: v for k, v in data.items() if k not in ("DELETE",) and v not in (None, "")}
        if not row.get("id"):
            row.pop("id", None)
        rows.append(row)
    return rows


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            name = field if field in form.fields else None
            for msg in msgs:
                form.add_error(
                    name, msg if name else f"{field}: {msg}" if field != "__all__" else msg
                )
    else:
        for msg in exc.messages:
            form.add_error(None, msg)


@login_required
def goal_create(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    initial = {"cycle": selectors.current_cycle()}
    if request.GET.get("parent", "").isdigit():
        initial["parent"] = request.GET["parent"]
    form = GoalForm(request.POST or None, viewer=viewer, initial=initial)
    formset = KeyResultFormSet(request.POST or None, prefix="kr")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = dict(form.cleaned_data)
        owner_unit = data.pop("owner_unit")
        level = data["level"]
        try:
            goal = services.create_goal(
                actor=viewer,
                owner_person=viewer if level == Goal.Level.PERSON else None,
                owner_unit=owner_unit if level != Goal.Level.PERSON else None,
                key_results=_form_key_results(formset),
                **data,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Goal saved as a draft."))
            return redirect("goals:detail", goal.pk)
    return render(request, "goals/form.html", {"form": form, "formset": formset, "goal": None})


@login_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    goal = permissions.get_goal_for(viewer, pk, "edit")
    krs = list(goal.key_results.all())
    initial = {
        "title": goal.title,
        "description": goal.description,
        "kind": goal.kind,
        "level": goal.level,
        "cycle": goal.cycle_id,
        "owner_unit": goal.owner_unit_id,
        "parent": goal.parent_id,
        "category": goal.category,
        "priority": goal.priority,
        "commitment": goal.commitment,
        "visibility": goal.visibility,
        "weight": goal.weight,
    }
    form = GoalForm(request.POST or None, viewer=viewer, initial=initial)
    form.fields["level"].disabled = True
    form.fields["cycle"].disabled = True
    form.fields["owner_unit"].disabled = True
    formset = KeyResultFormSet(
        request.POST or None,
        prefix="kr",
        initial=[
            {
                "id": kr.pk,
                "name": kr.name,
                "metric": kr.metric,
                "unit": kr.unit,
                "direction": kr.direction,
                "start_value": kr.start_value,
                "target_value": kr.target_value,
                "weight": kr.weight,
                "due_on": kr.due_on,
            }
            for kr in krs
        ],
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        data = {
            k: v for k, v in form.cleaned_data.items() if k not in ("level", "cycle", "owner_unit")
        }
        try:
            services.update_goal(
                actor=viewer,
                goal=goal,
                version=int(request.POST.get("version") or 0),
                key_results=_form_key_results(formset),
                **data,
            )
        except services.StaleVersion as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _apply_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Goal updated."))
            return redirect("goals:detail", goal.pk)
    return render(request, "goals/form.html", {"form": form, "formset": formset, "goal": goal})


@login_required
@require_POST
def smart_preview(request: HttpRequest) -> HttpResponse:
    """The live SMART check of the goal form (htmx): from the unsaved form data."""
    viewer = _viewer(request)
    post = request.POST
    cycle = (
        Cycle.objects.filter(pk=post.get("cycle") or 0).first()
        if post.get("cycle", "").isdigit()
        else None
    )
    parent = None
    if post.get("parent", "").isdigit():
        parent = (
            permissions.visible_goals(viewer)
            .select_related("cycle")
            .filter(pk=post["parent"])
            .first()
        )
    level = post.get("level") or Goal.Level.PERSON
    key_results = []
    total = post.get("kr-TOTAL_FORMS", "0")
    for i in range(min(int(total) if total.isdigit() else 0, 12)):
        name = post.get(f"kr-{i}-name", "").strip()
        if not name or post.get(f"kr-{i}-DELETE"):
            continue
        key_results.append(
            {
                "name": name,
                "metric": post.get(f"kr-{i}-metric", ""),
                "unit": post.get(f"kr-{i}-unit", ""),
                "direction": post.get(f"kr-{i}-direction", ""),
                "target_value": post.get(f"kr-{i}-target_value", ""),
                "due_on": post.get(f"kr-{i}-due_on", ""),
            }
        )
    owner_unit_id = post.get("owner_unit") if post.get("owner_unit", "").isdigit() else None
    verdicts = smart_check(
        title=post.get("title", ""),
        level=level,
        cycle=cycle,
        parent=parent,
        key_results=key_results,
        owner_person_id=viewer.pk if level == Goal.Level.PERSON else None,
        owner_unit_id=owner_unit_id if level != Goal.Level.PERSON else None,
    )
    return render(request, "goals/form.html#smart", {"smart": verdicts})


TRANSITIONS = {"propose", "agree", "return", "close", "counter"}


@login_required
@require_POST
def goal_transition(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    viewer = _viewer(request)
    if verb not in TRANSITIONS:
        raise Http404
    action = {"propose": "edit", "close": "close"}.get(verb, "agree")
    goal = permissions.get_goal_for(viewer, pk, action)
    comment = request.POST.get("comment", "")
    try:
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


@login_required
@require_POST
@vary_on_headers("HX-Request")
def measure(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
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
        kr = KeyResult.objects.select_related("goal__cycle").get(pk=kr.pk)
        today = timezone.localdate()
        _annotate_kr(kr, today)
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


def _cascade_candidates(viewer, goal):
    """People and units the viewer may assign to: those they manage (admins: everyone)."""
    if permissions.is_admin(viewer):
        people = permissions.visible_people(viewer)
        units = Unit.objects.all()
    else:
        people = permissions.managed_people(viewer).filter(is_active=True)
        paths = list(Unit.objects.filter(head=viewer).values_list("path", flat=True))
        units = Unit.objects.filter(pk__in=[0])
        for path in paths:
            units = units | Unit.objects.filter(path__startswith=path)
    return (
        list(people.select_related("unit").order_by("unit__path", "display_name")[:500]),
        list(units.select_related("head").order_by("path")[:200]),
    )


@login_required
@vary_on_headers("HX-Request")
def goal_cascade(request: HttpRequest, pk: int) -> HttpResponse:
    """The cascade wizard: pick a key result, owners and a split; preview (htmx) then create."""
    viewer = _viewer(request)
    goal = permissions.get_goal_for(viewer, pk, "cascade")
    people, units = _cascade_candidates(viewer, goal)
    form = CascadeForm(request.POST or None, goal=goal)
    context = {"goal": goal, "form": form, "people": people, "units": units, "result": None}
    if request.method == "POST" and form.is_valid():
        person_ids = {int(v) for v in request.POST.getlist("person") if v.isdigit()}
        unit_ids = {int(v) for v in request.POST.getlist("unit") if v.isdigit()}
        children = [
            {"owner_person": p, "weight": request.POST.get(f"weight-p{p.pk}") or None}
            for p in people
            if p.pk in person_ids
        ] + [
            {"owner_unit": u, "weight": request.POST.get(f"weight-u{u.pk}") or None}
            for u in units
            if u.pk in unit_ids
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


@login_required
def goal_tree(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    goal = permissions.get_goal_for(viewer, pk)
    tree = selectors.goal_tree(goal, viewer)
    return render(request, "goals/tree.html", {"goal": goal, "tree": tree, "size": tree.count()})


@login_required
def adjustment_request(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
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


@login_required
def adjustment_inbox(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    rows = list(selectors.pending_adjustments_for(viewer).order_by("-created_at")[:200])
    return render(request, "goals/adjustments.html", {"adjustments": rows})


@login_required
@require_POST
def adjustment_decide(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _viewer(request)
    adjustment = permissions.get_adjustment_for(viewer, pk, "decide")
    comment = request.POST.get("comment", "")
    try:
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
