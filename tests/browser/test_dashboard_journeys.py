"""Dashboard journeys in a real browser on the demo company, with a screenshot of each page."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_hrbp_finds_the_seeded_cascade_gap_and_records_the_review(page):
    sign_in(page, "hrbp")
    page.click("nav.nav >> text=Alignment")
    page.select_option("#f-unit", label="Sales")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("load")
    gaps = page.locator("#check-cascade_gaps")
    assert "a gap of 50" in gaps.inner_text()
    assert gaps.locator("a").first.get_attribute("href").startswith("/goals/")
    page.shot("alignment")
    page.check("input[name=outcome][value=changes_requested]")
    page.fill("textarea[name=comments]", "Cover the 50 qualified customers of the vacancy")
    page.click("text=Record review")
    page.wait_for_load_state("load")
    history = page.locator("#history")
    assert "Cover the 50 qualified customers" in history.inner_text()
    assert "Changes requested" in history.inner_text()
    page.shot("alignment-recorded")
    page.emulate_media(media="print")
    assert not page.locator("form.review-form").first.is_visible()
    page.shot("alignment-print")


def test_manager_agrees_a_proposed_goal_from_the_team_dashboard(page):
    sign_in(page, "manager")
    page.click("#role-links >> text=Team dashboard")
    page.wait_for_url(re.compile(r".*/dashboard/team/"))
    expect(page.locator("#team-table tbody tr").first).to_be_visible()
    expect(page.locator("#approvals")).to_be_visible()  # a section loaded after the page
    page.shot("team-dashboard")
    proposals = page.locator("#approvals h3:has-text('Goal proposals') + ul a")
    before = proposals.count()
    assert before > 0
    title = proposals.first.inner_text()
    proposals.first.click()
    page.click("button:has-text('Agree')")
    expect(page.locator(".badge.agreed").first).to_be_visible()
    page.goto(f"{page.base_url}/dashboard/team/")
    expect(page.locator("#approvals")).to_be_visible()
    remaining = page.locator("#approvals h3:has-text('Goal proposals') + ul a")
    assert remaining.count() == before - 1 or title not in page.locator("#approvals").inner_text()
    # feedback on a check-in with an off-track key result, from the risks list
    page.locator("#risks a.check-in-link").first.click()
    page.wait_for_load_state("load")
    page.fill("textarea[name=text]", "Let's pair on the two stalled deals tomorrow.")
    page.click("button:has-text('Send')")
    sent = page.get_by_text("Let's pair on the two stalled deals tomorrow.").first
    sent.wait_for(state="visible")
    page.shot("feedback")


def test_employee_submits_this_weeks_check_in_and_sees_progress_change(page):
    sign_in(page, "employee")
    goal_row = page.locator("#my-goals tbody tr").first
    before = goal_row.locator("td").first.inner_text()
    page.click("#this-week a.btn")
    page.wait_for_url(re.compile(r".*/tracking/"))
    rows = page.locator("#check-in-form fieldset.kr-row")
    assert rows.count() >= 2
    for i in range(2):
        row = rows.nth(i)
        target = row.locator(".row.small.muted span").first.inner_text().split("/")[1].split()[0]
        row.locator("input[inputmode=decimal]").first.fill(target.replace(",", ""))
    page.shot("check-in-filled")
    page.click("button:has-text('Submit check-in')")
    expect(page.locator("button:has-text('Amend check-in')")).to_be_visible()
    page.goto(f"{page.base_url}/")
    assert "Submitted" in page.locator("#this-week").inner_text()
    after = page.locator("#my-goals tbody tr").first.locator("td").first.inner_text()
    assert after != before and after.strip().startswith("100")
    page.shot("home-after-check-in")


def test_employee_home_and_the_team_table_on_a_phone(page):
    sign_in(page, "employee")
    assert page.locator("#my-goals tbody tr").count() > 0
    assert page.locator("#this-week").is_visible()
    page.shot("employee-home")
    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    page.shot("employee-home-phone")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 380


def test_admin_company_overview_board_and_timeline(page):
    sign_in(page, "admin")
    page.click("nav.nav >> text=Company")
    page.wait_for_url(re.compile(r".*/dashboard/company/"))
    expect(page.locator("#company-goals")).to_be_visible()
    expect(page.locator("#status-history tbody tr").first).to_be_visible()
    page.shot("company")
    page.goto(f"{page.base_url}/dashboard/board/")
    expect(page.locator(".goal-card").first).to_be_visible()
    page.shot("board")
    page.goto(f"{page.base_url}/dashboard/timeline/")
    assert page.locator(".tl-today").count() > 0
    page.shot("timeline")
    page.emulate_media(media="print")
    assert not page.locator("form.filters").is_visible()
    page.shot("timeline-print")


def test_alignment_review_in_chinese(page):
    sign_in(page, "hrbp")
    page.select_option("#lang-switch", "zh-hans")
    page.locator("nav.nav", has_text="首页").wait_for()
    page.goto(f"{page.base_url}/dashboard/alignment/")
    page.select_option("#f-unit", label="Sales")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("load")
    assert "级联缺口" in page.locator("#summary").inner_text()
    assert "缺口 50" in page.locator("#check-cascade_gaps").inner_text()
    page.shot("alignment-zh")
