"""Accessibility: axe-core (tests/browser/vendor/axe.min.js) on the main pages of every demo
role, on a laptop (1366×768) and a phone (390×844). No critical or serious violation.

axe is injected with `add_script_tag(content=...)` into a context with `bypass_csp=True`: the
app's strict Content Security Policy would refuse an inline script, and only these tests need
one."""

from pathlib import Path

import pytest

from tests.browser.conftest import SCREENSHOTS, sign_in
from tests.main_pages import ROLES, main_pages

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
VIEWPORTS = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
BLOCKING = {"critical", "serious"}


def _axe(page) -> list[dict]:
    page.add_script_tag(content=AXE)
    return page.evaluate(
        """async () => {
            const result = await axe.run(document, {resultTypes: ['violations']});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary),
            }));
        }"""
    )


@pytest.mark.parametrize("username", ROLES)
def test_main_pages_have_no_serious_accessibility_violations(
    chromium_browser, live_server, demo, username
):
    pages = main_pages(username)
    assert len(pages) >= 12
    problems: dict[str, list] = {}
    for name, viewport in VIEWPORTS.items():
        phone = name == "phone"
        context = chromium_browser.new_context(
            viewport=viewport, locale="en-US", bypass_csp=True, has_touch=phone, is_mobile=phone
        )
        page = context.new_page()
        page.set_default_timeout(45_000)
        page.base_url = live_server.url
        try:
            sign_in(page, username)
            for path in pages:
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, (path, response.status)
                page.wait_for_load_state("networkidle")
                found = [v for v in _axe(page) if v["impact"] in BLOCKING]
                if found:
                    problems[f"{name} {path}"] = found
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    slug = path.strip("/").replace("/", "-") or "home"
                    page.screenshot(path=str(SCREENSHOTS / f"a11y-{username}-{name}-{slug}.png"))
        finally:
            context.close()
    assert problems == {}, "\n".join(
        f"{where}: {v['impact']} {v['id']} ({v['help']}): {v['nodes']}"
        for where, found in problems.items()
        for v in found
    )
