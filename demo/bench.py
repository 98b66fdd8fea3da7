"""Benchmark instrumentation, active only with KEEL_BENCH=1 (`make bench`)."""

import time

from django.db import connections
from django.http import JsonResponse


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
