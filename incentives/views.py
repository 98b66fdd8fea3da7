"""Incentive pages: the recognition feed, my awards and points, rules and their editor, the
evaluation preview, the approval queue and the fairness report. Thin over services and
selectors; live parts are htmx partials."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from core.forms import Form
from core.params import is_id
from goals.models import Cycle
from incentives import exports, permissions, selectors, services
from incentives.explain import breakdown, miss_text, reason_text
from incentives.forms import EvaluateForm, RuleForm, tiers_from_post
from incentives.models import Award
from org import permissions as org_permissions


def _require_manager_of_incentives(request) -> None:
    if not permissions.can_manage_incentives(request.person):
        raise PermissionDenied


@login_required
@vary_on_headers("HX-Request")
@require_GET
def recognitions(request: HttpRequest) -> HttpResponse:
    """The public recognition feed ("weekly champion" cards). Amounts only for those who may
    see them."""
    viewer = request.person
    page = Paginator(permissions.recognition_feed(viewer), 24).get_page(request.GET.get("page"))
    amount_ids = set(
        permissions.visible_awards(viewer)
        .filter(pk__in=[a.pk for a in page])
        .values_list("pk", flat=True)
    )
    context = {"page": page, "amount_ids": amount_ids}
    template = "incentives/recognitions.html"
    if request.htmx:
        template += "#feed"
    return render(request, template, context)


def _history(request, person) -> HttpResponse:
    history = selectors.person_history(viewer=request.person, person=person)
    return render(request, "incentives/my_awards.html", {"subject": person, **history})


@login_required
@require_GET
def my_awards(request: HttpRequest) -> HttpResponse:
    if request.person is None:
        raise Http404
    return _history(request, request.person)


@login_required
@require_GET
def person_awards(request: HttpRequest, pk: int) -> HttpResponse:
    """A person's incentive history and promotion points: themselves, their manager chain,
    their HRBP, admins."""
    person = org_permissions.get_person_for(request.person, pk)
    if not org_permissions.can_see_sensitive(request.person, person):
        raise Http404
    return _history(request, person)


@login_required
@require_GET
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award = permissions.get_award_for(request.person, pk)
    actions = permissions.available_actions(request.person, award)
    explained = breakdown(award.rule.kind, award.explanation, award.currency)
    return render(
        request,
        "incentives/award_detail.html",
        {"award": award, "actions": actions, "explained": explained},
    )


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    rules = permissions.visible_rules(request.person).order_by("name", "pk")
    return render(
        request,
        "incentives/rules.html",
        {"rules": rules, "can_manage": permissions.can_manage_incentives(request.person)},
    )


@login_required
@vary_on_headers("HX-Request")
def rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _require_manager_of_incentives(request)
    viewer = request.person
    rule = permissions.get_rule_for(viewer, pk, action="change") if pk else None
    if request.method == "POST":
        form = RuleForm(request.POST, viewer=viewer, tiers=tiers_from_post(request.POST))
        if form.is_valid():
            try:
                if rule is None:
                    rule = services.create_rule(actor=viewer, **form.rule_fields())
                else:
                    rule = services.update_rule(actor=viewer, rule=rule, **form.rule_fields())
            except ValidationError as exc:
                form.apply_errors(exc)
            else:
                messages.success(request, _("Rule saved."))
                return redirect("incentives:rule-evaluate", pk=rule.pk)
    else:
        initial = RuleForm.initial_for(rule) if rule else {}
        tiers = (rule.params.get("tiers") if rule else None) or [
            {"threshold": 1, "amount": 1000},
            {"threshold": 1.2, "amount": 2000},
            {"threshold": 1.5, "amount": 3000},
        ]
        form = RuleForm(initial=initial, viewer=viewer, tiers=tiers)
    return render(request, "incentives/rule_form.html", {"form": form, "rule": rule})


@login_required
@require_GET
def tier_row(request: HttpRequest) -> HttpResponse:
    """One empty tier row (htmx "add tier")."""
    _require_manager_of_incentives(request)
    return render(request, "incentives/rule_form.html#tier-row", {"tier": {}})


@login_required
@vary_on_headers("HX-Request")
def rule_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    """Preview (dry run) an evaluation with its explanations, then save it."""
    viewer = request.person
    rule = permissions.get_rule_for(viewer, pk, action="evaluate")
    outcome = None
    form = EvaluateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        save = request.POST.get("save") == "1"
        try:
            outcome = services.evaluate_rule(
                actor=viewer, rule=rule, day=form.cleaned_data["period_start"], dry_run=not save
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            if save:
                messages.success(
                    request,
                    _("Saved: %(c)s new, %(u)s updated, %(n)s unchanged, %(w)s withdrawn.")
                    % {
                        "c": outcome.created,
                        "u": outcome.updated,
                        "n": outcome.unchanged,
                        "w": outcome.withdrawn,
                    },
                )
    rows, ineligible, not_awarded = [], [], []
    if outcome is not None:
        saved = {a.person_id: a for a in outcome.awards}
        for proposal in outcome.proposals:
            award = saved.get(proposal.person_id)
            explanation = award.explanation if award else proposal.explanation
            rows.append(
                {
                    "person": outcome.people.get(proposal.person_id, ""),
                    "award": award,
                    "amount": award.amount if award else proposal.amount,
                    "points": award.points if award else proposal.points,
                    "title": proposal.title,
                    "explained": breakdown(rule.kind, explanation, rule.currency),
                }
            )
        ineligible = [
            {"person": outcome.people.get(pid, ""), "reasons": [reason_text(r) for r in rs]}
            for pid, rs in list(outcome.ineligible.items())[:200]
        ]
        not_awarded = [
            {"person": outcome.people.get(pid, ""), "reasons": [miss_text(r) for r in rs]}
            for pid, rs in list(outcome.not_awarded.items())[:200]
        ]
    context = {
        "rule": rule,
        "form": form,
        "outcome": outcome,
        "rows": rows,
        "ineligible": ineligible,
        "not_awarded": not_awarded,
    }
    template = "incentives/evaluate.html"
    if request.htmx and request.method == "POST":
        template += "#result"
    return render(request, template, context)


@login_required
@vary_on_headers("HX-Request")
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    _require_manager_of_incentives(request)
    page = Paginator(selectors.approval_queue(viewer=request.person), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "incentives/approvals.html", {"page": page})


@login_required
@require_POST
def award_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve or publish one award; answers the refreshed queue row to htmx."""
    viewer = request.person
    award = permissions.get_award_for(viewer, pk, action=decision)
    service = services.approve_award if decision == "approve" else services.publish_award
    error = ""
    try:
        award = service(actor=viewer, award=award)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    award = permissions.get_award_for(viewer, pk)
    if request.htmx:
        return render(request, "incentives/approvals.html#row", {"award": award, "error": error})
    if error:
        messages.error(request, error)
    return redirect("incentives:approvals")


@login_required
@require_GET
def fairness(request: HttpRequest) -> HttpResponse:
    if not permissions.can_see_fairness(request.person):
        raise PermissionDenied
    cycles = list(Cycle.objects.order_by("-starts_on")[:40])
    cycle = None
    raw = request.GET.get("cycle", "")
    if is_id(raw):
        cycle = (
            next((c for c in cycles if c.pk == int(raw)), None)
            or Cycle.objects.filter(pk=raw).first()
        )
    rows = selectors.fairness(viewer=request.person, cycle=cycle)
    return render(
        request,
        "incentives/fairness.html",
        {
            "rows": rows,
            "cycles": cycles,
            "cycle": cycle,
            "award_states": Award.State,
            "budgets": selectors.incentive_budgets(viewer=request.person, cycle=cycle),
        },
    )


class PayrollForm(Form):
    start = forms.DateField(label=_("From"))
    end = forms.DateField(label=_("To"))

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end is before the start."))
        return data


@login_required
@require_GET
def payroll_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Approved and published awards for a period as CSV or XLSX (admins, HRBPs)."""
    if not permissions.can_see_fairness(request.person):
        raise PermissionDenied
    if fmt not in ("csv", "xlsx"):
        raise Http404
    form = PayrollForm(request.GET)
    if not form.is_valid():
        errors = "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    awards = selectors.payroll(viewer=request.person, start=start, end=end)
    if fmt == "csv":
        body, kind = exports.to_csv(awards), "text/csv; charset=utf-8"
    else:
        body = exports.to_xlsx(awards)
        kind = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(body, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="payroll-{start}-{end}.{fmt}"'
    return response
