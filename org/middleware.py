from django.utils import translation

from org.identity import remember, viewer_for
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
        viewer = viewer_for(getattr(request, "user", None))
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
