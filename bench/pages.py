"""Time a few pages of `make bench` in-process, one request at a time (no gunicorn, no clients):
a quick before/after for a change to one page, on the scale data already seeded.

    DEBUG=0 SECRET_KEY=x SECURE_SSL_REDIRECT=0 DATABASE_URL=... python bench/pages.py [rows]

Rows: `this-week` (the employee of the team of ~8), `burn-up` (one of their key results'
burn-up, as the page's section loads it), `board` (the head of ~500's department),
`board-render` (the board's template alone, from the context the view built: the rendering
cost without the queries). Each: 5 warm-up requests, then `PAGES_N` (20) timed ones; prints
p50 / p95 ms, the p50 of this process's CPU time (the database's excluded: steadier than the
wall clock on a busy machine), the queries of the last request and the size of the answer.
With DEBUG off the static files must be collected first (`manage.py collectstatic`), as
`make bench` does."""

from __future__ import annotations

import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.template.loader import get_template  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench import scenarios  # noqa: E402

N = int(os.environ.get("PAGES_N", "20"))
WARMUP = 5
EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "10000"))


def _client(person) -> Client:
    client = Client()
    client.force_login(person.user)
    return client


def _time(call) -> tuple[list[float], list[float], int, int]:
    """Wall-clock and CPU milliseconds of each timed call (CPU: this process only, the
    database's work excluded; on a shared machine it moves less than the wall clock)."""
    for _ in range(WARMUP):
        call()
    # What the script itself holds (the scenario's units and people, earlier rows) is left out
    # of the full collections, which otherwise made every row's p95 a 150 ms pause.
    gc.collect()
    gc.freeze()
    times, cpu = [], []
    for _ in range(N):
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        size = call()
    return times, cpu, len(ctx.captured_queries), size


def _get(client, url, **headers):
    def call() -> int:
        response = client.get(url, **headers)
        assert response.status_code == 200, (url, response.status_code)
        return len(response.content)

    return call


def _board_render(client, url):
    """The board's template alone, from the context its view built (no queries of the view)."""
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()  # (the test client keeps the context only under it)
    try:
        response = client.get(url)
    finally:
        teardown_test_environment()
    template = get_template("dashboard/board.html")
    context = {key: response.context[key] for key in response.context.keys()}  # noqa: SIM118
    request = response.wsgi_request

    def call() -> int:
        return len(template.render(context, request))

    return call


def _one_key_result(employee):
    from tracking.models import local_today
    from tracking.selectors import active_key_results

    return active_key_results(person=employee, week=local_today(employee)).first()


def main(rows: list[str]) -> None:
    chosen = scenarios.units(EMPLOYEES)
    people = scenarios.personas(chosen)
    quarter = scenarios._quarter()
    employee, head = people["employee"], people["head_500"]
    department = chosen["head_of_500"].unit
    board_url = f"/dashboard/board/?unit={department.pk}&cycle={quarter.pk}"
    for row in rows:
        if row == "this-week":
            scenarios._five_key_results(employee, quarter)  # the bench's 17 key results
            call = _get(_client(employee), "/tracking/")
        elif row == "burn-up":
            url = f"/tracking/key-results/{_one_key_result(employee).pk}/burn-up/"
            call = _get(_client(employee), url, HTTP_HX_REQUEST="true")
        elif row == "board":
            call = _get(_client(head), board_url)
        elif row == "board-render":
            call = _board_render(_client(head), board_url)
        else:
            raise SystemExit(f"unknown row {row!r}")
        times, cpu, queries, size = _time(call)
        p50 = statistics.median(times)
        p95 = statistics.quantiles(times, n=20)[-1]
        print(
            f"{row:14} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  cpu p50 {statistics.median(cpu):7.2f}"
            f" ms  queries {queries:3}  {size:,} bytes"
        )


if __name__ == "__main__":
    main(sys.argv[1:] or ["this-week", "board"])
