"""Goal pages: the list by cycle and tab, the goal page, the goal form and its live SMART
check. Thin over goals.services and goals.selectors."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.params import is_id
from goals import permissions, selectors, selectors_support, services
from goals.forms import GoalForm, KeyResultFormSet, MeasureForm, with_one_more_key_result
from goals.models import Cycle, Goal, GoalSettings, Status
from goals.selectors_charts import burnup_charts
from goals.smart import check_goal, smart_check
from org.access import person_required


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _annotate_krs(goals, today, settings) -> None:
    for goal in goals:
        for kr in goal.key_results.all():
            _annotate_kr(kr, today, settings)


def _annotate_links(viewer, krs) -> None:
    """Each key result's links up and down the cascade: `linked_contributors` (the key
    results it rolls up that the viewer may see), `contributor_count` (all of them) and
    `linked_parent` (the key result it contributes to, when the viewer may see it). Two
    queries, whatever the number of key results."""
    krs = list(krs)
    visible = permissions.visible_key_results(viewer).select_related(
        "goal__owner_person", "goal__owner_unit"
    )
    below: dict[int, list] = {}
    for child in visible.filter(contributes_to__in=[kr.pk for kr in krs]).order_by("goal__title"):
        below.setdefault(child.contributes_to_id, []).append(child)
    up_ids = {kr.contributes_to_id for kr in krs if kr.contributes_to_id}
    above = {kr.pk: kr for kr in visible.filter(pk__in=up_ids)} if up_ids else {}
    for kr in krs:
        kr.linked_contributors = below.get(kr.pk, [])
        kr.contributor_count = len(kr.contributors.all())
        kr.linked_parent = above.get(kr.contributes_to_id)


def _annotate_kr(kr, today, settings=None) -> None:
    kr.status_today = kr.status(today, settings)
    kr.status_label = Status(kr.status_today).label
    kr.expected_today = kr.expected_progress(today)


@person_required
@vary_on_headers("HX-Request")
def goal_list(request: HttpRequest) -> HttpResponse:
    viewer = request.person
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


@person_required
def goal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    goal = permissions.get_goal_for(viewer, pk)
    goal = selectors.goals_with_key_results(Goal.objects.filter(pk=goal.pk)).get()
    today = timezone.localdate()
    _annotate_krs([goal], today, GoalSettings.load())
    _annotate_links(viewer, goal.key_results.all())
    tree = selectors.goal_tree(goal, viewer)
    actions = permissions.available_actions(viewer, goal)
    links = selectors_support.goal_links(goal, viewer, today=today)
    context = {
        "goal": goal,
        "smart": check_goal(goal),
        "ancestors": selectors.goal_ancestors(goal, viewer),
        "children": tree.children,
        **links,
        "dependency_at_risk": any(link.at_risk for link in links["supported_by"]),
        "support_requests": selectors_support.goal_requests(goal, viewer),
        "can_ask_support": permissions.speaks_for(viewer, goal) and not goal.cycle.is_closed,
        "history": selectors.goal_history_lines(goal, limit=30),
        "burnups": burnup_charts(goal.key_results.all(), today=today),
        "adjustments": selectors.goal_adjustments(goal),
        "actions": actions,
        # Labels only: the owner proposes and accepts, a manager assigns and agrees.
        "is_owner": permissions.is_goal_owner(viewer, goal),
        "is_manager": permissions.can_manage_goal(viewer, goal),
        "can_measure": permissions.MEASURE in actions,
        "measure_form": MeasureForm(),
        "carried_from": (
            permissions.visible_goals(viewer).filter(pk=goal.carried_from_id).first()
            if goal.carried_from_id
            else None
        ),
    }
    return render(request, "goals/detail.html", context)


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
    """A service's errors on the form: on their field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, msgs in exc.message_dict.items():
            name = field if field in form.fields else None
            for msg in msgs:
                form.add_error(name, msg)
    else:
        for msg in exc.messages:
            form.add_error(None, msg)


def _edit_form(form: GoalForm, goal: Goal) -> GoalForm:
    # Its own cycle even when closed: the service then says why the goal cannot change.
    form.fields["cycle"].queryset = Cycle.objects.filter(pk=goal.cycle_id)
    for name in ("level", "cycle", "owner_unit"):
        form.fields[name].disabled = True
    return form


def _with_another_key_result(request: HttpRequest, *, initial: dict, goal: Goal | None):
    """The form again, as typed, with room for one more key result: nothing is saved and the
    goal's fields are not judged yet (they are when the form is saved)."""
    typed = {k: v for k, v in request.POST.dict().items() if not k.startswith("kr-")}
    form = GoalForm(viewer=request.person, initial={**initial, **typed})
    if goal is not None:
        form = _edit_form(form, goal)
    formset = KeyResultFormSet(with_one_more_key_result(request.POST), prefix="kr")
    formset.forms[-1].fields["name"].widget.attrs["autofocus"] = True
    return render(request, "goals/form.html", {"form": form, "formset": formset, "goal": goal})


@person_required
def goal_parent_options(request: HttpRequest) -> HttpResponse:
    """The alignment picker's options for a search (htmx): at most 50, owner and unit named."""
    chosen = request.GET.get("parent", "")
    offered = selectors.parent_candidates(
        request.person,
        q=request.GET.get("parent_q", "")[:100],
        selected=int(chosen) if is_id(chosen) else None,
    )
    return render(
        request,
        "goals/_parent_options.html",
        {"options": [(g.pk, selectors.parent_label(g)) for g in offered], "chosen": chosen},
    )


@person_required
def goal_create(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    initial = {"cycle": selectors.current_cycle()}
    if is_id(request.GET.get("parent", "")):
        initial["parent"] = request.GET["parent"]
    if "add_key_result" in request.POST:
        return _with_another_key_result(request, initial=initial, goal=None)
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


@person_required
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
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
        "starts_on": goal.starts_on,
    }
    if "add_key_result" in request.POST:
        return _with_another_key_result(request, initial=initial, goal=goal)
    form = _edit_form(GoalForm(request.POST or None, viewer=viewer, initial=initial), goal)
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
                "target_high": kr.target_high,
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
        if data.get("starts_on") == goal.starts_on:
            data.pop("starts_on")  # unchanged: the pace stays where it was
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


@person_required
@require_POST
def smart_preview(request: HttpRequest) -> HttpResponse:
    """The live SMART check of the goal form (htmx): from the unsaved form data."""
    viewer = request.person
    post = request.POST
    cycle = (
        Cycle.objects.filter(pk=post.get("cycle") or 0).first()
        if is_id(post.get("cycle", ""))
        else None
    )
    parent = None
    if is_id(post.get("parent", "")):
        parent = (
            permissions.visible_goals(viewer)
            .select_related("cycle")
            .filter(pk=post["parent"])
            .first()
        )
    level = post.get("level") or Goal.Level.PERSON
    key_results = []
    total = post.get("kr-TOTAL_FORMS", "0")
    for i in range(min(int(total) if is_id(total) else 0, KeyResultFormSet.max_num)):
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
    owner_unit_id = post.get("owner_unit") if is_id(post.get("owner_unit", "")) else None
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
