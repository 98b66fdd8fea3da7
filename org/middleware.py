from django.contrib.auth.middleware import AuthenticationMiddleware
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from org.identity import remember, session_user, viewer_for
from org.scopes import viewing_as


class ViewerMiddleware:
    """Resolves who is asking once per request: `request.viewer` (a `Viewer`, anonymous when
    nobody is signed in) and `request.person` (its Person, or None). Then activates the
    person's chosen language (remembered on the Person), after LocaleMiddleware has picked
    one from the session, cookie or browser. Identity and roles come from the shared cache
    when it holds them (org/identity.py). The API resolves its token user again after
    authentication (`org.access.ViewerAPIMixin`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated  # resolves the lazy user
        prefetched = getattr(request, "_keel_identity", None) if signed_in else None
        viewer = viewer_for(user, prefetched)
        person = viewer.person
        request.person = person
        request.viewer = viewer
        if person is not None and person.language:
            translation.activate(person.language)
            request.LANGUAGE_CODE = translation.get_language()
        with viewing_as(request.viewer):
            response = self.get_response(request)
        remember(request.viewer)  # the API's token user replaces the viewer (org.access)
        return response


class SessionUserMiddleware(AuthenticationMiddleware):
    """Django's AuthenticationMiddleware whose `request.user` comes from the cached viewer
    entry when it is current (`org.identity.session_user`): a signed-in page with Redis reads
    the session and the entry, and no row."""

    def process_request(self, request):
        super().process_request(request)

        def user():
            if not hasattr(request, "_cached_user"):
                request._cached_user = session_user(request)
            return request._cached_user

        request.user = SimpleLazyObject(user)
