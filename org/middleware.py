from django.utils import translation

from org.permissions import person_of


class PersonLanguageMiddleware:
    """Activates the signed-in person's chosen language (remembered on the Person), after
    LocaleMiddleware has picked one from the session, cookie or browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        person = person_of(getattr(request, "user", None))
        request.person = person
        if person is not None and person.language:
            translation.activate(person.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
