"""The This-week page's autosave fires a moment after the last keystroke, so it can race the
submit it precedes (seen in the browser journey as a 500 on a duplicate key result update, or
a submitted check-in written back as a draft). Both lock the check-in first: whichever comes
second sees the other's work. On SQLite every transaction takes the write lock when it begins
(`transaction_mode="IMMEDIATE"` in settings), which serialises them the same way."""

import datetime as dt
import time

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from goals.models import Measurement
from tests.reliability.conftest import at_once, postgres_only
from tests.tracking.factories import make_cycle, person_goal
from tracking.models import CheckIn, KeyResultUpdate
from tracking.services import checkins as checkin_services

MONDAY = dt.datetime(2026, 11, 16, 9, 0, tzinfo=dt.UTC)


def test_sqlite_transactions_take_the_write_lock_when_they_begin():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("SQLite setting")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("slow", ["save_check_in_draft", "submit_check_in"])
def test_autosave_racing_the_submit_never_fails_or_reverts_it(company, monkeypatch, slow):
    alice = company["alice"]
    with time_machine.travel(MONDAY, tick=False):
        goal = person_goal(alice, make_cycle(), names=("New customers", "Calls"))
        krs = list(goal.key_results.order_by("position", "pk"))
        check_in, _ = checkin_services.open_check_in(person=alice)
        # Whichever service is slowed holds the check-in's lock while the other arrives.
        original = checkin_services._parse_updates

        def parse_slowly(*args, **kwargs):
            result = original(*args, **kwargs)
            if kwargs.get("strict") == (slow == "submit_check_in"):
                time.sleep(0.3)
            return result

        monkeypatch.setattr(checkin_services, "_parse_updates", parse_slowly)
        form = {
            "done": "Calls",
            **{f"kr-{kr.pk}-value": "15" for kr in krs},
            **{f"kr-{kr.pk}-confidence": "" for kr in krs},
        }

        def page(path):
            client = Client()
            client.force_login(alice.user)
            headers = {"HTTP_HX_REQUEST": "true"} if "autosave" in path else {}
            return client.post(path, form, **headers)

        autosave, submit = at_once(lambda: page("/tracking/autosave/"), lambda: page("/tracking/"))
    assert not isinstance(autosave, Exception) and not isinstance(submit, Exception)
    assert submit.status_code == 302, submit.content[:500]
    assert autosave.status_code < 500
    check_in.refresh_from_db()
    assert check_in.state == CheckIn.State.SUBMITTED
    assert KeyResultUpdate.objects.filter(check_in=check_in).count() == 2
    assert Measurement.objects.filter(source="check_in").count() == 2
