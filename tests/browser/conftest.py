"""Browser journeys: Playwright (the Python package) driving Debian's chromium against the live
server. No browser is ever downloaded: the executable is /usr/bin/chromium (`make browser`)."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
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


@pytest.fixture
def demo(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


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
