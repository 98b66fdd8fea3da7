"""The review journey on the demo (issue 22's "done when"): the demo manager evaluates Wang
Fang's Q4 review from the facts Keel gathered, the HRBP calibrates Sales and locks the ratings,
the manager releases, Wang Fang reads and acknowledges it on her phone, a development plan is
agreed and appears in her weekly check-in. Screenshots: test-output/."""

import pytest
from playwright.sync_api import expect

from reviews import selectors, services
from reviews.models import Review, ReviewCycle
from tests.browser.conftest import SCREENSHOTS, sign_in

PHONE = {"width": 390, "height": 844}


def _as(chromium_browser, live_server, username, **options):
    context = chromium_browser.new_context(
        viewport=options.pop("viewport", {"width": 1280, "height": 900}), locale="en-US", **options
    )
    page = context.new_page()
    page.set_default_timeout(45_000)
    page.set_default_navigation_timeout(60_000)
    page.base_url = live_server.url
    sign_in(page, username)
    return context, page


def _evaluate_the_others(cycle):
    """Everyone in Sales but Wang Fang is evaluated (through the services), so the HRBP can
    lock the calibration once her review is done."""
    for review in cycle.reviews.exclude(person__user__username="employee").select_related(
        "person", "manager", "cycle__goal_cycle"
    ):
        if review.state == Review.State.SELF:
            services.submit_self_assessment(
                actor=review.person,
                review=review,
                results_rating=3,
                competencies_rating=3,
                attitude_rating=3,
                comment="Done",
            )
        review.refresh_from_db()
        suggested = selectors.review_facts(review).suggested_rating or 3
        services.submit_evaluation(
            actor=review.manager,
            review=review,
            results_rating=suggested,
            competencies_rating=3,
            attitude_rating=3,
            overall_rating=3,
        )


@pytest.mark.browser
def test_manager_evaluates_hrbp_calibrates_wang_fang_acknowledges_on_her_phone(
    chromium_browser, live_server, demo
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    cycle = ReviewCycle.objects.get(state=ReviewCycle.State.OPEN)
    review = cycle.reviews.get(person__user__username="employee")
    _evaluate_the_others(cycle)
    url = f"{live_server.url}/reviews/{review.pk}/"

    context, page = _as(chromium_browser, live_server, "manager")
    page.goto(f"{live_server.url}/reviews/")
    page.locator(f"a[href='/reviews/{review.pk}/']").click()
    expect(page.locator("#facts")).to_contain_text("Weighted score")
    expect(page.locator("#feedback-360")).to_contain_text("3 answers")
    page.select_option("#id_competencies_rating", "4")
    page.select_option("#id_attitude_rating", "5")
    page.select_option("#id_overall_rating", "5")
    page.fill("#id_competencies_evidence", "Shared every lead with the team")
    page.fill("#id_summary", "Zq-summary: ready for key accounts")
    page.get_by_role("button", name="Submit the evaluation").click()
    expect(page.locator("#final-rating")).to_have_text("5")
    page.screenshot(path=str(SCREENSHOTS / "review-manager-evaluated.png"), full_page=True)
    context.close()

    context, page = _as(chromium_browser, live_server, "hrbp")
    page.goto(f"{live_server.url}/reviews/cycles/{cycle.pk}/")
    expect(page.locator("#distribution")).to_contain_text("Sales")
    row = page.locator(f"#calibrate-{review.pk}")
    row.locator("select").select_option("4")
    row.locator("input[name=comment]").fill("Sales curve: one 5 already")
    row.get_by_role("button", name="Calibrate").click()
    page.get_by_role("button", name="Lock the calibrated ratings").click()
    expect(page.locator("h1")).to_contain_text("Calibrated")
    context.close()
    history = Review.history.filter(id=review.pk, calibrated_rating=4)
    assert history.filter(history_user__username="hrbp").exists()

    context, page = _as(chromium_browser, live_server, "manager")
    page.goto(url)
    page.get_by_role("button", name="Release to the person").click()
    expect(page.locator("#review-state")).to_have_text("Released")
    context.close()

    _wang_fang_on_her_phone(chromium_browser, live_server, url)


def _wang_fang_on_her_phone(chromium_browser, live_server, url):
    context, page = _as(
        chromium_browser, live_server, "employee", viewport=PHONE, has_touch=True, is_mobile=True
    )
    page.goto(url)
    expect(page.locator("#final-rating")).to_have_text("4")
    expect(page.locator("#evaluation")).to_contain_text("Zq-summary: ready for key accounts")
    page.fill("#id_comment", "Thank you, agreed.")
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#review-state")).to_have_text("Acknowledged")
    page.fill("#id_title", "Zq-plan: key accounts")
    page.select_option("#id_kind", "coaching")
    page.fill("#id_description", "Shadow Liu Yang in two renewals")
    page.get_by_role("button", name="Agree the plan").click()
    expect(page.locator("#development-plan")).to_contain_text("Zq-plan: key accounts")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], width
    page.goto(f"{live_server.url}/tracking/")
    expect(page.locator("body")).to_contain_text("Zq-plan: key accounts")
    page.screenshot(path=str(SCREENSHOTS / "review-plan-in-check-in.png"), full_page=True)
    context.close()


@pytest.mark.browser
def test_hrbp_configures_a_review_cycle_on_the_page(chromium_browser, live_server, demo):
    """The HRBP creates next half's review of Sales from the reviews page: a deadline out of
    order is shown in the form, in place (htmx); once fixed she lands on the new cycle."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context, page = _as(chromium_browser, live_server, "hrbp")
    page.goto(f"{live_server.url}/reviews/")
    page.locator("#new-review-cycle").click()
    expect(page.locator("h1")).to_contain_text("New review cycle")
    page.fill("#id_name", "Zq Sales managers review")
    page.locator("#id_goal_cycle").select_option(index=1)
    page.locator("#id_unit").select_option(label="Sales")
    page.get_by_label("Manager", exact=True).check()
    page.fill("#id_self_due_on", "2027-01-10")
    page.fill("#id_manager_due_on", "2027-01-05")
    page.get_by_role("button", name="Save the review cycle").click()
    expect(page.locator("#cycle-form")).to_contain_text("Deadlines follow the steps")
    expect(page.locator("h1")).to_contain_text("New review cycle")  # still the same page
    page.screenshot(path=str(SCREENSHOTS / "review-cycle-form-error.png"), full_page=True)
    page.fill("#id_manager_due_on", "2027-01-20")
    page.get_by_role("button", name="Save the review cycle").click()
    expect(page.locator("h1")).to_contain_text("Zq Sales managers review")
    cycle = ReviewCycle.objects.get(name="Zq Sales managers review")
    assert cycle.levels == ["manager"] and cycle.unit.name == "Sales"
    assert page.url.endswith(f"/reviews/cycles/{cycle.pk}/")
    context.close()
