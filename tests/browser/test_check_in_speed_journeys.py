"""The weekly check-in is the fastest thing in Keel, measured in a real browser on the demo, on
a phone (390×844) and a laptop (1366×768): from home to a submitted check-in,

- numbers unchanged: open the check-in and submit (each value starts at its latest number, an
  off-track key result keeps last week's cause and action): at most 5 interactions;
- new numbers: one field per key result (tapping it selects its old number, typing replaces
  it) and submit.

An interaction is a click or tap, a key that moves or submits, or one field typed into; the raw
events (clicks and keystrokes) are counted too. Screenshots: test-output/screenshots/."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from goals.models import KeyResult
from org.models import Person
from tests.browser.conftest import SCREENSHOTS, sign_in
from tracking.models import CheckIn, local_today, week_start

VIEWPORTS = {"phone": (390, 844), "laptop": (1366, 768)}


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, chromium_browser, live_server, demo):
    width, height = VIEWPORTS[request.param]
    phone = request.param == "phone"
    context = chromium_browser.new_context(
        viewport={"width": width, "height": height},
        locale="en-US",
        has_touch=phone,
        is_mobile=phone,
        device_scale_factor=1,
    )
    page = context.new_page()
    page.set_default_timeout(45_000)
    page.base_url = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shot(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{name}.png"), full_page=True)

    page.shot = shot
    page.kind = request.param
    yield page
    context.close()


class Counter:
    """Counts what a person does: interactions, and the raw clicks and keystrokes."""

    def __init__(self, page):
        self.page = page
        self.interactions = 0
        self.clicks = 0
        self.keys = 0

    def tap(self, locator) -> None:
        if self.page.kind == "phone":
            locator.tap()
        else:
            locator.click()
        self.interactions += 1
        self.clicks += 1

    def enter_field(self, locator, text: str) -> None:
        """Tap a field and type a number: one interaction."""
        if self.page.kind == "phone":
            locator.tap()
        else:
            locator.click()
        self.page.keyboard.type(text)
        self.interactions += 1
        self.clicks += 1
        self.keys += len(text)


def _employee():
    return Person.objects.get(user__username="employee")


def _submitted(person) -> CheckIn | None:
    return CheckIn.objects.filter(
        person=person, state=CheckIn.State.SUBMITTED, week=week_start(_today(person))
    ).first()


def _today(person):
    return local_today(person)


def _report(flow: str, kind: str, n: int, counter: Counter) -> None:
    print(
        f"\ncheck-in, {flow}, {kind}: {n} key results, {counter.interactions} interactions "
        f"({counter.clicks} clicks or taps, {counter.keys} keystrokes)"
    )


def _five_key_results() -> None:
    """The demo employee has two: copy one of them (on track) until there are five."""
    mine = KeyResult.objects.filter(
        goal__owner_person=_employee(), goal__cycle__state="active", source="manual"
    ).order_by("pk")
    model = mine.first()
    for i in range(max(0, 5 - mine.count())):
        copy = KeyResult.objects.get(pk=model.pk)
        copy.pk = None
        copy.name = f"{model.name} ({i + 2})"
        copy.metric = ""
        copy.contributes_to = None
        copy.current_value = copy.target_value  # on track: nothing to explain
        copy.position = model.position + 10 + i
        copy.save()


def _home_to_check_in(page, counter) -> int:
    _five_key_results()
    sign_in(page, "employee")
    CheckIn.objects.filter(person=_employee(), week=week_start(_today(_employee()))).delete()
    page.reload()
    counter.tap(page.locator("#this-week a.btn"))
    page.wait_for_url("**/tracking/")
    rows = page.locator("#check-in-form fieldset.kr-row")
    expect(rows.first).to_be_visible()
    assert rows.count() == 5
    return rows.count()


def test_unchanged_numbers_submit_in_at_most_five_interactions(screen):
    page, counter = screen, Counter(screen)
    n = _home_to_check_in(page, counter)
    expect(page.locator("#unchanged-hint")).to_be_visible()
    page.shot("unchanged-before")
    before = {
        kr.pk: kr.current_value
        for kr in KeyResult.objects.filter(goal__owner_person=_employee(), source="manual")
    }
    counter.tap(page.locator("button:has-text('Submit check-in')"))
    expect(page.locator("button:has-text('Amend check-in')")).to_be_visible()
    page.shot("unchanged-submitted")
    check_in = _submitted(_employee())
    assert check_in is not None
    assert check_in.updates.count() == n
    for update in check_in.updates.all():
        assert update.value == before[update.key_result_id]
    _report("numbers unchanged", page.kind, n, counter)
    assert counter.interactions <= 5


def test_new_numbers_take_one_field_per_key_result_and_submit(screen):
    page, counter = screen, Counter(screen)
    n = _home_to_check_in(page, counter)
    rows = page.locator("#check-in-form fieldset.kr-row")
    typed = {}
    for i in range(n):
        row = rows.nth(i)
        kr = KeyResult.objects.get(pk=int(row.get_attribute("id").removeprefix("kr-")))
        text = format(kr.target_value.normalize(), "f")  # the target: on track, no cause asked
        counter.enter_field(row.locator("input[inputmode=decimal]").first, text)
        typed[kr.pk] = Decimal(text)
    page.shot("new-numbers-filled")
    counter.tap(page.locator("button:has-text('Submit check-in')"))
    expect(page.locator("button:has-text('Amend check-in')")).to_be_visible()
    page.shot("new-numbers-submitted")
    check_in = _submitted(_employee())
    assert check_in is not None
    assert {u.key_result_id: u.value for u in check_in.updates.all()} == typed
    _report("new numbers", page.kind, n, counter)
    # home → check-in (1), one field per key result, submit (1)
    assert counter.interactions == n + 2
