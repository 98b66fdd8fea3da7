"""The admins' service-account page: list, create (the token shown once), revoke."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from integrations import selectors
from integrations.forms import ServiceAccountForm
from integrations.permissions import may_manage_service_accounts
from org import services as org_services
from org.access import person_required
from org.models import ServiceAccount


@never_cache  # the page that shows a new token's key must not be kept by any cache
@person_required
@require_http_methods(["GET", "POST"])
def service_accounts(request: HttpRequest) -> HttpResponse:
    accounts = selectors.service_accounts(viewer=request.viewer)  # 403 for non-admins
    form = ServiceAccountForm(request.POST or None)
    created = key = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created, key = org_services.create_service_account(
                actor=request.person,
                name=data["name"],
                description=data["description"],
                scopes=data["scopes"],
                units=list(data["units"]),
                days=data["days"],
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = ServiceAccountForm()
    context = {"accounts": accounts, "form": form, "created": created, "key": key}
    return render(request, "integrations/service_accounts.html", context)


@person_required
@require_POST
def revoke_service_account(request: HttpRequest, pk: int) -> HttpResponse:
    if not may_manage_service_accounts(request.viewer):
        raise Http404
    account = get_object_or_404(ServiceAccount.objects.select_related("user"), pk=pk)
    org_services.revoke_service_account(actor=request.person, account=account)
    messages.success(
        request, _("%(name)s is revoked: its tokens no longer work.") % {"name": account.name}
    )
    return redirect("integrations:service-accounts")
