"""The search glossary page: HRBPs and admins keep the term pairs that make a search in one
language find texts written in the other."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.params import is_id
from org.access import person_required
from retros import forms, permissions, selectors, services
from retros.models import GlossaryTerm


@person_required
def glossary(request: HttpRequest) -> HttpResponse:
    viewer = request.person
    if not permissions.can_edit_glossary(viewer):
        raise Http404
    form = forms.GlossaryTermForm()
    if request.method == "POST":
        if "delete" in request.POST:
            raw = request.POST["delete"]
            pair = get_object_or_404(GlossaryTerm, pk=raw if is_id(raw) else None)
            services.delete_glossary_term(actor=viewer, pair=pair)
            messages.success(request, _("Glossary term removed."))
            return redirect("retros:glossary")
        form = forms.GlossaryTermForm(request.POST)
        if form.is_valid():
            try:
                services.add_glossary_term(actor=viewer, **form.cleaned_data)
            except ValidationError as exc:
                forms.add_service_errors(form, exc)
            else:
                messages.success(request, _("Glossary term saved."))
                return redirect("retros:glossary")
    return render(request, "retros/glossary.html", {"form": form, "terms": selectors.glossary()})
