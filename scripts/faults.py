"""PostgreSQL restarted under a running Keel: gunicorn (production settings) serves the demo
company from a scratch database, the PostgreSQL server is restarted, and the same gunicorn
processes answer every request again without being restarted themselves (each request
health-checks its persistent connection first: CONN_HEALTH_CHECKS).

    python scripts/faults.py                       # restart the machine's cluster (CI)
    python scripts/faults.py --cluster 15/main     # which pg_ctlcluster cluster
    python scripts/faults.py --pgdata DIR \\
        --database-url postgres://postgres@127.0.0.1:5499/keel_faults   # a private cluster
    python scripts/faults.py --dry-run             # no restart: cut the app's connections
                                                   # (what clients see), safe beside others

Exit status 0 when every request after the restart succeeded from the same processes.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import requests
from dj_database_url import parse

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
ROUNDS = 12  # requests per kind before and after (spread over the gunicorn workers)
# One signed-in person is all the probe needs (seed_demo would take a minute).
SETUP = """
from django.contrib.auth import get_user_model
from org.models import Person, Unit
unit = Unit.objects.create(name="Faults Co.", kind=Unit.Kind.COMPANY)
user = get_user_model().objects.create_user("employee", "employee@example.com", "keel-demo")
Person.objects.create(user=user, display_name="Employee", unit=unit)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_dsn(url: str, dbname: str | None = None) -> dict:
    cfg = parse(url)
    return {
        "host": cfg["HOST"] or "127.0.0.1",
        "port": cfg["PORT"] or 5432,
        "user": cfg["USER"] or "postgres",
        "password": cfg["PASSWORD"] or None,
        "dbname": dbname or cfg["NAME"],
    }


def admin(url: str, *statements: str) -> None:
    with psycopg.connect(**server_dsn(url, "postgres"), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def wait_for_postgres(url: str, seconds: int = 90) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            with psycopg.connect(**server_dsn(url, "postgres"), connect_timeout=2) as conn:
                conn.execute("SELECT 1")
                return time.monotonic() - started
        except psycopg.OperationalError:
            time.sleep(0.5)
    sys.exit(f"PostgreSQL did not come back within {seconds}s")


def server_started(url: str) -> str:
    with psycopg.connect(**server_dsn(url, "postgres")) as conn:
        return str(conn.execute("SELECT pg_postmaster_start_time()").fetchone()[0])


def restart(args) -> None:
    if args.dry_run:
        name = parse(args.database_url)["NAME"]
        with psycopg.connect(**server_dsn(args.database_url, "postgres"), autocommit=True) as conn:
            cut = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchone()[0]
        print(f"  dry run: cut the app's {cut} database connections")
        return
    if args.pgdata:
        pg_ctl = (
            shutil.which("pg_ctl") or sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))[-1]
        )
        command = [str(pg_ctl), "-D", args.pgdata, "-m", "fast", "-w", "restart"]
        owner = Path(args.pgdata).owner()
        if os.geteuid() == 0 and owner != "root":
            command = ["runuser", "-u", owner, "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        return
    cluster = args.cluster or f"{sorted(os.listdir('/etc/postgresql'))[-1]}/main"
    version, name = cluster.split("/")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"], check=True
    )


def worker_pids(master: int) -> set[int]:
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == master:
                pids.add(int(stat.parent.name))
    return pids


class Probe:
    """A signed-in person: the home page, an API list with a token, /healthz."""

    def __init__(self, base: str):
        self.base = base
        self.session = requests.Session()
        page = self.session.get(f"{base}/login/", timeout=30)
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.session.post(
            f"{base}/login/",
            data={"username": "employee", "password": "keel-demo", "csrfmiddlewaretoken": csrf},
            headers={"Referer": f"{base}/login/"},
            timeout=30,
        )
        token = requests.post(
            f"{base}/api/v1/auth/token/",
            json={"username": "employee", "password": "keel-demo"},
            timeout=30,
        )
        token.raise_for_status()
        self.api = {"Authorization": f"Token {token.json()['token']}"}

    def round(self) -> dict[str, list[int]]:
        codes: dict[str, list[int]] = {"home page": [], "API list": [], "healthz": []}
        for _ in range(ROUNDS):
            for kind, call in (
                ("home page", lambda: self.session.get(f"{self.base}/", timeout=30)),
                (
                    "API list",
                    lambda: requests.get(
                        f"{self.base}/api/v1/goals/", headers=self.api, timeout=30
                    ),
                ),
                ("healthz", lambda: requests.get(f"{self.base}/healthz", timeout=30)),
            ):
                try:
                    response = call()
                    ok = response.status_code == 200 and "/login/" not in response.url
                    codes[kind].append(response.status_code if ok else -response.status_code)
                except requests.RequestException:
                    codes[kind].append(0)
        return codes


def summary(label: str, codes: dict[str, list[int]]) -> int:
    errors = 0
    for kind, values in codes.items():
        bad = [v for v in values if v != 200]
        errors += len(bad)
        print(f"  {label:<15} {kind:<10} {len(values):>3} requests, {len(bad)} failed {bad or ''}")
    return errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "FAULTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/keel_faults"
        ),
        help="scratch database (created and dropped)",
    )
    parser.add_argument("--cluster", help="pg_ctlcluster VERSION/NAME (default: VERSION/main)")
    parser.add_argument("--pgdata", help="restart this data directory with pg_ctl instead")
    parser.add_argument(
        "--dry-run", action="store_true", help="terminate the app's connections, no restart"
    )
    args = parser.parse_args()
    name = parse(args.database_url)["NAME"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **{k: v for k, v in os.environ.items() if k != "REDIS_URL"},
        "DATABASE_URL": args.database_url,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }

    def manage(*argv: str) -> None:
        subprocess.run([PYTHON, "manage.py", *argv], cwd=ROOT, env=env, check=True)

    how = "none (dry run)" if args.dry_run else args.pgdata or args.cluster or "machine cluster"
    print(f"scratch database {name}; restart: {how}")
    admin(
        args.database_url,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}"',
    )
    server = None
    try:
        manage("migrate", "--noinput", "-v", "0")
        manage("compile_translations", "-v", "0")
        manage("collectstatic", "--noinput", "-v", "0")
        manage("shell", "-v", "0", "-c", SETUP)
        server = subprocess.Popen(
            [str(Path(PYTHON).with_name("gunicorn")), "config.wsgi:application"]
            + ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
            cwd=ROOT,
            env=env,
        )
        for _ in range(240):
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            time.sleep(0.5)
        else:
            sys.exit("gunicorn did not start")
        probe = Probe(base)
        before_pids = worker_pids(server.pid)
        errors = summary("before restart", probe.round())
        started = server_started(args.database_url)
        restart(args)
        downtime = wait_for_postgres(args.database_url)
        restarted = server_started(args.database_url) != started
        print(
            f"  PostgreSQL answering again after {downtime:.1f}s; "
            f"server {'restarted' if restarted else 'not restarted'} (was up since {started})"
        )
        errors += 0 if restarted or args.dry_run else 1
        errors_after = summary("after the cut" if args.dry_run else "after restart", probe.round())
        same = worker_pids(server.pid) == before_pids and server.poll() is None
        print(f"  gunicorn workers {sorted(before_pids)}: {'the same' if same else 'CHANGED'}")
        ok = errors == 0 and errors_after == 0 and same
        print("faults: PostgreSQL restart survived" if ok else "faults: FAILED")
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        with contextlib.suppress(psycopg.Error):
            admin(args.database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
