"""Task force pages: the list (with a link to create one for heads of units, HRBPs and
admins), the form, a task force's page (members and their home units, its goals and progress,
adding and removing members, dissolving it with a retrospective)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordination import permissions, selectors, services
from core.forms import Form
from goals.models import Cycle
from org import permissions as org_permissions
from org.access import person_required
from org.models import Person

LIST_LIMIT = 100


class TaskForceForm(Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    purpose = forms.CharField(
        label=gettext_lazy("Purpose"), widget=forms.Textarea(attrs={"rows": 3})
    )
    cycle = forms.ModelChoiceField(label=gettext_lazy("Cycle"), queryset=Cycle.objects.none())
    lead = forms.ModelChoiceField(label=gettext_lazy("Lead"), queryset=Person.objects.none())
    members = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Members"), queryset=Person.objects.none()
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        people = (
            org_permissions.visible_people(viewer).select_related("unit").order_by("display_name")
        )
        self.fields["lead"].queryset = people
        self.fields["members"].queryset = people
        self.fields["members"].label_from_instance = lambda p: f"{p.display_name} ({p.unit.name})"
        self.fields["lead"].label_from_instance = lambda p: f"{p.display_name} ({p.unit.name})"
        self.fields["cycle"].queryset = Cycle.objects.exclude(state=Cycle.State.CLOSED).filter(
            ends_on__gte=timezone.localdate()
        )


class MemberForm(Form):
    person = forms.ModelChoiceField(label=gettext_lazy("Person"), queryset=Person.objects.none())

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = org_permissions.visible_people(viewer).order_by(
            "display_name"
        )


def _errors_into(form, exc: ValidationError) -> None:
    for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
        form.add_error(field if field in form.fields else None, errors)


@person_required
def task_force_list(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.task_forces(request.person)[:LIST_LIMIT])
    selectors.attach_progress(rows)
    context = {
        "task_forces": rows,
        "can_create": permissions.can_create_task_force(request.person),
    }
    return render(request, "coordination/task_forces.html", context)


@person_required
def task_force_new(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    if not permissions.can_create_task_force(viewer):
        return HttpResponse(status=403)
    form = TaskForceForm(request.POST or None, viewer=viewer, initial={"lead": viewer.pk})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task_force = services.create_task_force(
                actor=viewer,
                name=data["name"],
                purpose=data["purpose"],
                cycle=data["cycle"],
                lead=data["lead"],
                members=list(data["members"]),
            )
        except ValidationError as exc:
            _errors_into(form, exc)
        else:
            messages.success(request, _("The task force is set up; its members have been told."))
            return redirect("coordination:task-force", task_force.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "coordination/task_force_form.html", {"form": form}, status=status)


@person_required
def task_force_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task_force = selectors.task_force_detail(request.person, pk)
    context = {"task_force": task_force, "member_form": None}
    if permissions.MANAGE_TASK_FORCE in task_force.actions:
        context["member_form"] = MemberForm(viewer=request.person)
    return render(request, "coordination/task_force_detail.html", context)


@person_required
@require_POST
def task_force_members(request: HttpRequest, pk: int) -> HttpResponse:
    """Add (`add`) or remove (`remove`) the person of the form."""
    viewer = request.person
    task_force = permissions.get_task_force_for(viewer, pk, permissions.MANAGE_TASK_FORCE)
    form = MemberForm(request.POST, viewer=viewer)
    if form.is_valid():
        service = (
            services.remove_task_force_member
            if request.POST.get("op") == "remove"
            else services.add_task_force_member
        )
        try:
            service(actor=viewer, task_force=task_force, person=form.cleaned_data["person"])
        except ValidationError as exc:
            _errors_into(form, exc)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("coordination:task-force", task_force.pk)


@person_required
@require_POST
def task_force_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    task_force = permissions.get_task_force_for(request.person, pk, permissions.MANAGE_TASK_FORCE)
    try:
        services.dissolve_task_force(actor=request.person, task_force=task_force)
    except ValidationError as exc:
        for error in exc.messages:
            messages.error(request, error)
    else:
        messages.success(request, _("The task force is dissolved; its retrospective is ready."))
    return redirect("coordination:task-force", task_force.pk)
