"""Review pages: my reviews and what waits for me, the review (facts and each step's form),
a 360 feedback request, the calibration page of a cycle and its export. Thin: forms shape
input, services decide, selectors read."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from core.spreadsheet import csv_response, xlsx_response
from org.access import person_required
from org.models import Unit
from org.permissions import visible_people
from reviews import forms, permissions, selectors, services
from reviews.models import ANCHORS, SECTIONS, FeedbackRequest, Rating, ReviewCycle

LIST_SIZE = 100


@person_required
def home(request: HttpRequest) -> HttpResponse:
    viewer = request.viewer
    cycles = permissions.visible_review_cycles(viewer).select_related("goal_cycle", "unit")
    return render(
        request,
        "reviews/home.html",
        {
            "mine": selectors.my_reviews(viewer)[:LIST_SIZE],
            "to_answer": selectors.requests_to_answer(viewer)[:LIST_SIZE],
            "team": selectors.team_reviews(viewer)[:LIST_SIZE],
            "cycles": [
                (c, permissions.can_manage_cycle(viewer, c))
                for c in cycles[:LIST_SIZE]
                if permissions.can_calibrate_cycle(viewer, c)
            ],
            "can_create_cycles": permissions.can_create_cycles(viewer),
        },
    )


def _reviewer_choices(review):
    return (
        visible_people(review.person)
        .exclude(pk__in=[review.person_id, review.manager_id or 0])
        .only("pk", "display_name")
        .order_by("display_name")
    )


FORMS = {
    permissions.SELF_ASSESS: forms.SelfAssessmentForm,
    permissions.EVALUATE: forms.EvaluationForm,
    permissions.CALIBRATE: forms.CalibrateForm,
    permissions.MEETING: forms.MeetingForm,
    permissions.ACKNOWLEDGE: forms.AcknowledgeForm,
    permissions.DEVELOPMENT_PLAN: forms.DevelopmentPlanForm,
    permissions.PROPOSE_REVIEWERS: forms.ReviewerForm,
}


def _scale(template) -> list[tuple[str, str]]:
    """The rating scale with its anchored descriptions: the review's form's, else Keel's."""
    if template is not None:
        return [(label, anchor) for _value, label, anchor in template.scale()]
    return [(Rating(value).label, ANCHORS[value]) for value in Rating.values]


SECTION_LABELS = {
    "results": _lazy("Results"),
    "competencies": _lazy("Competencies and behaviours"),
    "attitude": _lazy("Attitude"),
}


def _sections(template) -> dict[str, dict[str, str]]:
    """Per section: its title and guidance in the reader's language (the form's, else the
    default titles without guidance)."""
    return {
        key: {
            "title": (template.section_title(key) if template else "") or str(SECTION_LABELS[key]),
            "guidance": template.section_guidance(key) if template else "",
        }
        for key in SECTIONS
    }


def _label_sections(form, template) -> None:
    """The rating fields of the self-assessment and the evaluation carry the form's section
    titles, and its guidance as help text."""
    if template is None:
        return
    sections = _sections(template)
    for key in SECTIONS:
        field = form.fields.get(f"{key}_rating")
        if field is not None:
            field.label = sections[key]["title"]
            field.help_text = sections[key]["guidance"]


def _context(request, review, bound=None):
    viewer = request.viewer
    actions = permissions.available_actions(viewer, review)
    facts = selectors.review_facts(review)
    made = {}
    for name in actions:
        form_class = FORMS.get(name)
        if form_class is None:
            continue
        if bound is not None and bound[0] == name:
            made[name] = bound[1]
            continue
        kwargs = {}
        if name == permissions.PROPOSE_REVIEWERS:
            kwargs["people"] = _reviewer_choices(review)
        initial = {}
        if name == permissions.EVALUATE:
            initial = {
                "results_rating": facts.suggested_rating,
            }
        if name == permissions.CALIBRATE:
            initial = {"rating": review.final_rating}
        made[name] = form_class(initial=initial, **kwargs)
    for form in made.values():
        _label_sections(form, review.form)
    requests = list(
        review.feedback_requests.select_related("reviewer").order_by("pk")
        if (
            permissions.is_reviewee(viewer, review)
            or permissions.can_evaluate(viewer, review)
            or viewer.is_admin
            or viewer.partners(review.person)
        )
        else []
    )
    return {
        "review": review,
        "facts": facts,
        "forms": made,
        "actions": actions,
        "sees_ratings": permissions.sees_ratings(viewer, review),
        "summary": selectors.feedback_summary(viewer, review),
        "feedback_requests": requests,
        "decides_feedback": permissions.can_evaluate(viewer, review),
        "anchors": _scale(review.form),
        "sections": _sections(review.form),
        "threshold": selectors.ANONYMITY_THRESHOLD,
    }


@person_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = permissions.get_review_for(request.viewer, pk)
    return render(request, "reviews/detail.html", _context(request, review))


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return " ".join(exc.messages)


def _call(step, actor, review, data):
    if step == permissions.SELF_ASSESS:
        return services.submit_self_assessment(actor=actor, review=review, **data)
    if step == permissions.EVALUATE:
        return services.submit_evaluation(actor=actor, review=review, **data)
    if step == permissions.CALIBRATE:
        return services.calibrate(actor=actor, review=review, **data)
    if step == permissions.RELEASE:
        return services.release_review(actor=actor, review=review)
    if step == permissions.MEETING:
        return services.record_meeting(actor=actor, review=review, **data)
    if step == permissions.ACKNOWLEDGE:
        return services.acknowledge_review(actor=actor, review=review, **data)
    if step == permissions.DEVELOPMENT_PLAN:
        action = {"kind": data["kind"], "description": data["description"]}
        if data.get("due_on"):
            action["due_on"] = data["due_on"]
        return services.agree_development_plan(
            actor=actor, review=review, title=data["title"], actions=[action]
        )
    if step == permissions.PROPOSE_REVIEWERS:
        return services.propose_reviewers(actor=actor, review=review, reviewers=[data])
    raise Http404


STEPS = (*FORMS, permissions.RELEASE)


@person_required
@require_POST
@vary_on_headers("HX-Request")
def step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    """One step of the review (a form of the detail page): 404 out of sight, 403 for a step
    that is not the viewer's, the page again with the form's errors for bad input."""
    viewer = request.viewer
    review = permissions.get_review_for(viewer, pk)
    if step not in STEPS:
        raise Http404
    permissions.require(viewer, review, step)
    form = None
    data = {}
    if step in FORMS:
        kwargs = {"people": _reviewer_choices(review)} if step == "propose_reviewers" else {}
        form = FORMS[step](request.POST, **kwargs)
        if not form.is_valid():
            context = _context(request, review, bound=(step, form))
            return render(request, "reviews/detail.html", context, status=400)
        data = form.cleaned_data
    try:
        _call(step, viewer.person, review, data)
    except ValidationError as exc:
        if form is None:
            messages.error(request, _error_text(exc))
            return redirect("reviews:detail", pk=review.pk)
        if hasattr(exc, "error_dict"):
            for field, msgs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, msgs)
        else:
            form.add_error(None, exc.messages)
        context = _context(request, review, bound=(step, form))
        return render(request, "reviews/detail.html", context, status=400)
    messages.success(request, _("Saved."))
    if step == permissions.CALIBRATE and request.POST.get("next") == "cycle":
        return redirect("reviews:cycle", pk=review.cycle_id)
    return redirect("reviews:detail", pk=review.pk)


@person_required
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer's page: answer the request (once approved). Others who see the request
    are sent to the review."""
    viewer = request.viewer
    obj = permissions.get_feedback_request_for(viewer, pk)
    if obj.reviewer_id != viewer.pk:
        if request.method == "POST":
            raise PermissionDenied
        return redirect("reviews:detail", pk=obj.review_id)
    form = forms.AnswerForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.answer_feedback_request(
                    actor=viewer.person, request=obj, **form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, _error_text(exc))
            else:
                messages.success(request, _("Thank you: your answer is counted anonymously."))
                return redirect("reviews:home")
        status = 400
    return render(
        request,
        "reviews/feedback.html",
        {
            "request_obj": obj,
            "form": form,
            "answerable": obj.state == FeedbackRequest.State.APPROVED,
        },
        status=status,
    )


@person_required
@require_POST
def feedback_decide(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.viewer
    obj = permissions.get_feedback_request_for(viewer, pk, action="decide")
    try:
        services.decide_feedback_request(
            actor=viewer.person, request=obj, approve=request.POST.get("decision") != "decline"
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("reviews:detail", pk=obj.review_id)


@person_required
@vary_on_headers("HX-Request")
def cycle_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no pk) or edit a review cycle: admins and HRBPs (for the units they partner).
    Others are refused (403), an unknown cycle is 404. The form posts through htmx when it can:
    errors come back in the form alone, success sends the browser to the cycle's page; without
    htmx the whole page comes back (400 with the errors)."""
    viewer = request.viewer
    obj = permissions.get_review_cycle_for(viewer, pk, action="manage") if pk else None
    if obj is None and not permissions.can_create_cycles(viewer):
        raise PermissionDenied
    units = permissions.configurable_units(viewer)
    if obj is not None:
        units = units | Unit.objects.filter(pk=obj.unit_id)
    initial = forms.ReviewCycleForm.initial_for(obj)
    form = forms.ReviewCycleForm(
        request.POST if request.method == "POST" else None, initial=initial, units=units, cycle=obj
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                if obj is None:
                    obj = services.create_review_cycle(actor=viewer.person, **data)
                else:
                    services.update_review_cycle(actor=viewer.person, cycle=obj, **data)
            except ValidationError as exc:
                form.apply_errors(exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc) or _("You may not configure this unit's reviews."))
            else:
                messages.success(request, _("Review cycle %(name)s saved.") % {"name": obj.name})
                target = reverse("reviews:cycle", args=[obj.pk])
                if request.htmx:
                    return HttpResponseClientRedirect(target)
                return redirect(target)
        status = 400
    action = reverse("reviews:cycle-edit", args=[pk]) if pk else reverse("reviews:cycle-new")
    context = {"form": form, "cycle": obj if pk else None, "action": action}
    if request.htmx:
        # htmx swaps only successful answers: the form with its errors comes back as 200.
        return render(request, "reviews/cycle_form.html#cycle-form", context)
    return render(request, "reviews/cycle_form.html", context, status=status)


@person_required
def cycle(request: HttpRequest, pk: int) -> HttpResponse:
    """Calibration: the distribution per unit and level against the guideline, every review
    the viewer calibrates with its ratings, and the lock."""
    viewer = request.viewer
    obj = permissions.get_review_cycle_for(viewer, pk, action="calibrate")
    reviews = list(selectors.calibration_reviews(viewer, obj)[:500])
    rows = [
        (review, permissions.CALIBRATE in permissions.available_actions(viewer, review))
        for review in reviews
    ]
    return render(
        request,
        "reviews/cycle.html",
        {
            "cycle": obj,
            "groups": selectors.distribution(viewer, obj),
            "rows": rows,
            "ratings": Rating.values,
            "manages": permissions.can_manage_cycle(viewer, obj),
            "lockable": obj.state == ReviewCycle.State.OPEN,
        },
    )


@person_required
@require_POST
def cycle_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    viewer = request.viewer
    obj = permissions.get_review_cycle_for(viewer, pk, action="manage")
    try:
        if action == "open":
            services.open_review_cycle(actor=viewer.person, cycle=obj)
        elif action == "lock":
            services.lock_calibration(actor=viewer.person, cycle=obj)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("Saved."))
    return redirect("reviews:cycle", pk=obj.pk)


@person_required
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """Final ratings of the reviews the viewer calibrates, for payroll and incentive rules;
    every cell formula-safe. `?format=xlsx` for a workbook."""
    viewer = request.viewer
    obj = permissions.get_review_cycle_for(viewer, pk, action="calibrate")
    header = [
        _("Person"),
        _("Login"),
        _("Unit"),
        _("Level"),
        _("Manager's rating"),
        _("Calibrated rating"),
        _("Final rating"),
        _("State"),
    ]
    rows = [
        [
            r.person.display_name,
            r.person.user.username,
            r.unit.name,
            r.get_level_display(),
            r.overall_rating,
            r.calibrated_rating,
            r.final_rating,
            r.get_state_display(),
        ]
        for r in selectors.final_ratings(viewer, obj).iterator(chunk_size=500)
    ]
    name = f"review-ratings-{obj.pk}"
    if request.GET.get("format") == "xlsx":
        return xlsx_response(name, header, rows, title=obj.name)
    return csv_response(name, header, rows)
