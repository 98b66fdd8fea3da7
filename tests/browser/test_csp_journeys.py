"""The Content Security Policy in a real browser: the pages each role uses, the admin and the
API docs run without a single blocked script or style, and the behaviours that used inline
handlers (now static/js/keel.js) still work. (Here rather than in tests/security because the
journeys' chromium is one per test process.)"""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in

PAGES = {
    "employee": ["/", "/tracking/", "/tracking/history/", "/goals/", "/goals/new/", "/retros/"],
    "manager": ["/tracking/team/", "/tracking/review/", "/dashboard/team/", "/tracking/budgets/"],
    "hrbp": ["/dashboard/alignment/", "/incentives/rules/new/", "/incentives/fairness/"],
    "admin": ["/dashboard/company/", "/admin/", "/admin/goals/goal/", "/admin/axes/accessattempt/"],
}
# ReDoc's side menu links a logo on its vendor's CDN; blocking an external image is the policy
# working, not a broken page.
EXTERNAL_IMAGE = re.compile(r"Loading the image 'https://cdn\.redoc\.ly/")


def watch_csp(page) -> list[str]:
    violations: list[str] = []

    def on_console(message):
        if "Content Security Policy" in message.text and not EXTERNAL_IMAGE.search(message.text):
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
    return violations


def sign_out(page):
    """Leave the page before dropping the cookies: a navigation still in flight (the redirect
    after the Ctrl+Enter submit) would otherwise reach the server without cookies, and its
    answer could set a new CSRF cookie after the next sign-in page rendered its token."""
    page.wait_for_load_state("networkidle")
    page.goto("about:blank")
    page.context.clear_cookies()


def test_pages_admin_and_api_docs_run_under_the_policy(page):
    violations = watch_csp(page)
    page.goto(f"{page.base_url}/login/")
    for username, paths in PAGES.items():
        sign_in(page, username)
        for path in paths:
            response = page.goto(f"{page.base_url}{path}")
            assert response.status == 200, path
            assert "script-src 'self'" in response.headers["content-security-policy"]
        sign_out(page)
    sign_in(page, "admin")
    page.goto(f"{page.base_url}/api/v1/docs/")
    expect(page.locator(".opblock").first).to_be_visible(
        timeout=60_000
    )  # Swagger UI rendered the schema
    page.goto(f"{page.base_url}/api/v1/redoc/")
    expect(page.locator("[data-section-id]").first).to_be_attached(timeout=60_000)  # so did ReDoc
    page.goto(f"{page.base_url}/admin/login/")
    assert not violations, "\n".join(violations)


def test_behaviours_that_were_inline_handlers_still_work(page):
    violations = watch_csp(page)
    # Ctrl+Enter submits the check-in form (nothing typed, so no autosave runs alongside).
    sign_in(page, "employee")
    page.goto(f"{page.base_url}/tracking/")
    with page.expect_request(
        lambda r: r.method == "POST" and r.url == f"{page.base_url}/tracking/"
    ) as posted:
        page.locator("#check-in-form textarea").first.press("Control+Enter")
    assert posted.value.response().status < 500
    sign_out(page)

    # The cycle picker shows the chosen cycle's budgets on change.
    sign_in(page, "manager")
    page.goto(f"{page.base_url}/tracking/budgets/")
    other = page.locator("#cycle-pick option:not([selected])").first.get_attribute("value")
    page.select_option("#cycle-pick", other)
    page.wait_for_url(re.compile(rf".*[?&]cycle={other}\b"))
    sign_out(page)

    # A tier row goes away with its Remove button, also one htmx added afterwards.
    sign_in(page, "hrbp")
    page.goto(f"{page.base_url}/incentives/rules/new/")
    tiers = page.locator("#tiers .tier-row")
    before = tiers.count()
    page.click("button:has-text('Add tier')")
    expect(tiers).to_have_count(before + 1)
    tiers.last.locator("button:has-text('Remove')").click()
    tiers.first.locator("button:has-text('Remove')").click()
    expect(tiers).to_have_count(before - 1)

    # The print button opens the print dialog.
    page.goto(f"{page.base_url}/dashboard/alignment/")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("button[data-print]")
    assert page.evaluate("window.printed") is True
    assert not violations, "\n".join(violations)
