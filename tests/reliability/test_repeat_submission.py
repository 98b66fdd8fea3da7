"""The same check-in submitted again (a double click, a retried request, a second tab) is not
an amendment: nothing is written or measured twice. A changed one still is."""

import datetime as dt

import pytest
import time_machine

from goals.models import Measurement
from tests.tracking.factories import make_cycle, person_goal
from tracking.models import CheckIn

pytestmark = pytest.mark.django_db


def test_an_identical_resubmission_changes_nothing_a_changed_one_amends(api, company):
    alice = company["alice"]
    with time_machine.travel(dt.datetime(2026, 11, 16, 9, tzinfo=dt.UTC), tick=False):
        kr = person_goal(alice, make_cycle()).key_results.get()
        client = api.as_(alice)
        pk = client.post("/api/v1/check-ins/current/", {}).json()["id"]
        body = {"done": "Calls", "updates": [{"key_result": kr.pk, "value": "12"}]}
        url = f"/api/v1/check-ins/{pk}/submit/"
        assert client.post(url, body).status_code == 200
        again = client.post(url, body)
        assert again.status_code == 200 and again.json()["amendments"] == 0
        assert Measurement.objects.count() == 1
        body["updates"][0]["value"] = "14"
        assert client.post(url, body).json()["amendments"] == 1
        body["done"] = "Calls and visits"
        body["updates"][0]["value"] = "14"
        assert client.post(url, body).json()["amendments"] == 2  # words changed, not numbers
    assert Measurement.objects.count() == 2
    assert CheckIn.objects.get().state == CheckIn.State.SUBMITTED
