"""Meeting pages: the searchable list, the form (opened from the weekly review or the alignment
review: `?from=weekly_review|alignment_review`), a meeting's page, completing an action, and
the open actions of a person (the check-in page loads it by hx-get)."""

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
from coordination.models import Meeting
from core.forms import Form
from core.params import is_id
from goals import permissions as goal_permissions
from goals.models import Cycle, Goal
from org import permissions as org_permissions
from org.access import person_required
from org.models import Person

ACTION_ROWS = 3


class MeetingForm(Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=Meeting.Kind.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=300)
    held_on = forms.DateField(
        label=gettext_lazy("Held on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    participants = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Participants"), queryset=Person.objects.none()
    )
    goals = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Goals discussed"), queryset=Goal.objects.none(), required=False
    )
    decisions = forms.CharField(
        label=gettext_lazy("Decisions"), widget=forms.Textarea(attrs={"rows": 4})
    )
    notes = forms.CharField(
        label=gettext_lazy("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, viewer, cycle, **kwargs):
        super().__init__(*args, **kwargs)
        people = org_permissions.visible_people(viewer).order_by("display_name")
        self.fields["participants"].queryset = people
        goals = goal_permissions.visible_goals(viewer).select_related("owner_person", "owner_unit")
        if cycle is not None:
            goals = goals.filter(cycle=cycle)
        self.fields["goals"].queryset = goals.order_by("owner_path", "title")
        self.fields["goals"].label_from_instance = lambda g: f"{g.title} ({g.owner_name})"
        for i in range(ACTION_ROWS):
            self.fields[f"action_{i}_text"] = forms.CharField(
                label=gettext_lazy("Action"), max_length=500, required=False
            )
            self.fields[f"action_{i}_owner"] = forms.ModelChoiceField(
                label=gettext_lazy("Owner"), queryset=people, required=False
            )
            self.fields[f"action_{i}_due"] = forms.DateField(
                label=gettext_lazy("Due on"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )

    def action_rows(self):
        return [
            (self[f"action_{i}_text"], self[f"action_{i}_owner"], self[f"action_{i}_due"])
            for i in range(ACTION_ROWS)
        ]

    def action_data(self) -> list[dict]:
        rows = []
        for i in range(ACTION_ROWS):
            text = self.cleaned_data.get(f"action_{i}_text")
            owner = self.cleaned_data.get(f"action_{i}_owner")
            due = self.cleaned_data.get(f"action_{i}_due")
            if text or owner or due:
                rows.append({"text": text, "owner": owner, "due_on": due})
        return rows


def _current_cycle():
    today = timezone.localdate()
    return (
        Cycle.objects.filter(starts_on__lte=today, ends_on__gte=today)
        .order_by("-starts_on", "kind")
        .first()
    )


@person_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    rows = list(selectors.meetings(request.person, q=q)[:100])
    context = {
        "meetings": rows,
        "q": q,
        "can_record": permissions.can_record_meeting(request.person),
    }
    return render(request, "coordination/meetings.html", context)


@person_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    if not permissions.can_record_meeting(viewer):
        return HttpResponse(status=403)
    source = request.GET.get("from", "")
    if source not in Meeting.Source.values:
        source = ""
    cycle = _current_cycle()
    initial = {
        "kind": Meeting.Kind.ALIGNMENT
        if source == "alignment_review"
        else Meeting.Kind.COORDINATION,
        "held_on": timezone.localdate(),
        "participants": [viewer.pk],
    }
    form = MeetingForm(request.POST or None, viewer=viewer, cycle=cycle, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.record_meeting(
                actor=viewer,
                kind=data["kind"],
                title=data["title"],
                held_on=data["held_on"],
                decisions=data["decisions"],
                notes=data["notes"],
                participants=list(data["participants"]),
                goals=list(data["goals"]),
                actions=form.action_data(),
                cycle=cycle,
                source=source,
            )
        except ValidationError as exc:
            for field, errors in getattr(exc, "message_dict", {None: exc.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The meeting is recorded; action owners have been told."))
            return redirect("coordination:meeting", meeting.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "coordination/meeting_form.html", {"form": form, "source": source}, status=status
    )


@person_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_detail(request.person, pk)
    return render(request, "coordination/meeting_detail.html", {"meeting": meeting})


@person_required
@require_POST
def action_complete(request: HttpRequest, pk: int) -> HttpResponse:
    row = permissions.get_meeting_action_for(request.person, pk, permissions.COMPLETE)
    services.complete_action(actor=request.person, action=row)
    if request.htmx:
        return open_actions(request, person_pk=row.owner_id)
    return redirect("coordination:meeting", row.meeting_id)


@person_required
def open_actions(request: HttpRequest, person_pk: int | None = None) -> HttpResponse:
    """The open meeting actions of a person (default: the viewer), for their check-in."""
    raw = person_pk if person_pk is not None else request.GET.get("person")
    person = request.person
    if raw is not None and is_id(str(raw)):
        person = org_permissions.visible_people(request.person).filter(pk=raw).first() or person
    rows = selectors.open_actions(request.person, person)
    return render(request, "coordination/_open_actions.html", {"actions": rows, "owner": person})
