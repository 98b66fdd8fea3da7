"""Browser journeys across units, on the demo: Marketing's head accepts Sales' request for 300
qualified leads on his phone and both goals show the link with its health; a rep mentions her
manager in her check-in's discussion (loaded into the page by htmx) and he is told."""

import pytest
from playwright.sync_api import expect

from coordination.models import Comment
from goals.models import SupportRequest
from notifications.models import Notification
from tests.browser.conftest import SCREENSHOTS, sign_in
from tracking.models import CheckIn

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(chromium_browser, live_server, demo, request):
    context = chromium_browser.new_context(
        viewport=PHONE, locale="en-US", has_touch=True, is_mobile=True, device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(45_000)
    page.set_default_navigation_timeout(60_000)
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
    width = page.evaluate("document.documentElement.scrollWidth")
    return max(0, width - page.viewport_size["width"])


def test_marketing_head_accepts_on_his_phone(phone):
    page = phone
    support = SupportRequest.objects.select_related("goal", "supporting_goal").get()
    assert support.state == "requested"
    sign_in(page, "zhou.min")
    page.goto(f"{page.base_url}/goals/support/")
    waiting = page.locator("#support-waiting")
    expect(waiting).to_contain_text("300 qualified leads")
    assert _overflow(page) == 0
    page.shot("inbox")
    waiting.locator(f'a[href="/goals/support/{support.pk}/"]').click()
    expect(page.locator("#support-request")).to_contain_text(support.goal.title)
    assert _overflow(page) == 0
    page.locator("#support-accept").click()
    expect(page.locator("#support-state")).to_have_class("badge ok")
    page.shot("accepted")
    support.refresh_from_db()
    assert support.state == "accepted"
    # Both goals show the link and its health.
    page.goto(f"{page.base_url}/goals/{support.supporting_goal_id}/")
    links = page.locator("#support-links")
    expect(links).to_contain_text(support.goal.title)
    expect(links.locator(".badge")).to_have_count(1)
    assert _overflow(page) == 0
    page.goto(f"{page.base_url}/goals/{support.goal_id}/")
    expect(page.locator("#support-links")).to_contain_text(support.supporting_goal.title)
    page.shot("sales-goal")
    assert Notification.objects.filter(
        recipient__user__username="manager", kind="support_answered"
    ).exists()


def test_rep_mentions_her_manager_in_the_check_in_discussion(page):
    check_in = (
        CheckIn.objects.filter(person__user__username="employee", state="submitted")
        .order_by("-week")
        .first()
    )
    sign_in(page, "employee")
    page.goto(f"{page.base_url}/tracking/check-ins/{check_in.pk}/")
    thread = page.locator(f"#thread-check_in-{check_in.pk}")
    expect(thread).to_contain_text("pricing on Monday")  # the demo's comment, loaded by htmx
    before = Notification.objects.filter(
        recipient__user__username="manager", kind="mention"
    ).count()
    thread.locator("textarea[name=text]").last.fill("Numbers are in, @manager please review.")
    thread.locator("form.comment-form button[type=submit]").click()
    expect(page.locator(f"#thread-check_in-{check_in.pk}")).to_contain_text("Numbers are in")
    page.shot("commented")
    assert Comment.objects.filter(text__startswith="Numbers are in").exists()
    assert (
        Notification.objects.filter(recipient__user__username="manager", kind="mention").count()
        == before + 1
    )


def test_meeting_actions_appear_in_the_owner_next_check_in(page):
    sign_in(page, "employee")
    page.goto(f"{page.base_url}/tracking/")
    actions = page.locator("section[id^=open-actions-]")
    expect(actions).to_contain_text("Follow up the webinar leads")
    expect(actions).to_contain_text("Q4 alignment")
    page.shot("check-in-actions")
    actions.locator("button[type=submit]").first.click()
    expect(page.locator("section[id^=open-actions-]")).not_to_contain_text("webinar leads")
