import datetime as dt
from pathlib import Path

import pytest

from goals.models import Measurement
from tests.tracking.factories import person_goal, submitted
from tracking.models import CheckIn, Feedback, ImprovementPlan, KeyResultUpdate, WeeklyReview

pytestmark = pytest.mark.django_db


def _post_data(krs, values, **extra):
    data = {
        "done": "Calls",
        "plan": "More calls",
        "check": "",
        "act": "",
        "blockers": "",
        "confidence": "7",
    }
    for kr, value in zip(krs, values, strict=True):
        data |= {
            f"kr-{kr.pk}-value": str(value),
            f"kr-{kr.pk}-confidence": "on_track",
            f"kr-{kr.pk}-note": "",
            f"kr-{kr.pk}-cause": "",
            f"kr-{kr.pk}-action": "",
        }
    return data | extra


def test_this_week_page_shows_every_active_key_result(login, company, cascade):
    r = login(company["alice"]).get("/tracking/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "New customers" in html and "Calls" in html and "Leads" not in html
    assert f'name="kr-{cascade["customers"].pk}-value"' in html
    assert 'hx-post="/tracking/autosave/"' in html


def test_submitting_five_key_results_in_one_request(login, company, cycle):
    alice = company["alice"]
    goal = person_goal(alice, cycle, names=("A", "B", "C", "D", "E"))
    krs = list(goal.key_results.all())
    client = login(alice)
    r = client.post("/tracking/", _post_data(krs, [15, 16, 17, 18, 20]))
    assert r.status_code == 302, r.content.decode()[:2000]
    check_in = CheckIn.objects.get(person=alice)
    assert check_in.state == "submitted" and check_in.confidence == 7
    assert check_in.updates.count() == 5 and Measurement.objects.count() == 5
    assert "A: 15 of 15 expected (100 %)" in check_in.deviation
    r = client.get("/tracking/")
    assert "Amend check-in" in r.content.decode()


def test_confidence_left_as_the_numbers_say_follows_the_new_value(login, company, cascade):
    """A key result that is off track before the check-in and brought back on pace submits
    without a cause: the untouched confidence follows the new value, not last week's status."""
    krs = [cascade["customers"], cascade["calls"]]
    client = login(company["alice"])
    html = client.get("/tracking/").content.decode()
    assert "As the numbers say" in html
    data = _post_data(krs, [15, 100])
    for kr in krs:
        data[f"kr-{kr.pk}-confidence"] = ""
    r = client.post("/tracking/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert set(KeyResultUpdate.objects.values_list("confidence", flat=True)) == {"on_track"}
    # Left empty on a far-behind value, it is off track and asks for the cause.
    data = _post_data(krs, [2, 100]) | {f"kr-{krs[0].pk}-confidence": ""}
    r = client.post("/tracking/", data)
    assert r.status_code == 400
    assert "“New customers” is off track: choose a cause." in r.content.decode()


def test_bad_value_and_missing_cause_are_shown_in_place(login, company, cascade):
    krs = [cascade["customers"], cascade["calls"]]
    client = login(company["alice"])
    r = client.post("/tracking/", _post_data(krs, ["abc", 100]))
    assert r.status_code == 400
    assert "Enter a number." in r.content.decode()
    r = client.post("/tracking/", _post_data(krs, [2, 100]))
    html = r.content.decode()
    assert r.status_code == 400
    assert "“New customers” is off track: choose a cause." in html
    assert f'name="kr-{cascade["customers"].pk}-cause"' in html and "<select" in html
    assert not Measurement.objects.exists()
    kr = cascade["customers"]
    fixed = _post_data(krs, [2, 100]) | {
        f"kr-{kr.pk}-cause": "not-enough-leads",
        f"kr-{kr.pk}-action": "Ask for leads",
    }
    assert client.post("/tracking/", fixed).status_code == 302
    assert KeyResultUpdate.objects.get(key_result=kr).cause.slug == "not-enough-leads"


def test_cause_picker_appears_when_off_track(login, company, cascade):
    kr = cascade["customers"]
    client = login(company["alice"])
    url = f"/tracking/key-results/{kr.pk}/status/"
    r = client.get(url, {f"kr-{kr.pk}-value": "2"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200
    assert "Off track" in r.content.decode() and "<select" in r.content.decode()
    r = client.get(url, {f"kr-{kr.pk}-value": "20"}, HTTP_HX_REQUEST="true")
    assert "On track" in r.content.decode() and "<select" not in r.content.decode()
    r = client.get(
        url,
        {f"kr-{kr.pk}-value": "20", f"kr-{kr.pk}-confidence": "off_track"},
        HTTP_HX_REQUEST="true",
    )
    assert "<select" in r.content.decode()
    r = client.get(url, {f"kr-{kr.pk}-value": "x"}, HTTP_HX_REQUEST="true")
    assert "Enter a number." in r.content.decode()
    other = cascade["dave_kr"]
    assert client.get(f"/tracking/key-results/{other.pk}/status/").status_code == 404


def test_autosave_keeps_a_draft(login, company, cascade):
    krs = [cascade["customers"], cascade["calls"]]
    client = login(company["alice"])
    data = _post_data(krs, [12, ""]) | {"plan": "Draft plan"}
    r = client.post("/tracking/autosave/", data, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Draft saved" in r.content.decode()
    check_in = CheckIn.objects.get()
    assert check_in.state == "draft" and check_in.plan == "Draft plan"
    assert [u.value for u in check_in.updates.all()] == [12]
    assert not Measurement.objects.exists()
    r = client.post("/tracking/autosave/", _post_data(krs, ["zz", ""]), HTTP_HX_REQUEST="true")
    assert "Not saved" in r.content.decode()
    r = client.get("/tracking/")
    assert 'value="12"' in r.content.decode()


@pytest.mark.parametrize("n_goals", [1, 10])
def test_this_week_query_bound(login, company, cycle, n_goals, django_assert_max_num_queries):
    alice = company["alice"]
    for i in range(n_goals):
        goal = person_goal(alice, cycle, names=("A", "B", "C"), target=30 + i)
        submitted(alice, dict.fromkeys(goal.key_results.all(), 10))
    client = login(alice)
    with django_assert_max_num_queries(23):  # with the missed weeks offered for a late check-in
        r = client.get("/tracking/")
    assert r.status_code == 200 and r.content.decode().count("<fieldset") == 3 * n_goals


def test_history_and_check_in_pages_scoped(login, company, cascade):
    c = company
    check_in = submitted(c["alice"], {cascade["calls"]: 100})
    assert "Calls" in login(c["alice"]).get("/tracking/history/").content.decode()
    r = login(c["bob"]).get(f"/tracking/history/?person={c['alice'].pk}")
    assert r.status_code == 200 and "Calls" in r.content.decode()
    assert login(c["erin"]).get(f"/tracking/history/?person={c['alice'].pk}").status_code == 404
    for viewer, code in (
        ("alice", 200),
        ("bob", 200),
        ("carol", 200),
        ("zed", 200),
        ("erin", 404),
        ("dave", 404),
        ("mia", 404),
    ):
        assert login(c[viewer]).get(f"/tracking/check-ins/{check_in.pk}/").status_code == code


def test_inline_feedback_and_acknowledgement(login, company, cascade):
    c = company
    check_in = submitted(c["alice"], {cascade["calls"]: 100})
    client = login(c["bob"])
    r = client.post(
        f"/tracking/check-ins/{check_in.pk}/feedback/",
        {"kind": "praise", "text": "Great week"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "Great week" in r.content.decode()
    feedback = Feedback.objects.get()
    r = login(c["erin"]).post(
        f"/tracking/check-ins/{check_in.pk}/feedback/", {"kind": "praise", "text": "x"}
    )
    assert r.status_code == 404
    assert login(c["bob"]).post(f"/tracking/feedback/{feedback.pk}/acknowledge/").status_code == 403
    r = login(c["alice"]).post(
        f"/tracking/feedback/{feedback.pk}/acknowledge/", HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and "Acknowledged" in r.content.decode()


def test_plan_from_an_off_track_update_page(login, company, cascade):
    c = company
    check_in = submitted(c["alice"], {cascade["customers"]: 2})
    update = check_in.updates.get()
    page = login(c["bob"]).get(f"/tracking/check-ins/{check_in.pk}/").content.decode()
    assert f"/tracking/updates/{update.pk}/plan/" in page
    r = login(c["bob"]).post(
        f"/tracking/updates/{update.pk}/plan/",
        {"kind": "coaching", "description": "Weekly pairing"},
    )
    assert r.status_code == 302
    plan = ImprovementPlan.objects.get()
    assert plan.person == c["alice"] and plan.actions.get().description == "Weekly pairing"
    assert (
        login(c["dave"])
        .post(f"/tracking/updates/{update.pk}/plan/", {"kind": "other", "description": "x"})
        .status_code
        == 404
    )


@pytest.mark.parametrize("people", [3, 30])
def test_team_page_query_bound(login, company, team_of, people, django_assert_max_num_queries):
    team_of(people)
    client = login(company["bob"])
    with django_assert_max_num_queries(20):
        r = client.get("/tracking/team/?week=2026-11-16")
    assert r.status_code == 200
    assert r.content.decode().count('class="feedback praise"') == people


@pytest.mark.parametrize("people", [3, 30])
def test_weekly_review_query_bound(login, company, team_of, people, django_assert_max_num_queries):
    team_of(people)
    client = login(company["bob"])
    with django_assert_max_num_queries(20):
        r = client.get("/tracking/review/?week=2026-11-16")
    html = r.content.decode()
    assert r.status_code == 200
    assert f"{people} of {people + 2}" in html  # Alice and Erin have not checked in
    assert html.count("Customers</td>") == people


def test_weekly_review_saves_decisions(login, company, cascade):
    c = company
    submitted(c["alice"], {cascade["customers"]: 2})
    r = login(c["bob"]).post("/tracking/review/?week=2026-11-16", {"decisions": "Lead push"})
    assert r.status_code == 302
    assert WeeklyReview.objects.get().decisions == "Lead push"
    r = login(c["zed"]).get(f"/tracking/review/?manager={c['bob'].pk}&week=2026-11-16")
    assert r.status_code == 200 and "Lead push" in r.content.decode()
    assert login(c["dave"]).get(f"/tracking/review/?manager={c['bob'].pk}").status_code == 404
    assert login(c["alice"]).get(f"/tracking/review/?manager={c['bob'].pk}").status_code == 404


def test_this_week_shows_feedback_plans_and_completion(login, company, cascade):
    import datetime as dt

    from tests.tracking.conftest import MONDAY
    from tracking import services

    c = company
    last = submitted(c["alice"], {cascade["customers"]: 2}, week=MONDAY - dt.timedelta(weeks=1))
    services.give_feedback(actor=c["bob"], check_in=last, kind="concern", text="Leads?")
    services.create_plan_from_update(
        actor=c["bob"],
        update=last.updates.get(),
        actions=[{"kind": "coaching", "description": "Pipeline coaching", "owner": c["bob"]}],
    )
    html = login(c["alice"]).get("/tracking/").content.decode()
    assert "Leads?" in html and "Acknowledge" in html
    assert "Pipeline coaching" in html
    # Cycle weeks so far: 2 and 9 November; one submitted.
    assert "Cycle 2026-11: 50 % of weeks checked in" in html
    assert "Streak: 1 week" in html


def test_a_late_check_in_through_the_page_is_shown_late_to_the_manager(login, company, cascade):
    alice, bob = company["alice"], company["bob"]
    last_week = "2026-11-09"
    client = login(alice)
    page = client.get(f"/tracking/?week={last_week}").content.decode()
    assert "checking in late" in page and f'name="week" value="{last_week}"' in page
    data = {"week": last_week}
    for kr, value in ((cascade["customers"], "20"), (cascade["calls"], "150")):
        data[f"kr-{kr.pk}-value"] = value
        data[f"kr-{kr.pk}-confidence"] = "on_track"
    response = client.post("/tracking/", data)
    assert response.status_code == 302
    check_in = CheckIn.objects.get(person=alice, week=dt.date(2026, 11, 9))
    assert check_in.is_late and check_in.is_submitted
    team = login(bob).get("/tracking/team/?week=2026-11-09").content.decode()
    assert "late</span>" in team


def test_a_week_outside_the_window_is_refused_with_the_reason(login, company, cascade):
    page = login(company["alice"]).get("/tracking/?week=2026-10-05").content.decode()
    assert "up to 2 weeks back" in page
    assert 'name="week"' not in page  # back on this week


@pytest.mark.parametrize(
    ("status", "change", "verdict"),
    [
        ("off_track", 2, "worse"),
        ("at_risk", -2, "better"),
        ("on_track", 3, "better"),
        ("on_track", -1, "worse"),
        ("at_risk", 1, "worse"),
        ("off_track", -4, "better"),
    ],
)
def test_weekly_review_movement_colours_worse_red_and_better_green(status, change, verdict):
    """ "Off track 4 +2" is worse (red), "At risk −2" better (green); the verdict is also read
    out to screen readers, not carried by colour alone."""
    from django.template.loader import render_to_string

    html = render_to_string(
        "tracking/_movement_change.html", {"m": {"status": status, "change": change}}
    )
    assert f"change {verdict}" in html and f"({verdict})" in html
    assert ("+" in html) == (change > 0)
    other = {"better": "worse", "worse": "better"}[verdict]
    assert other not in html
    css = Path("tracking/static/tracking/tracking.css").read_text()
    assert ".change.worse { color: var(--bad); }" in css
    assert ".change.better { color: var(--ok); }" in css


def test_weekly_review_page_uses_the_movement_cell(login, company, cascade):
    res = login(company["bob"]).get("/tracking/review/?week=2026-11-16")
    html = res.content.decode()
    assert res.status_code == 200 and "Week over week" in html
    assert "change up" not in html and "change down" not in html
