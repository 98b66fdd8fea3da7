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
