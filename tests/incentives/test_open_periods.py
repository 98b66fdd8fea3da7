"""Only periods that have ended (in the organisation's time zone) are evaluated for good: an
open period can be previewed, labelled provisional, and never saved."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from incentives import services
from incentives.models import Award, Evaluation
from tests.incentives.factories import agreed_goal, check_in, make_rule

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 16)
TUESDAY = dt.date(2026, 11, 17)


@pytest.fixture
def champion(company, cycle):
    agreed_goal(company["alice"], cycle, values=[(10, 12)])
    return make_rule(
        company["acme"],
        "recognition",
        {"metric": "attainment", "top_n": 1, "title": "Weekly champion", "amount": 200},
        min_check_in_rate=1.0,
    )


def test_saving_an_open_week_is_refused(company, champion):
    """The defect: the current week could be saved, and alice 'won' with 0 check-ins."""
    with pytest.raises(ValidationError) as exc:
        services.evaluate_rule(actor=None, rule=champion, day=MONDAY, today=TUESDAY)
    assert "period_start" in exc.value.message_dict
    assert not Award.objects.exists()
    assert not Evaluation.objects.exists()


def test_the_last_day_of_the_period_is_still_open(company, champion):
    with pytest.raises(ValidationError):
        services.evaluate_rule(actor=None, rule=champion, day=MONDAY, today=dt.date(2026, 11, 22))
    outcome = services.evaluate_rule(
        actor=None, rule=champion, day=MONDAY, today=dt.date(2026, 11, 23)
    )
    assert outcome.provisional is False
    # alice never checked in during the finished week: not eligible
    assert outcome.proposals == []
    assert outcome.ineligible[company["alice"].pk][0]["code"] == "check_in_rate"


def test_preview_of_an_open_period_is_provisional(company, champion):
    outcome = services.evaluate_rule(
        actor=None, rule=champion, day=MONDAY, today=TUESDAY, dry_run=True
    )
    assert outcome.provisional is True
    assert not Award.objects.exists()


def test_finished_week_goes_to_someone_who_checked_in(company, champion):
    check_in(company["alice"], MONDAY)
    outcome = services.evaluate_rule(
        actor=None, rule=champion, day=MONDAY, today=dt.date(2026, 11, 30)
    )
    assert outcome.provisional is False
    [award] = Award.objects.all()
    assert award.person == company["alice"]
    assert award.explanation["eligibility"]["check_ins"] == {"submitted": 1, "expected": 1}


def test_org_time_zone_decides_when_a_period_has_ended(company, champion, settings):
    """Sunday 23:30 in Shanghai is already Monday there: the week is over. At the same moment
    a company in UTC is still in Sunday."""
    moment = dt.datetime(2026, 11, 22, 16, 30, tzinfo=dt.UTC)  # Mon 00:30 in Shanghai
    settings.TIME_ZONE = "Asia/Shanghai"
    with time_machine.travel(moment, tick=False):
        outcome = services.evaluate_rule(actor=None, rule=champion, day=MONDAY)
    assert outcome.provisional is False
    settings.TIME_ZONE = "UTC"
    with time_machine.travel(moment, tick=False), pytest.raises(ValidationError):
        services.evaluate_rule(actor=None, rule=champion, day=MONDAY)


def test_api_labels_the_preview_and_refuses_to_save(api, company, champion):
    client = api.as_(company["zed"])
    url = f"/api/v1/incentive-rules/{champion.pk}/evaluate/"
    with time_machine.travel(dt.datetime(2026, 11, 17, 10, tzinfo=dt.UTC), tick=False):
        preview = client.post(url, {"period_start": "2026-11-16", "dry_run": True})
        saved = client.post(url, {"period_start": "2026-11-16", "dry_run": False})
        past = client.post(url, {"period_start": "2026-11-09", "dry_run": True})
    assert preview.status_code == 200
    assert preview.data["provisional"] is True
    assert saved.status_code == 400
    assert "period_start" in saved.data
    assert past.data["provisional"] is False
    assert not Award.objects.exists()


def test_page_labels_the_preview_and_shows_a_form_error(login, company, champion):
    client = login(company["zed"])
    url = f"/incentives/rules/{champion.pk}/evaluate/"
    with time_machine.travel(dt.datetime(2026, 11, 17, 10, tzinfo=dt.UTC), tick=False):
        preview = client.post(
            url, {"period_start": "2026-11-16", "save": "0"}, HTTP_HX_REQUEST="true"
        )
        saved = client.post(
            url, {"period_start": "2026-11-16", "save": "1"}, HTTP_HX_REQUEST="true"
        )
    assert preview.status_code == 200
    assert "data-provisional" in preview.content.decode()
    assert saved.status_code == 200
    body = saved.content.decode()
    assert "can only be previewed" in body
    assert not Award.objects.exists()
