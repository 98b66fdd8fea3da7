"""In a real browser on the demo: a rep's check-in moves her team's, Sales' and the company's
goals, and the company goal's page shows the new figure."""

from decimal import Decimal

from playwright.sync_api import expect

from goals.models import KeyResult
from org.models import Person
from tests.browser.conftest import sign_in


def test_a_reps_check_in_moves_the_company_goal_on_its_page(page):
    wang = Person.objects.get(user__username="employee")
    own = KeyResult.objects.get(
        goal__owner_person=wang, goal__cycle__state="active", metric="new-customers"
    )
    chain, above = [], own.contributes_to
    while above is not None:
        chain.append(above.goal)
        above = above.contributes_to
    assert [g.level for g in chain] == ["unit", "unit", "company"]
    before = [g.progress for g in chain]

    sign_in(page, "employee")
    page.goto(f"{page.base_url}/tracking/")
    field = page.locator(f"#kr-{own.pk} input[inputmode=decimal]").first
    field.fill(str(own.current_value + Decimal(13)))
    page.shot("check-in-filled")
    page.click("button:has-text('Submit check-in')")
    expect(page.locator("button:has-text('Amend check-in')")).to_be_visible()

    for goal in chain:
        goal.refresh_from_db()
    after = [g.progress for g in chain]
    assert all(a > b for a, b in zip(after, before, strict=True)), (before, after)
    company = chain[-1]
    page.goto(f"{page.base_url}/goals/{company.pk}/")
    expect(page.locator("#goal-progress strong")).to_have_text(f"{round(company.progress * 100)} %")
    page.shot("company-goal-after")
