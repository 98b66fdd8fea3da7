"""Browser journey: an employee writes a goal with the live SMART check and proposes it; her
manager agrees it; the cascade wizard previews a split. Playwright on Debian's chromium."""

from playwright.sync_api import expect

from goals.models import Goal
from tests.browser.conftest import sign_in


def test_write_propose_agree_and_cascade_preview(page):
    sign_in(page, "employee")
    page.goto(f"{page.base_url}/goals/new/")
    page.fill("#id_title", "Improve")
    page.wait_for_selector("#smart-check .badge.fail")
    page.fill("#id_title", "Win 12 new key-account customers")
    page.fill("#id_kr-0-name", "New key-account customers")
    page.fill("#id_kr-0-unit", "customers")
    page.fill("#id_kr-0-target_value", "12")
    # The picker names each goal with its owner, unit and cycle.
    parent = page.locator("#id_parent option", has_text="200 new customers").first
    page.select_option("#id_parent", value=parent.get_attribute("value"))
    # A locator wait, not wait_for_function: the CSP forbids the eval that one runs in the page.
    expect(page.locator("#smart-check .badge.fail")).to_have_count(0, timeout=10_000)
    page.shot("smart")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_selector("text=Goal saved as a draft.")
    page.click("text=Propose for agreement")
    page.wait_for_selector("text=Goal proposed for agreement.")
    goal = Goal.objects.get(title="Win 12 new key-account customers")
    assert goal.state == Goal.State.PROPOSED
    page.click("text=Sign out")

    sign_in(page, "manager")
    page.goto(f"{page.base_url}/goals/{goal.pk}/")
    page.click("button:has-text('Agree')")
    page.wait_for_selector("text=Goal agreed.")
    goal.refresh_from_db()
    assert goal.state == Goal.State.AGREED

    sales = Goal.objects.get(title="200 new customers")
    page.goto(f"{page.base_url}/goals/{sales.pk}/cascade/")
    page.select_option("#id_key_result", index=1)
    page.locator("input[name=person]").nth(0).check()
    page.locator("input[name=person]").nth(1).check()
    page.wait_for_selector("#cascade-preview .badge.ok")
    page.shot("cascade")
