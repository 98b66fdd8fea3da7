"""Benchmark instrumentation, active only with KEEL_BENCH=1 (`make bench`).

The three floors of the benchmark, each the cheapest request of its kind: an anonymous minimal
view (what the framework costs), a signed-in empty page (the session, the viewer and the page
layout, no content) and a signed-in minimal API call (token or session authentication, the
API's permission, a JSON answer)."""

import time

from django.db import connections
from django.http import JsonResponse
from django.shortcuts import render
from rest_framework.decorators import api_view
from rest_framework.response import Response

from org.access import person_required


class BenchHeadersMiddleware:
    """Adds `X-Server-Time-Ms` (time inside Django) and `X-Queries` (SQL statements run) to every
    response, so the benchmark reads server latency and query counts from the real server."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = [0]

        def counter(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Server-Time-Ms"] = f"{(time.perf_counter() - started) * 1000:.3f}"
        response["X-Queries"] = str(count[0])
        return response


def floor(request):
    """The cheapest possible Django view: what the framework costs on this machine."""
    return JsonResponse({"status": "ok"})


@person_required
def empty_page(request):
    """A signed-in page with nothing on it: the layout every page shares (navigation, bell,
    language switch) for the viewer, as cheap as a signed-in page can be."""
    return render(request, "demo/bench_empty.html")


@api_view(["GET"])
def api_floor(request):
    """A signed-in minimal API call: the API's authentication and permission, one small
    JSON answer naming the caller."""
    return Response({"status": "ok", "user": request.user.pk})
