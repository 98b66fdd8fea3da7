"""Browser journeys: Playwright (the Python package) driving Debian's chromium against the live
server. No browser is ever downloaded: the executable is /usr/bin/chromium (`make browser`)."""

import os
import shutil
import threading
import warnings
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import DatabaseError, connection, transaction
from django.test import testcases
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from fixtures and
# the live server are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


class _OneRequestAtATime(ThreadedWSGIServer):
    """On SQLite the test database lives in memory and the live server's request threads all
    share the test's one connection: two requests at once (the page's autosave and the submit
    it precedes) would interleave their transactions on it, and one could write back what the
    other had just committed. Each request runs alone; with a real database (PostgreSQL: a
    connection per thread) requests stay concurrent."""

    def set_app(self, application):
        lock = threading.Lock()

        def one_at_a_time(environ, start_response):
            if not self.connections_override:
                return application(environ, start_response)
            with lock:
                return application(environ, start_response)

        super().set_app(one_at_a_time)


testcases.LiveServerThread.server_class = _OneRequestAtATime


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's chromium is missing at {CHROMIUM}: run `make browser`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


# expect() assertions wait as long as the page's own timeouts (5 s by default).
expect.set_options(timeout=30_000)


# The seeded demo's tables, copied once per test process and written back before each journey:
# seeding through the services takes 10-15 s, a copy back well under one. Columns are named
# on both sides (a migration test may have rebuilt a table in another column order), and a
# copy the database refuses is dropped with a warning and the demo seeded afresh.
_DEMO_TABLES: dict[str, object] = {}


def _columns(cursor, table: str) -> list[str]:
    return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def _copy_tables() -> dict[str, tuple[list[str], object]]:
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            columns = _columns(cursor, table)
            names = ", ".join(f'"{c}"' for c in columns)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{table}" ({names}) TO STDOUT') as copy:
                    tables[table] = (columns, b"".join(bytes(block) for block in copy))
            else:
                # Each column through an expression: SQLite has no declared type for it, so
                # the stored value comes back as it is, not converted by Django's converters.
                values = ", ".join(f'coalesce("{c}", NULL)' for c in columns)
                cursor.execute(f'SELECT {values} FROM "{table}"')
                tables[table] = (columns, cursor.fetchall())
    return tables


def _write_back(tables: dict[str, tuple[list[str], object]]) -> None:
    """Replace every table's rows with the copy, in one transaction (foreign keys are checked
    at commit on both databases), then move the id sequences past the copied ids."""
    with transaction.atomic(), connection.cursor() as cursor:
        for table, (columns, data) in tables.items():
            cursor.execute(f'DELETE FROM "{table}"')
            if not data:
                continue
            names = ", ".join(f'"{c}"' for c in columns)
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
                    copy.write(data)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', data)
        for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
            cursor.execute(sql)
    # The ids are the copy's again: nothing remembered from the rows of the last test (a
    # content type made again after its flush, a subscription) may stand for them.
    ContentType.objects.clear_cache()
    caches["default"].clear()


@pytest.fixture
def demo(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if _DEMO_TABLES.get("day") == date.today() and connection.vendor in _DEMO_TABLES:
        try:
            _write_back(_DEMO_TABLES[connection.vendor])
            return
        except DatabaseError as exc:  # rolled back: the database is as the last test left it
            warnings.warn(f"The demo copy was refused ({exc}); seeding afresh.", stacklevel=1)
    _DEMO_TABLES.clear()
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    _DEMO_TABLES.update({"day": date.today(), connection.vendor: _copy_tables()})


@pytest.fixture
def page(chromium_browser, live_server, demo, request):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    # Generous waits: on a busy two-core machine (CI, the whole suite beside it) a page can take
    # seconds; a real regression still fails, only later.
    page.set_default_timeout(45_000)
    page.set_default_navigation_timeout(60_000)
    page.base_url = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> Path:
        path = SCREENSHOTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    page.shot = shot
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        shot("failure")
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def sign_in(page, username: str, password: str = "keel-demo") -> None:
    page.goto(f"{page.base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")
