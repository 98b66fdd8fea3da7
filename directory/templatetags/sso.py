"""`{% sso_providers as providers %}`: the identity providers configured (environment or
admin), each with its name and the URL its sign-in button posts to."""

from allauth.socialaccount.adapter import get_adapter
from django import template

from directory.sso import allow_form_action, authorize_origin

register = template.Library()


@register.simple_tag(takes_context=True)
def sso_providers(context) -> list[dict]:
    request = context.get("request")
    if request is None:
        return []
    found = []
    for app in get_adapter().list_apps(request):
        provider = app.get_provider(request)
        found.append({"name": provider.name, "url": provider.get_login_url(request)})
        allow_form_action(request, authorize_origin(app))
    return found


@register.simple_tag(takes_context=True)
def sso_allow_form_action(context, provider) -> str:
    """On a page whose form starts a sign-in with `provider` (allauth's confirmation page)."""
    request = context.get("request")
    if request is not None and getattr(provider, "app", None) is not None:
        allow_form_action(request, authorize_origin(provider.app))
    return ""
