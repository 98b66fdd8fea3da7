"""Inbox, bell, reminder preferences and the admins' reminder runs page. Thin: services and
selectors do the work."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from notifications import selectors, services
from notifications.forms import AbsenceForm, ScheduleForm
from notifications.kinds import Channel
from notifications.models import Absence
from org.access import person_required
from org.scopes import is_admin

CHANGED = "notifications-changed"


@person_required
@vary_on_headers("HX-Request")
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    unread = request.GET.get("unread") == "1"
    page = Paginator(selectors.inbox(viewer=viewer, unread=unread), 30).get_page(
        request.GET.get("page")
    )
    context = {"page": page, "unread": unread}
    if request.htmx:
        return render(request, "notifications/inbox.html#list", context)
    return render(request, "notifications/inbox.html", context)


@person_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = services.mark_read(viewer=request.person, notification_id=pk)
    if request.htmx:
        response = render(request, "notifications/inbox.html#item", {"item": notification})
        return trigger_client_event(response, CHANGED)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notifications:inbox")


@person_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    services.mark_all_read(viewer=viewer)
    if request.htmx:
        page = Paginator(selectors.inbox(viewer=viewer), 30).get_page(1)
        response = render(request, "notifications/inbox.html#list", {"page": page})
        return trigger_client_event(response, CHANGED)
    return redirect("notifications:inbox")


@person_required
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    count = selectors.unread_count(viewer=request.person)
    return render(request, "notifications/_bell.html", {"count": count})


def _schedule_forms(person, data=None):
    forms = []
    for item in selectors.schedules_for(person=person):
        effective = item["effective"]
        initial = {
            "weekday": effective.weekday,
            "time": effective.time,
            "enabled": effective.enabled,
        }
        form = ScheduleForm(
            data if data is not None and data.get("kind") == item["kind"] else None,
            initial=initial,
            prefix=item["kind"].replace(".", "-"),
        )
        forms.append({**item, "form": form})
    return forms


def _save_channels(request: HttpRequest, person) -> None:
    """Turn each kind's channels on or off as the check-boxes say (fixed ones stay)."""
    for row in selectors.preference_table(person=person):
        for channel in Channel.values:
            if channel in row["fixed"]:
                continue
            wanted = f"{row['kind']}:{channel}" in request.POST
            if wanted != row["channels"][channel]:
                services.set_preference(
                    person=person, kind=row["kind"], channel=channel, enabled=wanted
                )


def _save_schedule(request: HttpRequest, person) -> HttpResponse | None:
    """Reset or save one reminder's own time; None when its form has errors."""
    kind = request.POST.get("kind", "")
    if "reset" in request.POST:
        services.update_own_schedule(person=person, kind=kind, reset=True)
        messages.success(request, _("Back to the organisation's default."))
        return redirect("notifications:preferences")
    form = ScheduleForm(request.POST, prefix=kind.replace(".", "-"))
    if form.is_valid():
        services.update_own_schedule(person=person, kind=kind, **form.cleaned_data)
        messages.success(request, _("Your reminder time is saved."))
        return redirect("notifications:preferences")
    return None


@person_required
@vary_on_headers("HX-Request")
def preferences(request: HttpRequest) -> HttpResponse:
    person = request.person
    absence_form = AbsenceForm()
    schedule_data = None
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "channels":
                _save_channels(request, person)
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notifications:preferences")
            if action == "schedule":
                saved = _save_schedule(request, person)
                if saved is not None:
                    return saved
                schedule_data = request.POST
            elif action == "absence":
                absence_form = AbsenceForm(request.POST)
                if absence_form.is_valid():
                    services.add_absence(person=person, **absence_form.cleaned_data)
                    messages.success(request, _("Your absence is saved; no reminders then."))
                    return redirect("notifications:preferences")
            elif action == "delete-absence":
                services.delete_absence(person=person, absence_id=request.POST.get("absence"))
                return redirect("notifications:preferences")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    context = {
        "channels": Channel.choices,
        "rows": selectors.preference_table(person=person),
        "schedules": _schedule_forms(person, schedule_data),
        "absences": Absence.objects.filter(person=person).order_by("-start")[:20],
        "absence_form": absence_form,
        "is_admin": is_admin(person),
    }
    return render(request, "notifications/preferences.html", context)


@person_required
@require_GET
def runs(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    context = {
        "runs": selectors.recent_runs(viewer=viewer),
        "failed": selectors.failed_deliveries(viewer=viewer),
        "defaults": selectors.default_schedules(),
        "channels": Channel.choices,
    }
    return render(request, "notifications/runs.html", context)
