"""Retrospective pages: list, start, the page with results, sections, 5-Why editor (a level
added with htmx) and actions with their follow-through."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from core.params import is_id
from goals.models import Goal
from org.access import person_required
from retros import forms, permissions, selectors, services
from retros.models import RetroAction, RetroTemplate, Section
from retros.services.five_whys import DEFAULT_LEVELS


@person_required
def retrospective_list(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    rows = selectors.retrospective_list(viewer=viewer)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "retros/retrospective_list.html", {"page": page})


@person_required
def retrospective_create(request: HttpRequest) -> HttpResponse:
    """Start a retrospective for a unit, or for a goal (?goal=<id>)."""
    viewer = request.person
    goal = None
    raw_goal = request.POST.get("goal") or request.GET.get("goal", "")
    if is_id(str(raw_goal)):
        goal = (
            Goal.objects.select_related("owner_person__unit", "owner_unit", "cycle")
            .filter(pk=raw_goal)
            .first()
        )
        if goal is None or not permissions.can_see_goal_for_retros(viewer, goal):
            raise Http404
    if request.method == "POST":
        form = forms.RetrospectiveCreateForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                retro = services.create_retrospective(
                    actor=viewer,
                    cycle=d["cycle"],
                    goal=goal,
                    unit=None if goal else d["unit"],
                    participants=d["participants"],
                    title=d["title"],
                )
            except ValidationError as exc:
                forms.add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("retros:detail", pk=retro.pk)
    else:
        initial = {"goal": goal.pk, "cycle": goal.cycle_id} if goal else {}
        form = forms.RetrospectiveCreateForm(initial=initial)
    return render(request, "retros/retrospective_create.html", {"form": form, "goal": goal})


def _detail_context(viewer, pk, **extra) -> dict:
    retro = selectors.retrospective_detail(viewer=viewer, pk=pk)
    template = retro.template or RetroTemplate(questions={})
    actions = permissions.available_actions(viewer, retro)
    sections = [
        {
            "name": section.value,
            "label": section.label,
            "questions": template.questions_for(section),
            "text": getattr(retro, section.value),
        }
        for section in Section
        if section != Section.RESULTS
    ]
    context = {
        "retro": retro,
        "results_questions": template.questions_for(Section.RESULTS),
        "sections": sections,
        "causes": selectors.cause_counts(retro),
        "actions": actions,
        "sections_form": forms.SectionsForm(
            initial={s: getattr(retro, s) for s in ("reasons", "what_worked", "improvements")}
        ),
        "improvement_form": forms.ImprovementForm(),
    }
    context.update(extra)
    return context


@person_required
def retrospective_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    return render(request, "retros/retrospective_detail.html", _detail_context(viewer, pk))


@person_required
@require_POST
def retrospective_sections(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    retro = permissions.get_retrospective_for(viewer, pk, action="edit")
    form = forms.SectionsForm(request.POST)
    if form.is_valid():
        try:
            services.update_retrospective(actor=viewer, retro=retro, **form.cleaned_data)
            messages.success(request, _("Sections saved."))
            return redirect("retros:detail", pk=pk)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
    context = _detail_context(viewer, pk, sections_form=form)
    return render(request, "retros/retrospective_detail.html", context, status=400)


def _transition(request: HttpRequest, pk: int, service) -> HttpResponse:
    viewer = request.person
    retro = permissions.get_retrospective_for(viewer, pk, action="manage")
    try:
        service(actor=viewer, retro=retro)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("retros:detail", pk=pk)


@login_required
@require_POST
def retrospective_hold(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.hold_retrospective)


@login_required
@require_POST
def retrospective_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _transition(request, pk, services.publish_retrospective)


@person_required
@require_POST
def improvement_add(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    retro = permissions.get_retrospective_for(viewer, pk, action="edit")
    form = forms.ImprovementForm(request.POST)
    if form.is_valid():
        try:
            services.add_improvement(actor=viewer, retro=retro, **form.cleaned_data)
            return redirect("retros:detail", pk=pk)
        except ValidationError as exc:
            forms.add_service_errors(form, exc)
    context = _detail_context(viewer, pk, improvement_form=form)
    return render(request, "retros/retrospective_detail.html", context, status=400)


@person_required
@require_POST
def follow_through(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    action = (
        RetroAction.objects.filter(
            pk=pk, retrospective__in=permissions.visible_retrospectives(viewer).values("pk")
        )
        .select_related("retrospective")
        .first()
    )
    if action is None:
        raise Http404
    form = forms.FollowThroughForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a goal or an improvement plan."))
    else:
        try:
            services.follow_through(actor=viewer, action=action, to=form.cleaned_data["to"])
            messages.success(request, _("Followed through."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("retros:detail", pk=action.retrospective_id)


def _levels_from_post(post) -> list[dict]:
    texts = post.getlist("why")
    root = post.get("root", "")
    return [
        {"text": text, "is_root_cause": root == str(number)}
        for number, text in enumerate(texts, start=1)
    ]


@person_required
@vary_on_headers("HX-Request")
def five_why_edit(request: HttpRequest, pk: int, analysis_pk: int | None = None) -> HttpResponse:
    """The 5-Why editor: the problem, the chain (add a level with htmx), the countermeasure."""
    viewer = request.person
    retro = permissions.get_retrospective_for(viewer, pk, action="edit")
    analysis = None
    if analysis_pk is not None:
        analysis = retro.five_whys.filter(pk=analysis_pk).first()
        if analysis is None:
            raise Http404
    chain_errors: list[str] = []
    level_errors: dict[int, list[str]] = {}
    if request.method == "POST":
        form = forms.FiveWhyForm(request.POST)
        levels = _levels_from_post(request.POST)
        if form.is_valid():
            try:
                services.save_five_why(
                    actor=viewer,
                    retrospective=retro,
                    analysis=analysis,
                    whys=levels,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                for key, msgs in exc.message_dict.items():
                    if key == "whys" or key == "__all__":
                        chain_errors.extend(msgs)
                    elif key.startswith("whys."):
                        level_errors[int(key.split(".")[1])] = msgs
                    else:
                        form.add_error(key if key in form.fields else None, msgs)
            else:
                messages.success(request, _("5-Why analysis saved."))
                return redirect("retros:detail", pk=pk)
    elif analysis is not None:
        form = forms.FiveWhyForm(
            initial={
                "problem": analysis.problem,
                "countermeasure": analysis.countermeasure,
                "countermeasure_owner": analysis.countermeasure_owner_id,
                "countermeasure_due_on": analysis.countermeasure_due_on,
            }
        )
        levels = [
            {"text": lv.text, "is_root_cause": lv.is_root_cause} for lv in analysis.levels.all()
        ]
    else:
        form = forms.FiveWhyForm()
        levels = [{"text": "", "is_root_cause": False} for _n in range(DEFAULT_LEVELS)]
    rows = [
        {
            "number": n,
            "text": lv["text"],
            "is_root_cause": lv["is_root_cause"],
            "errors": level_errors.get(n, []),
        }
        for n, lv in enumerate(levels, start=1)
    ]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "retros/five_why_form.html",
        {
            "retro": retro,
            "analysis": analysis,
            "form": form,
            "rows": rows,
            "chain_errors": chain_errors,
            "marked": any(row["is_root_cause"] for row in rows),
            "next_number": len(rows) + 1,
        },
        status=status,
    )


@login_required
@require_GET
def five_why_level(request: HttpRequest) -> HttpResponse:
    """htmx: one more empty level for the 5-Why editor (?number=N)."""
    raw = request.GET.get("number", "")
    number = int(raw) if is_id(raw) else 1
    number = max(1, min(number, 10))
    return render(
        request,
        "retros/five_why_form.html#new-level",
        {
            "row": {"number": number, "text": "", "is_root_cause": False, "errors": []},
            "next_number": number + 1,
        },
    )
