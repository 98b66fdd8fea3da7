"""Crafted input never reaches the code as a 500.

- `StrictJSONParser` (the API's JSON parser): nesting deeper than MAX_DEPTH, strings (or keys)
  holding a lone surrogate or NUL answer 400 before any view sees them.
- `RequestGuardMiddleware`: an API body larger than KEEL_MAX_API_BODY answers 413 JSON; a
  query parameter (any page) holding NUL or a lone surrogate, or undecodable bytes, answers
  400 (JSON under /api/).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 50
_FORBIDDEN = re.compile("[\x00\ud800-\udfff]")


def refused_text(value: str) -> bool:
    return _FORBIDDEN.search(value) is not None


def check_value(data) -> None:
    """Raises ParseError for nesting deeper than MAX_DEPTH or a string with NUL or a lone
    surrogate anywhere in `data` (iteratively: no recursion limit to hit)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if refused_text(value):
                raise ParseError(_("Text may not contain NUL characters or lone surrogates."))
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError(_("JSON nested deeper than %(n)s levels.") % {"n": MAX_DEPTH})
            if isinstance(value, dict):
                stack.extend((k, depth) for k in value)
                stack.extend((v, depth + 1) for v in value.values())
            else:
                stack.extend((v, depth + 1) for v in value)


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                _("JSON nested deeper than %(n)s levels.") % {"n": MAX_DEPTH}
            ) from None
        check_value(data)
        return data


def _bad_query(request) -> bool:
    try:
        items = list(request.GET.lists())
    except UnicodeDecodeError:
        return True
    return any(refused_text(k) or any(refused_text(v) for v in vs) for k, vs in items)


class RequestGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        api = request.path.startswith("/api/")
        if api:
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.KEEL_MAX_API_BODY:
                detail = _("The request body is larger than %(n)s bytes.") % {
                    "n": settings.KEEL_MAX_API_BODY
                }
                return JsonResponse({"detail": detail}, status=413)
        if _bad_query(request):
            detail = _("Query parameters may not contain NUL characters or undecodable text.")
            if api:
                return JsonResponse({"detail": detail}, status=400)
            return HttpResponseBadRequest(detail, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
