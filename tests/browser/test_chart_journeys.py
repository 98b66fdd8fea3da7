"""The charts on the demo in a real browser, on a phone (390×844) and a laptop (1366×768):
drawn (SVG with points, bars or cells), no wider than the screen, with their tables.
Screenshots: test-output/screenshots/."""

import pytest
from playwright.sync_api import expect

from goals.models import Goal
from org.models import Person
from tests.browser.conftest import SCREENSHOTS, sign_in

VIEWPORTS = {"phone": (390, 844), "laptop": (1366, 768)}


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, chromium_browser, live_server, demo):
    width, height = VIEWPORTS[request.param]
    context = chromium_browser.new_context(
        viewport={"width": width, "height": height}, locale="en-US", device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(45_000)
    page.base_url = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{name}.png"), full_page=True)

    def shot_of(selector: str, name: str) -> None:
        page.locator(selector).first.screenshot(
            path=str(SCREENSHOTS / f"{request.node.name}-{name}.png")
        )

    page.shot = shot
    page.shot_of = shot_of
    yield page
    context.close()


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def _chart_fits(page, selector: str) -> None:
    svg = page.locator(f"{selector} svg").first
    expect(svg).to_be_visible()
    box = svg.bounding_box()
    assert box["width"] <= page.viewport_size["width"]
    assert box["x"] >= 0


def test_burn_up_and_team_charts(screen):
    page = screen
    sign_in(page, "manager")
    manager = Person.objects.get(user__username="manager")
    page.goto(f"{page.base_url}/dashboard/team/")
    _chart_fits(page, "#trend")
    assert page.locator("#trend svg circle.dot.rate").count() >= 1
    _fits(page)
    page.shot("manager")
    page.shot_of("#trend", "trend-chart")
    page.goto(f"{page.base_url}/tracking/review/")
    _chart_fits(page, "#team-trend")
    _fits(page)
    page.shot("weekly-review")
    goal = Goal.objects.filter(owner_person=manager).exclude(key_results=None).first() or (
        Goal.objects.exclude(key_results=None).first()
    )
    page.goto(f"{page.base_url}/goals/{goal.pk}/")
    _chart_fits(page, "#burnup")
    assert page.locator("#burnup svg polyline.series.expected").count() == goal.key_results.count()
    # (the goal page's key-result table scrolls on its own; the burn-up section fits)
    section = page.locator("#burnup").bounding_box()
    assert section["x"] + section["width"] <= page.viewport_size["width"]
    page.shot("goal-burn-up")
    page.shot_of("#burnup", "burn-up-chart")


def test_company_charts(screen):
    page = screen
    sign_in(page, "admin")
    page.goto(f"{page.base_url}/dashboard/company/")
    for section in ("#progress-by-unit", "#completion", "#unit-heatmap"):
        _chart_fits(page, section)
    assert page.locator("#progress-by-unit svg rect.fill").count() >= 2
    assert page.locator("#unit-heatmap svg g.cell").count() >= 2
    _fits(page)
    page.shot("company")


def test_this_weeks_burn_ups_load_when_opened(screen):
    """This week draws no chart with the page: opening a key result's burn-up loads it (one
    htmx request, nothing of the check-in form sent), and typing still saves the draft."""
    page = screen
    sign_in(page, "employee")
    page.goto(f"{page.base_url}/tracking/")
    first = page.locator("details.burnup").first
    expect(first).to_be_visible()
    assert page.locator("details.burnup svg").count() == 0
    with page.expect_request(lambda r: "/burn-up/" in r.url) as sent:
        first.locator(":scope > summary").click()
    request = sent.value
    assert request.method == "GET" and request.headers.get("hx-request") == "true"
    assert "?" not in request.url  # this week's: no parameter, none of the form's fields
    _chart_fits(page, "details.burnup[open]")
    expect(first.locator("svg polyline.series.expected")).to_have_count(1)
    # Closed and opened again: drawn once, not fetched again.
    first.locator(":scope > summary").click()
    first.locator(":scope > summary").click()
    expect(first.locator("svg polyline.series.expected")).to_have_count(1)
    _fits(page)
    page.shot("this-week-burn-up")
    field = page.locator("#check-in-form input[inputmode=decimal]").first
    field.fill("7")
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved", timeout=30_000)


def test_without_script_a_burn_up_opens_on_its_own_page(chromium_browser, live_server, demo):
    context = chromium_browser.new_context(
        viewport={"width": 390, "height": 844}, locale="en-US", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(45_000)
    page.base_url = live_server.url
    sign_in(page, "employee")
    page.goto(f"{page.base_url}/tracking/")
    first = page.locator("details.burnup").first
    first.locator(":scope > summary").click()
    first.get_by_role("link", name="Show the burn-up").click()
    page.wait_for_url("**/burn-up/")
    _chart_fits(page, "section.burnup")
    expect(page.locator("section.burnup svg polyline.series.expected")).to_have_count(1)
    page.get_by_role("link", name="Back to the check-in").click()
    page.wait_for_url("**/tracking/#kr-*")
    context.close()
