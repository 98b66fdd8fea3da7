"""The admins' form for a new service account."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from org.models import SERVICE_SCOPES, Unit
from org.tokens import MAX_DAYS


class ServiceAccountForm(forms.Form):
    name = forms.CharField(label=_("Account name"), max_length=100)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=[(key, f"{key}: {text}") for key, text in SERVICE_SCOPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.order_by("path"),
        required=False,
        help_text=_("Empty: the whole organisation."),
    )
    days = forms.IntegerField(
        label=_("Token valid for (days)"), min_value=1, max_value=MAX_DAYS, initial=None
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["days"].initial = settings.KEEL_TOKEN_DAYS
