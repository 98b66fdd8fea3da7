"""Browser journey (issue 17): a quarter goes planning → active → scoring → closed → reopened
through the cycles page, with the demo manager scoring his team in one form on the scoring
page. Playwright on Debian's chromium against the live server and the seeded demo."""

from django.utils import timezone
from playwright.sync_api import expect

from goals.models import Cycle, Goal
from tests.browser.conftest import sign_in


def _demo_quarter() -> Cycle:
    today = timezone.localdate()
    return Cycle.objects.get(kind=Cycle.Kind.QUARTER, starts_on__lte=today, ends_on__gte=today)


def _move(page, row, to: str, state: str) -> None:
    row.locator(f"form[data-move='{to}'] button").click()
    expect(row.locator(f"[data-state='{state}']")).to_have_count(1)


def test_a_quarter_from_planning_to_closed_and_reopened(page):
    quarter = _demo_quarter()
    # The demo's quarter is running; the journey starts it over from planning.
    Cycle.objects.filter(pk=quarter.pk).update(state=Cycle.State.PLANNING)

    sign_in(page, "admin")
    page.click("nav.nav >> text=Cycles")
    row = page.locator(f"#cycle-{quarter.pk}")
    expect(row.locator("[data-state='planning']")).to_have_count(1)
    _move(page, row, "active", "active")
    _move(page, row, "scoring", "scoring")
    page.shot("scoring-started")
    page.click("text=Sign out")

    sign_in(page, "manager")
    page.goto(f"{page.base_url}/goals/cycles/{quarter.pk}/scoring/")
    team = page.locator("#team-scores input[name^='manager-']")
    count = team.count()
    assert count > 0
    first = team.nth(0)
    first_goal = int(first.get_attribute("name").split("-")[1])
    first.fill("0.35")
    page.shot("team-scoring")
    page.click("text=Save team scores")
    page.wait_for_selector("text=goals scored.")
    scored = Goal.objects.filter(cycle=quarter, manager_score__isnull=False)
    assert scored.count() >= count
    assert Goal.objects.get(pk=first_goal).manager_score == 0.35
    page.click("text=Sign out")

    sign_in(page, "admin")
    page.goto(f"{page.base_url}/goals/cycles/")
    row = page.locator(f"#cycle-{quarter.pk}")
    close_anyway = row.locator("input[name=close_anyway]")
    if close_anyway.count():  # goals outside the manager's team are still unscored
        close_anyway.check()
    _move(page, row, "closed", "closed")
    quarter.refresh_from_db()
    assert quarter.state == Cycle.State.CLOSED
    assert Goal.objects.get(pk=first_goal).state == Goal.State.CLOSED

    row.locator(f"#reason-{quarter.pk}").fill("Finance corrected the December numbers")
    _move(page, row, "active", "active")
    expect(row).to_contain_text("Finance corrected the December numbers")
    page.shot("reopened")
    quarter.refresh_from_db()
    assert quarter.state == Cycle.State.ACTIVE
    assert quarter.state_reason == "Finance corrected the December numbers"
    assert Goal.objects.get(pk=first_goal).state == Goal.State.AGREED
