"""`make bench`: the scale benchmark.

Builds (once) the scale data set on PostgreSQL (rebuilding the read models first when it is
already there), starts Keel under gunicorn with production settings (DEBUG off), measures the
three floors (anonymous, signed-in page, signed-in API call), warms up, drives every key page
and endpoint with concurrent clients and times the batch jobs. Prints one table, each row
against its floor and bar, writes bench-results/<timestamp>.json and latest.json.

    make bench                                 # DATABASE_URL defaults to .../keel_bench
    BENCH_CLIENTS=4 BENCH_REQUESTS=25 make bench
    BENCH_EMPLOYEES=100000 make bench          # the same table on ten times the people
    BENCH_ONLY=submit,alignment make bench     # those rows (and the floors) only, no jobs
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import secrets
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/keel_bench")
PORT = int(os.environ.get("BENCH_PORT", "8801"))
BASE = f"http://127.0.0.1:{PORT}"
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "4"))
PER_CLIENT = int(os.environ.get("BENCH_REQUESTS", "25"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "5"))
EMPLOYEES = int(os.environ.get("BENCH_EMPLOYEES", "10000"))
WEEKS = int(os.environ.get("BENCH_WEEKS", "12"))
# BENCH_ONLY="submit,alignment": only the rows whose name contains one of these (the floors
# always run, every ratio needs them), and no jobs.
ONLY = [part.strip() for part in os.environ.get("BENCH_ONLY", "").split(",") if part.strip()]

ENV = {
    **os.environ,
    "DATABASE_URL": DATABASE_URL,
    "DEBUG": "0",
    "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "KEEL_BENCH": "1",
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "LOG_LEVEL": "WARNING",
}
ENV.pop("REDIS_URL", None)
# Sessions and the signed-in viewer are cached in Redis as deployed (config/settings.py) when a
# Redis answers at BENCH_REDIS_URL (set it empty to measure without); tasks still run
# in-process (CELERY_TASK_ALWAYS_EAGER): the benchmark measures Keel, not the broker.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")


def use_redis() -> bool:
    """Point the server and the jobs at the benchmark's Redis database, emptied first (no
    session or viewer of an earlier run survives), if it answers."""
    if not REDIS_URL:
        return False
    try:
        import redis

        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.flushdb()
    except Exception:  # noqa: BLE001 - no Redis here: measured without, and said so
        return False
    ENV["REDIS_URL"] = REDIS_URL
    ENV["CELERY_TASK_ALWAYS_EAGER"] = "1"
    return True


def manage(*args: str, capture: bool = False) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=ENV,
        check=True,
        text=True,
        capture_output=capture,
    )


def ensure_database() -> None:
    import psycopg
    from dj_database_url import parse

    cfg = parse(DATABASE_URL)
    if "postgresql" not in cfg["ENGINE"]:
        sys.exit("make bench needs PostgreSQL: set DATABASE_URL=postgres://...")
    with psycopg.connect(
        host=cfg["HOST"] or "127.0.0.1",
        port=cfg["PORT"] or 5432,
        user=cfg["USER"] or "postgres",
        password=cfg["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]])
        if exists.fetchone() is None:
            conn.execute(f'CREATE DATABASE "{cfg["NAME"]}"')


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    with contextlib.suppress(OSError):
        mem = Path("/proc/meminfo").read_text().splitlines()[0].split(":", 1)[1].strip()
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def start_server() -> subprocess.Popen:
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(os.cpu_count() or 2),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    import requests

    for _ in range(120):
        try:
            if requests.get(f"{BASE}/healthz", timeout=10).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.5)
    server.terminate()
    sys.exit("gunicorn did not start")


def seeded() -> bool:
    """Whether the scale data of this size is in the database already (Django is set up)."""
    from org.models import Unit

    return Unit.objects.filter(name=f"Synthetic Co. {EMPLOYEES}/1", parent=None).exists()


def setup_django() -> None:
    os.environ.update({k: v for k, v in ENV.items() if k != "REDIS_URL"})
    os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def main() -> None:
    ensure_database()
    print(f"database: {DATABASE_URL}")
    redis_used = use_redis()
    print(f"sessions and viewer cache: {'Redis ' + REDIS_URL if redis_used else 'none (no Redis)'}")
    manage("migrate", "--noinput", "-v", "0")
    manage("compile_translations", "-v", "0")
    manage("collectstatic", "--noinput", "-v", "0")
    setup_django()
    if seeded():
        # Read models a new migration added are empty until rebuilt (the seed would rebuild
        # only what it knows of): fill them before anything is measured.
        manage("rebuild_rollups")
    started = time.perf_counter()
    manage("seed_demo", "--employees", str(EMPLOYEES), "--weeks", str(WEEKS), "--seed", "1")
    seed_s = time.perf_counter() - started

    from bench import scenarios
    from bench.client import Sessions, run

    endpoints = scenarios.endpoints(employees=EMPLOYEES)
    if ONLY:
        endpoints = [
            e for e in endpoints if e.group == "floor" or any(part in e.name for part in ONLY)
        ]
    server = start_server()
    results = []
    try:
        sessions = Sessions(BASE, scenarios.PASSWORD)
        for endpoint in endpoints:
            result = run(
                BASE, sessions, endpoint, clients=CLIENTS, per_client=PER_CLIENT, warmup=WARMUP
            )
            results.append(result.summary())
            print(f"  {endpoint.name}: p95 {results[-1]['p95_ms']} ms", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)

    jobs = []
    for job in [] if ONLY else scenarios.jobs(employees=EMPLOYEES):
        t0 = time.perf_counter()
        out = subprocess.run(
            [PYTHON, *job["argv"]], cwd=ROOT, env=ENV, check=False, text=True, capture_output=True
        )
        elapsed = time.perf_counter() - t0
        failed = out.returncode != 0
        # A job that fails is a row that fails (with the error's last line), not a lost run.
        jobs.append(
            {
                "name": job["name"],
                "seconds": round(elapsed, 2),
                "target_s": job["target_s"],
                "output": (out.stderr if failed else out.stdout).strip()[-400:],
                "failed": failed,
            }
        )
        status = f"FAILED ({out.stderr.strip().splitlines()[-1:]})" if failed else ""
        print(f"  {job['name']}: {elapsed:.2f} s {status}", flush=True)

    report(results, jobs, seed_s, redis_used)


def report(results: list[dict], jobs: list[dict], seed_s: float, redis_used: bool) -> None:
    from bench.client import ANONYMOUS_FLOOR

    p95 = {r["name"]: r["p95_ms"] or 0.001 for r in results}
    print()
    print(
        f"{'endpoint':<46} {'p50 ms':>8} {'p95 ms':>8} {'x floor':>8} {'limit':>6} "
        f"{'req/s':>7} {'queries':>9} {'err':>4}  ok"
    )
    all_ok = True
    for r in results:
        # Each row against its floor (bench.client.Endpoint.floor): pages against the signed-in
        # empty page, API calls against the signed-in API call, floors against the anonymous.
        if r["floor"] not in p95:
            r["floor"] = ANONYMOUS_FLOOR
        ratio = r["p95_ms"] / p95[r["floor"]]
        r["ratio_to_floor"] = round(ratio, 1)
        queries = (
            ",".join(str(q) for q in r["queries"])
            if len(r["queries"]) <= 2
            else (f"{r['queries'][0]}-{r['queries'][-1]}")
        )
        target = r.get("target_ms")
        limit_ratio = r.get("limit_ratio")
        if target:
            within, limit = r["p95_ms"] <= target, f"{target:.0f}ms"
        elif limit_ratio:
            within, limit = ratio <= limit_ratio, f"{limit_ratio:g}x"
        else:  # a floor measured for the others: no bar of its own
            within, limit = True, "-"
        ok = within and r["errors"] == 0
        r["ok"] = ok
        all_ok &= ok
        print(
            f"{r['name']:<46} {r['p50_ms']:>8} {r['p95_ms']:>8} {ratio:>8.1f} "
            f"{limit:>6} {r['throughput_rps']:>7} {queries:>9} {r['errors']:>4}"
            f"  {'yes' if ok else 'NO'}"
        )
    print()
    print(f"{'job':<46} {'seconds':>8} {'target':>8}  ok")
    for j in jobs:
        ok = j["seconds"] <= j["target_s"] and not j.get("failed")
        j["ok"] = ok
        all_ok &= ok
        verdict = "FAILED" if j.get("failed") else "yes" if ok else "NO"
        print(f"{j['name']:<46} {j['seconds']:>8} {j['target_s']:>8}  {verdict}")
    print(f"\nscale seed (incremental when already seeded): {seed_s:.1f} s")
    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    payload = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "clients": CLIENTS,
        "requests_per_client": PER_CLIENT,
        "employees": EMPLOYEES,
        "redis": redis_used,
        "endpoints": results,
        "jobs": jobs,
        "all_targets_met": all_ok,
    }
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for name in (f"{stamp}.json", "latest.json"):
        (out_dir / name).write_text(json.dumps(payload, indent=2))
    print(f"machine: {payload['machine']}")
    print(f"written: bench-results/{stamp}.json")


if __name__ == "__main__":
    main()
