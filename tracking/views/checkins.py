"""The employee's pages: This week (with draft autosave, the live status of each key result
and its burn-up on demand), the check-in history and one check-in with its feedback."""

from __future__ import annotations

import contextlib
import datetime as dt
from types import SimpleNamespace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from core.params import bounded_date, is_id
from goals.models import GoalSettings
from goals.services import parse_value
from org import permissions as org_permissions
from org import scopes
from org.access import person_required
from tracking import permissions, selectors, services
from tracking.forms import (
    CheckInForm,
    FeedbackForm,
    PlanFromUpdateForm,
    UpdateForm,
    cause_choices,
)
from tracking.models import CheckIn, local_today, week_start


def _chosen_week(request: HttpRequest, person) -> tuple[dt.date, str]:
    """The week being checked in: this week, or a past one (`week`, in the query string or the
    form) within the organisation's window for late check-ins. An unusable week falls back to
    this week with the reason."""
    current = week_start(local_today(person))
    raw = request.POST.get("week") or request.GET.get("week") or ""
    if not raw:
        return current, ""
    try:
        week = week_start(bounded_date(raw))
    except ValueError:
        return current, _("Choose a week as a date (YYYY-MM-DD).")
    window = GoalSettings.load().late_check_in_weeks
    if week > current:
        return current, _("You cannot check in for a future week.")
    if week < current - dt.timedelta(weeks=window):
        return current, ngettext(
            "A check-in for a past week is accepted up to %(n)s week back.",
            "A check-in for a past week is accepted up to %(n)s weeks back.",
            window,
        ) % {"n": window}
    return week, ""


def _plain(value) -> str:
    text = format(value.normalize(), "f") if value is not None else ""
    return text


def _cause_slug(update) -> str:
    return update.cause.slug if update is not None and update.cause else ""


def _row_forms(rows, data=None) -> None:
    causes = cause_choices()
    for row in rows:
        update = row.update
        # Before this week's first save, an off-track key result's cause and corrective action
        # carry over from last week's check-in: unchanged numbers submit as they are.
        carried = getattr(row, "previous", None) if update is None else None
        row.form = UpdateForm(
            data,
            prefix=f"kr-{row.key_result.pk}",
            causes=causes,
            initial={
                "value": _plain(row.value),
                "confidence": update.confidence if update else "",
                "note": update.note if update else "",
                "cause": _cause_slug(update or carried),
                "action": (update or carried).action if (update or carried) else "",
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


@person_required
@vary_on_headers("HX-Request")
def this_week(request: HttpRequest) -> HttpResponse:
    """The employee's one-screen check-in: every active key result, the PDCA fields, draft
    autosave and submit (which amends a submitted check-in during its week)."""
    person = request.person
    week, week_error = _chosen_week(request, person)
    if week_error:
        messages.error(request, week_error)
    data = selectors.this_week(person=person, week=week)
    data["late"] = week < week_start(local_today(person))
    # The week of a late check-in, for the links of the page's parts (the burn-ups).
    data["week_query"] = f"?week={week:%Y-%m-%d}" if data["late"] else ""
    rows = data["rows"]
    if request.method == "POST":
        form, valid, updates = _collect(request, rows, skip_blank=False)
        if valid:
            try:
                check_in, _created = services.open_check_in(person=person, week=week)
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
                if data["late"]:
                    return redirect("tracking:check-in", check_in.pk)
                return redirect("tracking:this-week")
        status = 400
    else:
        form = _check_in_form(data["check_in"])
        _row_forms(rows)
        status = 200
    context = {**data, "form": form}
    return render(request, "tracking/this_week.html", context, status=status)


@person_required
@require_POST
def autosave(request: HttpRequest) -> HttpResponse:
    """htmx: save the draft as it is typed; answers the status line."""
    person = request.person
    week, week_error = _chosen_week(request, person)
    existing = CheckIn.objects.filter(person=person, week=week).first()
    context = {"saved_at": None, "errors": [week_error] if week_error else []}
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
    check_in, _created = services.open_check_in(person=person, week=week)
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


@person_required
@require_GET
def kr_status(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: a key result row's status for the value being typed; shows the cause picker and
    the corrective action when it is off track."""
    person = request.person
    today = local_today(person)
    week = week_start(today)
    kr = permissions.get_checked_in_key_result_for(request.viewer, pk, week=week)
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


@person_required
@require_GET
@vary_on_headers("HX-Request")
def kr_burnup(request: HttpRequest, pk: int) -> HttpResponse:
    """One key result's burn-up on This week, drawn when its section is opened rather than
    with the page (a chart per key result made the page slow): the chart for htmx, a page of
    its own without JavaScript (the section's link). The week is the page's (`?week=`, as
    validated there); the key result must be one the page shows, else 404."""
    person = request.person
    week, _week_error = _chosen_week(request, person)
    kr = permissions.get_checked_in_key_result_for(request.viewer, pk, week=week)
    chart = selectors.key_result_burnup(person=person, key_result=kr, week=week)
    late = week < week_start(local_today(person))
    context = {"kr": kr, "chart": chart, "week": week, "late": late}
    if request.htmx:
        # The chart alone, rendered without the request: no layout, so none of the context
        # the navigation needs (the viewer's roles: three queries without the viewer cache).
        return HttpResponse(render_to_string("tracking/kr_burnup.html#chart", context))
    return render(request, "tracking/kr_burnup.html", context)


@person_required
def history(request: HttpRequest) -> HttpResponse:
    """A person's check-ins (yours, or ?person= someone you follow)."""
    viewer = request.person
    subject = viewer
    if is_id(request.GET.get("person", "")):
        subject = org_permissions.get_person_for(viewer, request.GET["person"])
        if not scopes.may_follow(viewer, subject):
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


@person_required
def check_in_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    check_in = permissions.get_check_in_for(viewer, pk)
    check_in = selectors.check_in_history(person=check_in.person).get(pk=check_in.pk)
    can_feedback = permissions.can_give_feedback(viewer, check_in.person)
    can_plan = can_feedback or viewer.pk == check_in.person_id or scopes.is_admin(viewer)
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
