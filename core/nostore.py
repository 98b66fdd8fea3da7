"""`Cache-Control: no-store` on every answer to a signed-in request (pages, API, exports):
nothing a person sees signed in stays in a browser's or a proxy's cache. DRF puts the
user it authenticated by token on the Django request too, so token requests count."""

from __future__ import annotations

from django.utils.cache import patch_cache_control


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, no_store=True, private=True)
        return response
