"""`make load`: a sustained load on gunicorn + PostgreSQL with production settings.

50 people (each a distinct employee with key results) submit this week's check-in again and
again through the API (the first time a submission, then amendments with new values), while
20 managers read their team dashboard and home page, for 60 s. Prints requests, errors and
per-kind latency (round trip, and time inside Django), then counts in the database that every
accepted submission is stored: one submitted check-in per person this week, with a
Measurement per key result for every accepted submission. Exit status 1 on any error or any
missing row. A measurement, not a test: it is not part of CI (docs/reliability.md).

    make load                                  # LOAD_DATABASE_URL defaults to .../keel_load
    LOAD_SECONDS=30 LOAD_SUBMITTERS=20 LOAD_MANAGERS=10 make load
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["DATABASE_URL"] = os.environ.get(
    "LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/keel_load"
)
from bench import run as bench_run  # noqa: E402  (reads DATABASE_URL at import)
from bench.client import Result, Sessions  # noqa: E402

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
SUBMITTERS = int(os.environ.get("LOAD_SUBMITTERS", "50"))
MANAGERS = int(os.environ.get("LOAD_MANAGERS", "20"))
EMPLOYEES = int(os.environ.get("LOAD_EMPLOYEES", "1000"))
WORKERS = int(os.environ.get("LOAD_WORKERS", str(2 * (os.cpu_count() or 2) + 1)))
PORT = int(os.environ.get("LOAD_PORT", "8802"))
BASE = f"http://127.0.0.1:{PORT}"


@dataclass
class Kind:
    name: str
    requests: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    round_trip_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)


class Recorder:
    def __init__(self) -> None:
        self.kinds: dict[str, Kind] = {}
        self.lock = threading.Lock()

    def call(self, kind: str, session: requests.Session, method: str, path: str, **kwargs):
        started = time.perf_counter()
        try:
            response = session.request(method, f"{BASE}{path}", timeout=120, **kwargs)
        except requests.RequestException as exc:
            response, status = None, type(exc).__name__
        else:
            status = str(response.status_code)
        elapsed = (time.perf_counter() - started) * 1000
        failed = response is None or response.status_code >= 400 or "/login/" in response.url
        with self.lock:
            row = self.kinds.setdefault(kind, Kind(kind))
            row.requests += 1
            row.errors += failed
            if failed:
                row.statuses[status] += 1
            row.round_trip_ms.append(elapsed)
            if response is not None and "X-Server-Time-Ms" in response.headers:
                row.server_ms.append(float(response.headers["X-Server-Time-Ms"]))
        return None if failed else response


def prepare() -> dict:
    """Seed the synthetic company once; pick the submitters and the managers."""
    bench_run.ensure_database()
    bench_run.manage("migrate", "--noinput", "-v", "0")
    bench_run.manage("compile_translations", "-v", "0")
    bench_run.manage("collectstatic", "--noinput", "-v", "0")
    bench_run.manage("seed_demo", "--employees", str(EMPLOYEES), "--seed", "1")
    # Every read model brought to today first (pace moves with the calendar), so that what
    # differs from a rebuild after the run is what the run's writes left.
    bench_run.manage("rebuild_rollups")
    os.environ.update(bench_run.ENV)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.db.models import Count

    from org.models import Person, Unit
    from tracking.models import local_today, week_start
    from tracking.selectors import active_key_results

    root = Unit.objects.get(name=f"Synthetic Co. {EMPLOYEES}/1", parent=None)
    subtree = Unit.objects.filter(path__startswith=root.path)
    heads = list(
        subtree.filter(kind=Unit.Kind.TEAM, head__isnull=False)
        .annotate(n=Count("members"))
        .filter(n__gte=3)
        .order_by("pk")
        .values_list("head_id", flat=True)
        .distinct()[:MANAGERS]
    )
    managers = list(Person.objects.filter(pk__in=heads).select_related("user"))
    submitters = []
    candidates = (
        Person.objects.filter(unit__in=subtree, level=Person.Level.FRONTLINE, is_active=True)
        .exclude(pk__in=heads)
        .select_related("user")
        .order_by("pk")
    )
    for person in candidates.iterator():
        week = week_start(local_today(person))
        krs = list(active_key_results(person=person, week=week).values_list("pk", "current_value"))
        if krs:
            submitters.append({"person": person, "week": week, "krs": krs})
        if len(submitters) == SUBMITTERS:
            break
    if len(submitters) < SUBMITTERS or len(managers) < MANAGERS:
        sys.exit(f"only {len(submitters)} submitters and {len(managers)} managers found")
    return {"submitters": submitters, "managers": managers}


def before_state(submitters: list[dict]) -> None:
    from tracking.models import CheckIn

    for s in submitters:
        existing = CheckIn.objects.filter(person=s["person"], week=s["week"]).first()
        s["was_submitted"] = bool(existing and existing.is_submitted)
        s["amendments_before"] = existing.amendments if existing else 0


def drive(plan: dict, recorder: Recorder) -> dict[int, int]:
    from django.conf import settings

    from tracking.models import CauseTag

    cause = CauseTag.objects.filter(is_active=True).values_list("slug", flat=True).first()
    sessions = Sessions(BASE, settings.KEEL_DEMO_PASSWORD)
    for s in plan["submitters"]:  # signed in before the clock starts
        s["session"] = sessions.session(s["person"].user.username)
    manager_sessions = [sessions.session(m.user.username) for m in plan["managers"]]
    accepted: dict[int, int] = defaultdict(int)
    go, stop = threading.Event(), threading.Event()

    def submitter(s: dict) -> None:
        session = s["session"]
        go.wait()
        opened = recorder.call("open check-in", session, "POST", "/api/v1/check-ins/current/")
        if opened is None:
            return
        path = f"/api/v1/check-ins/{opened.json()['id']}/submit/"
        attempt = 0
        while not stop.is_set():
            attempt += 1  # a new value each time, so every submission changes something
            updates = [
                {"key_result": pk, "value": str(int(value) + attempt), "cause": cause}
                | {"action": "Keep the pace"}
                for pk, value in s["krs"]
            ]
            if recorder.call("submit check-in", session, "POST", path, json={"updates": updates}):
                accepted[s["person"].pk] += 1

    def manager(session: requests.Session) -> None:
        go.wait()
        while not stop.is_set():
            recorder.call("team dashboard", session, "GET", "/dashboard/team/")
            recorder.call("home page", session, "GET", "/")

    threads = [threading.Thread(target=submitter, args=(s,)) for s in plan["submitters"]]
    threads += [threading.Thread(target=manager, args=(m,)) for m in manager_sessions]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    go.set()
    time.sleep(SECONDS)  # the run's duration, not a wait for anything
    stop.set()
    for thread in threads:
        thread.join()
    plan["elapsed"] = time.perf_counter() - started  # including the answers still under way
    return accepted


def verify(plan: dict, accepted: dict[int, int], run_started) -> dict[int, str]:
    """Every accepted submission is in the database: problems by person id."""
    from goals.models import Measurement
    from tracking.models import CheckIn, KeyResultUpdate

    problems: dict[int, str] = {}
    for s in plan["submitters"]:
        person, n = s["person"], accepted.get(s["person"].pk, 0)
        krs = [pk for pk, _value in s["krs"]]
        s["expected"] = n * len(krs)
        rows = list(CheckIn.objects.filter(person=person, week=s["week"]))
        if n == 0 and not s["was_submitted"]:
            continue  # nothing accepted in time: nothing to find (the errors say why)
        if len(rows) != 1 or not rows[0].is_submitted:
            problems[person.pk] = f"{len(rows)} check-ins this week, not one submitted"
            continue
        check_in = rows[0]
        s["measured"] = Measurement.objects.filter(
            key_result_id__in=krs, source="check_in", recorded_at__gte=run_started
        ).count()
        amendments = n - (0 if s["was_submitted"] else 1)
        if KeyResultUpdate.objects.filter(check_in=check_in).count() != len(krs):
            problems[person.pk] = "key result updates missing"
        elif s["measured"] != s["expected"]:
            problems[person.pk] = f"{s['measured']} measurements for {n} accepted submissions"
        elif check_in.amendments - s["amendments_before"] != amendments:
            problems[person.pk] = f"{check_in.amendments} amendments for {n} accepted submissions"
    return problems


def report(plan: dict, recorder: Recorder, accepted: dict[int, int], problems: dict) -> None:
    pct = Result.pct
    elapsed = plan["elapsed"]
    print()
    print(
        f"load: {SECONDS:.0f} s ({elapsed:.0f} s until the last answer), "
        f"{len(plan['submitters'])} people submitting check-ins, "
        f"{len(plan['managers'])} managers reading dashboards; gunicorn {WORKERS} workers, "
        f"PostgreSQL, synthetic company of {EMPLOYEES}; {os.cpu_count()} CPUs"
    )
    print(
        f"{'kind':<16} {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'server p50':>10} {'server p95':>10}"
    )
    total = errors = 0
    for row in sorted(recorder.kinds.values(), key=lambda r: r.name):
        total, errors = total + row.requests, errors + row.errors
        rt, server = row.round_trip_ms, row.server_ms
        print(
            f"{row.name:<16} {row.requests:>8} {row.errors:>6} {row.requests / elapsed:>6.1f} "
            f"{pct(rt, 0.5):>7.0f} {pct(rt, 0.95):>7.0f} {pct(server, 0.5):>10.0f} "
            f"{pct(server, 0.95):>10.0f}" + (f"  {dict(row.statuses)}" if row.errors else "")
        )
    print(f"{'total':<16} {total:>8} {errors:>6} {total / elapsed:>6.1f}")
    people = len(plan["submitters"])
    print(
        f"stored: {people - len(problems)}/{people} people have one submitted check-in this "
        f"week with every accepted submission; {sum(accepted.values())} submissions accepted, "
        f"{sum(s.get('measured', 0) for s in plan['submitters'])} measurements written "
        f"(expected {sum(s['expected'] for s in plan['submitters'])})"
    )
    for s in plan["submitters"]:
        if s["person"].pk in problems:
            print(f"  MISSING {s['person']}: {problems[s['person'].pk]}")


def main() -> int:
    print(f"database: {bench_run.DATABASE_URL}")
    plan = prepare()
    before_state(plan["submitters"])
    from django.utils import timezone

    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi:application"]
        + ["--bind", f"127.0.0.1:{PORT}", "--workers", str(WORKERS), "--log-level", "warning"],
        cwd=ROOT,
        env=bench_run.ENV,
    )
    try:
        for _ in range(240):
            try:
                if requests.get(f"{BASE}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            sys.exit("gunicorn did not start")
        run_started = timezone.now()
        recorder = Recorder()
        accepted = drive(plan, recorder)
    finally:
        server.terminate()
        server.wait(timeout=30)
    problems = verify(plan, accepted, run_started)
    from goals.services import rollups

    drift = rollups.rebuild_all(fix=False)
    print(f"read models against a from-scratch rebuild after the run: {len(drift)} rows differ")
    for row in drift[:20]:
        print(f"  {row}")
    report(plan, recorder, accepted, problems)
    failed = problems or drift or any(row.errors for row in recorder.kinds.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
