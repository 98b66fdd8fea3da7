"""Tracking pages: the employee's This-week check-in, history, one check-in with its
feedback, the manager's team check-ins and the weekly review. Thin over services/selectors."""

from __future__ import annotations

import contextlib
import datetime as dt
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from goals.models import GoalSettings
from goals.services import parse_value
from org import permissions
from org.models import Person
from tracking import selectors, services
from tracking.forms import (
    CheckInForm,
    FeedbackForm,
    PlanFromUpdateForm,
    ReviewForm,
    UpdateForm,
    cause_choices,
)
from tracking.models import CheckIn, KeyResultUpdate, week_start


def _person(request: HttpRequest) -> Person:
    if request.person is None:
        raise Http404
    return request.person


def _week_param(request: HttpRequest) -> dt.date:
    """?week= (any day of the week), never later than this week; by default the week a
    review looks at (the week just ended until Friday)."""
    current = week_start(timezone.localdate())
    try:
        week = week_start(dt.date.fromisoformat(request.GET.get("week", "")))
    except ValueError:
        return selectors.default_review_week()
    return min(week, current)


def _weeks_nav(week: dt.date) -> dict:
    current = week_start(timezone.localdate())
    return {
        "previous_week": week - dt.timedelta(weeks=1),
        "next_week": week + dt.timedelta(weeks=1) if week < current else None,
    }


def _plain(value) -> str:
    text = format(value.normalize(), "f") if value is not None else ""
    return text


def _row_forms(rows, data=None) -> None:
    causes = cause_choices()
    for row in rows:
        update = row.update
        row.form = UpdateForm(
            data,
            prefix=f"kr-{row.key_result.pk}",
            causes=causes,
            initial={
                "value": _plain(row.value),
                "confidence": update.confidence if update else row.status,
                "note": update.note if update else "",
                "cause": update.cause.slug if update and update.cause else "",
                "action": update.action if update else "",
            },
        )


def _check_in_form(check_in: CheckIn | None, data=None) -> CheckInForm:
    initial = {}
    if check_in is not None:
        initial = {
            "plan": check_in.plan,
            "done": check_in.done,
            "check": check_in.deviation,
            "act": check_in.act,
            "blockers": check_in.blockers,
            "confidence": check_in.confidence,
        }
    return CheckInForm(data, initial=initial)


def _error_items(exc: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        return list(exc.message_dict.items())
    return [("__all__", exc.messages)]


def _put_errors(exc: ValidationError, form: CheckInForm, rows) -> None:
    """Service errors back onto the fields that caused them."""
    field_map = {"deviation": "check"}
    for key, texts in _error_items(exc):
        parts = key.split(".")
        if parts[0] == "updates" and len(parts) == 3 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(rows) and parts[2] in rows[index].form.fields:
                rows[index].form.add_error(parts[2], texts)
                continue
        name = field_map.get(key, key)
        form.add_error(name if name in form.fields else None, texts)


def _collect(request: HttpRequest, rows, *, skip_blank: bool):
    """Bind the posted PDCA form and one form per key result row; the rows take the posted
    value and confidence so a re-rendered page shows the cause picker where it is needed."""
    form = _check_in_form(None, request.POST)
    _row_forms(rows, request.POST)
    valid = form.is_valid() & all([row.form.is_valid() for row in rows])  # noqa: C419 (validate every row)
    settings = GoalSettings.load()
    updates = []
    for row in rows:
        if not row.form.is_valid():
            continue
        data = row.form.cleaned_data
        row.confidence = data["confidence"]
        try:
            value = parse_value(data["value"]) if data["value"] else None
        except ValidationError:
            value = None
        if value is not None and hasattr(row, "expected_progress"):
            row.value = value
            row.status = settings.classify(
                row.key_result.compute_progress(value), row.expected_progress
            )
        if not (skip_blank and not data["value"]):
            updates.append(row.form.service_update(row.key_result.pk))
    return form, valid, updates


@login_required
@vary_on_headers("HX-Request")
def this_week(request: HttpRequest) -> HttpResponse:
    """The employee's one-screen check-in: every active key result, the PDCA fields, draft
    autosave and submit (which amends a submitted check-in during its week)."""
    person = _person(request)
    data = selectors.this_week(person=person)
    rows = data["rows"]
    if request.method == "POST":
        form, valid, updates = _collect(request, rows, skip_blank=False)
        if valid:
            try:
                check_in, _created = services.open_check_in(person=person)
                amending = check_in.is_submitted
                services.submit_check_in(
                    actor=person,
                    check_in=check_in,
                    fields=form.service_fields(),
                    updates=updates,
                )
            except ValidationError as exc:
                _put_errors(exc, form, rows)
            else:
                messages.success(
                    request,
                    _("Check-in amended.") if amending else _("Check-in submitted. Thank you!"),
                )
                return redirect("tracking:this-week")
        status = 400
    else:
        form = _check_in_form(data["check_in"])
        _row_forms(rows)
        status = 200
    context = {**data, "form": form, "today": timezone.localdate()}
    return render(request, "tracking/this_week.html", context, status=status)


@login_required
@require_POST
def autosave(request: HttpRequest) -> HttpResponse:
    """htmx: save the draft as it is typed; answers the status line."""
    person = _person(request)
    week = week_start(timezone.localdate())
    existing = CheckIn.objects.filter(person=person, week=week).first()
    context = {"saved_at": None, "errors": []}
    if existing is not None and existing.is_submitted:
        context["errors"] = [_("Submitted: press Submit again to amend.")]
        return render(request, "tracking/this_week.html#autosave-status", context)
    rows = [
        SimpleNamespace(key_result=kr, update=None, value=kr.current_value, status="")
        for kr in selectors.active_key_results(person=person, week=week)
    ]
    form, _valid, updates = _collect(request, rows, skip_blank=True)
    fields = form.service_fields() if form.is_valid() else {}
    invalid = [str(row.key_result) for row in rows if row.form.errors]
    if form.errors:
        invalid.append(_("PDCA fields"))
    check_in, _created = services.open_check_in(person=person)
    try:
        services.save_check_in_draft(
            actor=person, check_in=check_in, fields=fields, updates=updates
        )
    except ValidationError as exc:
        # Keep what is valid: the text fields are saved without the key result values.
        by_index = {f"updates.{i}": u["key_result"] for i, u in enumerate(updates)}
        names = {row.key_result.pk: str(row.key_result) for row in rows}
        for key, _texts in _error_items(exc):
            kr_id = by_index.get(key.rsplit(".", 1)[0])
            invalid.append(names.get(kr_id, key))
        with contextlib.suppress(ValidationError):
            services.save_check_in_draft(actor=person, check_in=check_in, fields=fields)
    else:
        context["saved_at"] = timezone.localtime()
    if invalid:
        context["errors"].append(_("Not saved: %(what)s.") % {"what": ", ".join(invalid)})
    return render(request, "tracking/this_week.html#autosave-status", context)


@login_required
@require_GET
def kr_status(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: a key result row's status for the value being typed; shows the cause picker and
    the corrective action when it is off track."""
    person = _person(request)
    today = timezone.localdate()
    week = week_start(today)
    kr = selectors.active_key_results(person=person, week=week).filter(pk=pk).first()
    if kr is None:
        raise Http404
    prefix = f"kr-{kr.pk}"
    form = UpdateForm(request.GET, prefix=prefix)
    form.is_valid()
    raw = request.GET.get(f"{prefix}-value", "")
    row = selectors.KeyResultRow(
        key_result=kr,
        update=None,
        value=kr.current_value,
        last_week=None,
        expected_progress=kr.expected_progress(today),
        status="",
    )
    try:
        row.value = parse_value(raw) if raw.strip() else kr.current_value
    except ValidationError as exc:
        row.errors = {"value": exc.messages}
    row.status = GoalSettings.load().classify(kr.compute_progress(row.value), row.expected_progress)
    row.form = form
    row.confidence = request.GET.get(f"{prefix}-confidence", "")
    return render(request, "tracking/this_week.html#kr-status", {"row": row})


@login_required
def history(request: HttpRequest) -> HttpResponse:
    """A person's check-ins (yours, or ?person= someone you follow)."""
    viewer = _person(request)
    subject = viewer
    if request.GET.get("person", "").isdigit():
        subject = permissions.get_person_for(viewer, request.GET["person"])
        if not permissions.may_follow(viewer, subject):
            raise Http404
    page = Paginator(selectors.check_in_history(person=subject), 10).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "tracking/history.html",
        {
            "subject": subject,
            "page": page,
            "streak": selectors.check_in_streak(person=subject),
        },
    )


@login_required
def check_in_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _person(request)
    check_in = permissions.get_check_in_for(viewer, pk)
    check_in = selectors.check_in_history(person=check_in.person).get(pk=check_in.pk)
    can_feedback = permissions.can_give_feedback(viewer, check_in.person)
    can_plan = can_feedback or viewer.pk == check_in.person_id or permissions.is_admin(viewer)
    return render(
        request,
        "tracking/check_in_detail.html",
        {
            "check_in": check_in,
            "is_author": viewer.pk == check_in.person_id,
            "feedback_form": FeedbackForm() if can_feedback and check_in.is_submitted else None,
            "plan_form": PlanFromUpdateForm() if can_plan else None,
        },
    )


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


@login_required
@require_POST
@vary_on_headers("HX-Request")
def give_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _person(request)
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


@login_required
@require_POST
@vary_on_headers("HX-Request")
def acknowledge_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = _person(request)
    feedback = permissions.get_feedback_for(viewer, pk, action="acknowledge")
    feedback = services.acknowledge_feedback(actor=viewer, feedback=feedback)
    if request.htmx:
        return render(
            request, "tracking/_feedback_item.html", {"item": feedback, "is_author": True}
        )
    return redirect("tracking:check-in", pk=feedback.check_in_id)


@login_required
@require_POST
def plan_from_update(request: HttpRequest, pk: int) -> HttpResponse:
    """One step from an off-track key result in a check-in to an improvement plan."""
    viewer = _person(request)
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


@login_required
@vary_on_headers("HX-Request")
def team(request: HttpRequest) -> HttpResponse:
    """The manager's team check-ins for a week, with inline feedback."""
    viewer = _person(request)
    week = _week_param(request)
    rows = selectors.team_check_ins(manager=viewer, week=week)
    return render(
        request,
        "tracking/team.html",
        {"week": week, "rows": rows, "feedback_form": FeedbackForm(), **_weeks_nav(week)},
    )


@login_required
def weekly_review(request: HttpRequest) -> HttpResponse:
    """The manager's weekly review (the weekly reminder links here): the team's week and the
    decisions saved as the review record."""
    viewer = _person(request)
    week = _week_param(request)
    manager = viewer
    if request.GET.get("manager", "").isdigit() and request.GET["manager"] != str(viewer.pk):
        manager = permissions.get_person_for(viewer, request.GET["manager"])
        if not permissions.may_follow(viewer, manager):
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
            "form": form,
            "own": own,
            "week": week,
            "extra": "" if own else f"&manager={manager.pk}",
            **_weeks_nav(week),
        },
    )
