"""The manager's pages and actions: inline feedback, acknowledgement, improvement plans from
a check-in, the team's check-ins and the weekly review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from core.params import is_id
from org import permissions as org_permissions
from org import scopes
from org.access import person_required
from org.models import Person
from tracking import permissions, selectors, services
from tracking.forms import (
    FeedbackForm,
    PlanFromUpdateForm,
    ReviewForm,
)
from tracking.models import CheckIn, KeyResultUpdate

from .common import week_param, weeks_nav


def _feedback_response(request, check_in: CheckIn, viewer: Person, form=None) -> HttpResponse:
    check_in = selectors.check_in_history(person=check_in.person).get(pk=check_in.pk)
    return render(
        request,
        "tracking/_feedback_list.html",
        {
            "check_in": check_in,
            "is_author": viewer.pk == check_in.person_id,
            "feedback_form": form or FeedbackForm(),
        },
    )


@person_required
@require_POST
@vary_on_headers("HX-Request")
def give_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    check_in = permissions.get_check_in_for(viewer, pk, action="feedback")
    form = FeedbackForm(request.POST)
    if form.is_valid():
        update = None
        if form.cleaned_data["update"]:
            update = KeyResultUpdate.objects.filter(
                check_in=check_in, pk=form.cleaned_data["update"]
            ).first()
        try:
            if form.cleaned_data["update"] and update is None:
                raise ValidationError(_("This update belongs to another check-in."))
            services.give_feedback(
                actor=viewer,
                check_in=check_in,
                update=update,
                kind=form.cleaned_data["kind"],
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            form = None
    if request.htmx:
        return _feedback_response(request, check_in, viewer, form)
    if form is not None:
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
    return redirect("tracking:check-in", pk=check_in.pk)


@person_required
@require_POST
@vary_on_headers("HX-Request")
def acknowledge_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    feedback = permissions.get_feedback_for(viewer, pk, action="acknowledge")
    feedback = services.acknowledge_feedback(actor=viewer, feedback=feedback)
    if request.htmx:
        return render(
            request, "tracking/_feedback_item.html", {"item": feedback, "is_author": True}
        )
    return redirect("tracking:check-in", pk=feedback.check_in_id)


@person_required
@require_POST
def plan_from_update(request: HttpRequest, pk: int) -> HttpResponse:
    """One step from an off-track key result in a check-in to an improvement plan."""
    viewer = request.person
    update = (
        KeyResultUpdate.objects.filter(pk=pk, check_in__in=permissions.visible_check_ins(viewer))
        .select_related("check_in__person", "key_result__goal")
        .first()
    )
    if update is None:
        raise Http404
    form = PlanFromUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for ms in form.errors.values() for m in ms))
        return redirect("tracking:check-in", pk=update.check_in_id)
    try:
        services.create_plan_from_update(
            actor=viewer,
            update=update,
            actions=[{**form.cleaned_data, "owner": update.check_in.person}],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Improvement plan created."))
    return redirect("tracking:check-in", pk=update.check_in_id)


@person_required
@vary_on_headers("HX-Request")
def team(request: HttpRequest) -> HttpResponse:
    """The manager's team check-ins for a week, with inline feedback."""
    viewer = request.person
    week = week_param(request)
    rows = selectors.team_check_ins(manager=viewer, week=week)
    return render(
        request,
        "tracking/team.html",
        {"week": week, "rows": rows, "feedback_form": FeedbackForm(), **weeks_nav(week, viewer)},
    )


@person_required
def weekly_review(request: HttpRequest) -> HttpResponse:
    """The manager's weekly review (the weekly reminder links here): the team's week and the
    decisions saved as the review record."""
    viewer = request.person
    week = week_param(request)
    manager = viewer
    if is_id(request.GET.get("manager", "")) and request.GET["manager"] != str(viewer.pk):
        manager = org_permissions.get_person_for(viewer, request.GET["manager"])
        if not scopes.may_follow(viewer, manager):
            raise Http404
    own = manager.pk == viewer.pk
    form = None
    if own:
        if request.method == "POST":
            form = ReviewForm(request.POST)
            if form.is_valid():
                try:
                    services.save_weekly_review(
                        actor=viewer, week=week, decisions=form.cleaned_data["decisions"]
                    )
                except ValidationError as exc:
                    form.add_error(None, exc.messages)
                else:
                    messages.success(request, _("Weekly review saved."))
                    return redirect(f"{reverse('tracking:weekly-review')}?week={week}")
    elif request.method == "POST":
        raise Http404
    summary = selectors.weekly_review_summary(manager=manager, week=week)
    if own and form is None:
        review = summary["review"]
        form = ReviewForm(initial={"decisions": review.decisions if review else ""})
    return render(
        request,
        "tracking/weekly_review.html",
        {
            "s": summary,
            "trend_chart": selectors.team_trend_chart(
                selectors.team_trend_from_rollup(
                    team=summary["team"], manager=manager, weeks=selectors.weeks_up_to(week)
                ),
                size=len(summary["team"]),
            ),
            "form": form,
            "own": own,
            "week": week,
            "extra": "" if own else f"&manager={manager.pk}",
            **weeks_nav(week, viewer),
        },
    )
