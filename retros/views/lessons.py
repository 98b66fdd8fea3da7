"""Knowledge base pages: search as you type, the lesson page, writing and publishing lessons,
and the similar-lessons partial other pages include with hx-get."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from core.params import is_id
from org.access import person_required
from org.models import Unit
from retros import forms, permissions, search, selectors, services


def _unit_from(request: HttpRequest) -> Unit | None:
    raw = request.GET.get("unit", "")
    return Unit.objects.filter(pk=raw).first() if is_id(raw) else None


@person_required
@vary_on_headers("HX-Request")
def lessons(request: HttpRequest) -> HttpResponse:
    """The knowledge base: search as you type, filter by category, tag and unit."""
    viewer = request.person
    q = request.GET.get("q", "").strip()[:200]
    category = request.GET.get("category", "").strip()
    tag = request.GET.get("tag", "").strip()
    unit = _unit_from(request)
    if q:
        result = selectors.search_lessons(
            viewer=viewer,
            query=q,
            category=category,
            tag=tag,
            unit=unit,
            with_retrospectives=not (category or tag or unit),
        )
        rows, terms, others = result.lessons, result.terms, result.others
        retro_hits = [
            {
                "retro": retro,
                "title": search.highlight(retro.title, terms),
                "snippet": search.snippet(
                    [retro.reasons, retro.what_worked, retro.improvements], terms
                ),
            }
            for retro in result.retrospectives
        ]
    else:
        rows = selectors.lesson_list(viewer=viewer, category=category, tag=tag, unit=unit)
        terms, retro_hits, others = [], [], []
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    items = [
        {
            "lesson": lesson,
            "title": search.highlight(lesson.title, terms),
            "snippet": search.snippet(
                [lesson.context, lesson.problem, lesson.what_worked, lesson.solution], terms
            ),
        }
        for lesson in page
    ]
    if others and page.number == 1:
        items = _merged(items, others, terms)
    context = {
        "page": page,
        "items": items,
        "q": q,
        "category": category,
        "tag": tag,
        "unit": unit,
        "retro_hits": retro_hits,
    }
    if request.htmx:
        return render(request, "retros/lessons.html#results", context)
    context["units"] = Unit.objects.order_by("path")
    context["can_edit_glossary"] = permissions.can_edit_glossary(viewer)
    context["retrospectives"] = selectors.retrospective_list(viewer=viewer)[:10]
    return render(request, "retros/lessons.html", context)


def _merged(items: list[dict], others: list, terms: list[str]) -> list[dict]:
    """One result list: the other apps' hits (meetings, best first) placed among the first
    page's lessons by the same score, the lessons keeping their rank order."""
    for item in items:
        lesson = item["lesson"]
        # From the texts the page shows (the stored search document is not loaded).
        body = search.document(lesson.context, lesson.problem, lesson.what_worked, lesson.solution)
        item["score"] = search.python_score(terms, search.document(lesson.title), body).score
    merged: list[dict] = []
    rest = [{"hit": hit, "score": hit.score} for hit in others]
    for item in items:
        while rest and rest[0]["score"] > item["score"]:
            merged.append(rest.pop(0))
        merged.append(item)
    return merged + rest


@person_required
def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    lesson = permissions.get_lesson_for(viewer, pk)
    if request.GET.get("from") == "suggestion":
        services.record_suggestion_open(lesson=lesson)
        return redirect("retros:lesson", pk=lesson.pk)
    return render(
        request,
        "retros/lesson_detail.html",
        {
            "lesson": lesson,
            "can_edit": lesson.author_id == viewer.pk,
        },
    )


@person_required
def lesson_create(request: HttpRequest) -> HttpResponse:
    """A new lesson; from a retrospective (?retrospective=<id>) it starts pre-filled."""
    viewer = request.person
    retro = None
    raw = request.POST.get("source_retrospective") or request.GET.get("retrospective", "")
    if is_id(str(raw)):
        retro = permissions.get_retrospective_for(viewer, raw)
    if request.method == "POST":
        form = forms.LessonForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            d.pop("source_retrospective")
            try:
                lesson = services.create_lesson(
                    actor=viewer,
                    source_retrospective=retro,
                    publish="publish" in request.POST,
                    **d,
                )
            except ValidationError as exc:
                forms.add_service_errors(form, exc)
            else:
                messages.success(request, _("Lesson saved."))
                return redirect("retros:lesson", pk=lesson.pk)
    else:
        initial = {}
        if retro is not None:
            initial = services.lesson_initial_from_retrospective(retro, viewer=viewer)
            initial["tags"] = ", ".join(initial["tags"])
            initial["source_retrospective"] = retro.pk
        form = forms.LessonForm(initial=initial)
    return render(request, "retros/lesson_form.html", {"form": form, "retro": retro})


@person_required
@require_POST
def lesson_publish(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    lesson = permissions.get_lesson_for(viewer, pk, action="edit")
    try:
        services.publish_lesson(actor=viewer, lesson=lesson)
        messages.success(request, _("Lesson published to the whole company."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("retros:lesson", pk=lesson.pk)


@person_required
@require_GET
def similar(request: HttpRequest) -> HttpResponse:
    """Partial: the top 3 similar lessons for ?goal= or ?key_result= (hx-get it anywhere)."""
    viewer = request.person
    try:
        goal, key_result = selectors.similar_target(
            viewer=viewer,
            goal=request.GET.get("goal", ""),
            key_result=request.GET.get("key_result", ""),
        )
    except ValidationError:
        return HttpResponse(status=400)
    result = selectors.similar_lessons(viewer=viewer, goal=goal, key_result=key_result)
    items = [
        {
            "lesson": lesson,
            "snippet": search.snippet(
                [lesson.what_worked, lesson.solution, lesson.problem, lesson.context], result.terms
            ),
        }
        for lesson in result.lessons
    ]
    return render(request, "retros/_similar.html", {"items": items})
