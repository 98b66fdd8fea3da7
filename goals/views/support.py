"""Support agreement pages: ask another unit's goal for support, the request page where the
other side accepts, declines or counter-proposes (phone-sized forms), and the list of requests
waiting for the viewer. Thin over goals.services and goals.selectors_support."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import Form
from goals import permissions, selectors_support, services
from goals.models import Goal, KeyResult
from org.access import person_required


class AskForm(Form):
    supporting_goal = forms.ModelChoiceField(
        queryset=Goal.objects.none(), label=gettext_lazy("Goal asked to support")
    )
    key_result = forms.ModelChoiceField(
        queryset=KeyResult.objects.none(),
        required=False,
        label=gettext_lazy("Its key result (optional)"),
    )
    need = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("What you need")
    )
    amount = forms.DecimalField(
        required=False, max_digits=20, decimal_places=4, label=gettext_lazy("Amount")
    )

    def __init__(self, *args, viewer, goal, **kwargs):
        super().__init__(*args, **kwargs)
        others = (
            permissions.visible_goals(viewer)
            .filter(cycle=goal.cycle)
            .exclude(owner_path=goal.owner_path)
            .exclude(state=Goal.State.CLOSED)
            .select_related("owner_person", "owner_unit")
            .order_by("owner_path", "title")
        )
        self.fields["supporting_goal"].queryset = others
        self.fields["supporting_goal"].label_from_instance = lambda g: f"{g.title} ({g.owner_name})"
        self.fields["key_result"].queryset = (
            permissions.visible_key_results(viewer).filter(goal__in=others).select_related("goal")
        )
        self.fields["key_result"].label_from_instance = lambda kr: f"{kr.goal.title} — {kr.name}"


class AnswerForm(Form):
    text = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Reason or offer"),
    )
    amount = forms.DecimalField(
        required=False, max_digits=20, decimal_places=4, label=gettext_lazy("Amount offered")
    )


def _errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@person_required
def support_ask(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    goal = permissions.get_goal_for(viewer, pk)
    if not permissions.speaks_for(viewer, goal):
        goal = permissions.get_goal_for(viewer, pk, "edit")  # 403 with the usual words
    form = AskForm(request.POST or None, viewer=viewer, goal=goal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            support = services.request_support(
                actor=viewer,
                goal=goal,
                supporting_goal=data["supporting_goal"],
                key_result=data["key_result"],
                need=data["need"],
                amount=data["amount"],
            )
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Support requested; the other unit has been asked."))
            return redirect("goals:support-detail", support.pk)
    return render(request, "goals/support_ask.html", {"goal": goal, "form": form})


@person_required
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    viewer = request.person
    support = permissions.get_support_request_for(viewer, pk)
    context = {
        "support": support,
        "actions": permissions.support_actions(viewer, support),
        "form": AnswerForm(),
    }
    return render(request, "goals/support_detail.html", context)


VERBS = {
    "accept": permissions.ACCEPT,
    "decline": permissions.DECLINE,
    "counter": permissions.COUNTER,
    "withdraw": permissions.WITHDRAW,
}


@person_required
@require_POST
def support_decide(request: HttpRequest, pk: int, verb: str) -> HttpResponse:
    viewer = request.person
    support = permissions.get_support_request_for(viewer, pk)
    action = VERBS.get(verb)
    if action is None:
        return redirect("goals:support-detail", support.pk)
    support = permissions.get_support_request_for(viewer, pk, action)
    form = AnswerForm(request.POST)
    if form.is_valid():
        text, amount = form.cleaned_data["text"], form.cleaned_data["amount"]
        try:
            if action == permissions.ACCEPT:
                services.accept_support(actor=viewer, request=support)
            elif action == permissions.DECLINE:
                services.decline_support(actor=viewer, request=support, reason=text)
            elif action == permissions.COUNTER:
                services.counter_propose_support(
                    actor=viewer, request=support, answer=text, amount=amount
                )
            else:
                services.withdraw_support(actor=viewer, request=support)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, _("Your answer has been recorded."))
            return redirect("goals:support-detail", support.pk)
    context = {
        "support": support,
        "actions": permissions.support_actions(viewer, support),
        "form": form,
    }
    return render(request, "goals/support_detail.html", context, status=400)


@person_required
def support_inbox(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    context = {
        "waiting": selectors_support.waiting_for(viewer),
        "mine": list(selectors_support.support_requests(viewer).filter(requested_by=viewer)[:50]),
    }
    return render(request, "goals/support_inbox.html", context)
