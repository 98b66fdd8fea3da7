"""Browser journeys on a phone (390×844, touch): every demo role opens the menu and reaches
every navigation entry, no main page is wider than the screen, the keyboard works the menu, and
the check-in page shows no keyboard hint on a touch screen. Screenshots: test-output/."""

import pytest
from playwright.sync_api import expect

from goals.models import Goal
from tests.browser.conftest import SCREENSHOTS, sign_in

PHONE = {"width": 390, "height": 844}
ROLES = ["employee", "manager", "hrbp", "admin"]


@pytest.fixture
def phone(chromium_browser, live_server, demo, request):
    context = chromium_browser.new_context(
        viewport=PHONE, locale="en-US", has_touch=True, is_mobile=True, device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.base_url = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{name}.png"), full_page=True)

    page.shot = shot
    yield page
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        shot("failure")
    context.close()


def _overflow(page) -> int:
    """How many CSS pixels the page is wider than the screen (0 when it fits)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    return max(0, width - page.viewport_size["width"])


def _open_menu(page):
    toggle = page.locator("button[data-nav-toggle]")
    nav = page.locator("#main-nav")
    expect(toggle).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(nav).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(nav).to_be_visible()
    return nav


@pytest.mark.parametrize("username", ROLES)
def test_each_role_reaches_every_nav_entry_from_the_phone_menu(phone, username):
    page = phone
    sign_in(page, username)
    nav = _open_menu(page)
    entries = [
        (link.inner_text().strip(), link.get_attribute("href")) for link in nav.locator("a").all()
    ]
    assert len(entries) >= 7, entries
    page.shot("menu")
    too_wide = {}
    for label, href in entries:
        page.goto(f"{page.base_url}/")
        nav = _open_menu(page)
        nav.get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(f"{page.base_url}{href}")
        expect(page.locator("#main-nav a[aria-current=page]")).to_have_count(1)
        if _overflow(page):
            too_wide[href] = _overflow(page)
        page.shot(href.strip("/").replace("/", "-") or "home")
    assert too_wide == {}, f"pages wider than {PHONE['width']} px: {too_wide}"


@pytest.mark.parametrize("width", [360, 390])
def test_main_pages_fit_the_phone_screen(phone, width):
    page = phone
    page.set_viewport_size({"width": width, "height": 844})
    goal = Goal.objects.filter(key_results__isnull=False).order_by("pk").first()
    pages = {
        "employee": [
            "/",
            "/goals/",
            f"/goals/{goal.pk}/",
            "/goals/new/",
            "/tracking/",
            "/tracking/requests/",
        ],
        "manager": [
            "/",
            "/dashboard/team/",
            "/tracking/review/",
            "/tracking/requests/",
            "/tracking/requests/new/",
        ],
        "admin": ["/dashboard/company/", "/dashboard/audit/", "/goals/"],
        "hrbp": ["/dashboard/alignment/", "/dashboard/units/", "/"],
    }
    too_wide = {}
    for username, paths in pages.items():
        sign_in(page, username)
        for path in paths:
            response = page.goto(f"{page.base_url}{path}")
            assert response.status == 200, (username, path, response.status)
            if _overflow(page):
                too_wide[f"{username} {path}"] = _overflow(page)
            page.shot(f"{username}-{path.strip('/').replace('/', '-') or 'home'}")
        page.click("text=Sign out")
    assert too_wide == {}, f"pages wider than {width} px: {too_wide}"


def test_phone_menu_works_by_keyboard_and_names_its_state(phone):
    page = phone
    sign_in(page, "employee")
    toggle = page.locator("button[data-nav-toggle]")
    expect(toggle).to_have_accessible_name("Menu")
    expect(toggle).to_have_attribute("aria-controls", "main-nav")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(page.locator("#main-nav a").first).to_be_focused()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.locator("#main-nav")).to_be_hidden()
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(page.locator("#main-nav")).to_be_visible()


def test_touch_screen_hides_the_keyboard_hint_and_desktop_shows_the_nav(phone, page):
    sign_in(phone, "employee")
    phone.goto(f"{phone.base_url}/tracking/")
    expect(phone.locator(".hint-keyboard")).to_have_count(1)
    expect(phone.locator(".hint-keyboard")).to_be_hidden()
    # At desktop width the navigation is always there and the menu button is not.
    sign_in(page, "employee")
    page.goto(f"{page.base_url}/tracking/")
    expect(page.locator(".hint-keyboard")).to_be_visible()
    expect(page.locator("#main-nav")).to_be_visible()
    expect(page.locator("button[data-nav-toggle]")).to_be_hidden()


def test_without_script_the_phone_shows_the_navigation(chromium_browser, live_server, demo):
    """The menu button needs keel.js; without it the navigation simply stays visible."""
    context = chromium_browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.base_url = live_server.url
    sign_in(page, "employee")
    expect(page.locator("#main-nav")).to_be_visible()
    expect(page.locator("button[data-nav-toggle]")).to_be_hidden()
    page.locator("#main-nav").get_by_role("link", name="Goals", exact=True).click()
    page.wait_for_url(f"{page.base_url}/goals/")
    context.close()
