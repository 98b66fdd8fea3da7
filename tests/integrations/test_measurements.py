"""Measurements for machines: Idempotency-Key, external ids per sender, back-dated values,
bulk pushes answered row by row, and service accounts writing within their units, audited
as themselves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from goals.models import Goal, IdempotencyKey, KeyResult, Measurement
from org import services as org_services
from tests.goals.factories import GoalFactory, KeyResultFactory

pytestmark = pytest.mark.django_db

BULK = "/api/v1/measurements/bulk/"


def url(kr) -> str:
    return f"/api/v1/key-results/{kr.pk}/measurements/"


def test_the_same_idempotency_key_and_body_answer_the_first_answer(crm, key_result):
    first = crm.post(url(key_result), {"value": "7"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = crm.post(url(key_result), {"value": "7"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Measurement.objects.filter(key_result=key_result).count() == 1


def test_the_same_key_with_another_body_is_a_conflict(crm, key_result):
    crm.post(url(key_result), {"value": "7"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    res = crm.post(url(key_result), {"value": "8"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert res.status_code == 409
    assert Measurement.objects.filter(key_result=key_result).count() == 1


def test_keys_are_kept_24_hours_and_are_per_caller(crm, key_result, org, as_person):
    import time_machine
    from django.utils import timezone

    crm.post(url(key_result), {"value": "7"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    alice = as_person(org["alice"])
    res = alice.post(url(key_result), {"value": "7"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert res.status_code == 201 and "Idempotent-Replayed" not in res
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25), tick=False):
        res = crm.post(url(key_result), {"value": "8"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert res.status_code == 201
    assert Measurement.objects.filter(key_result=key_result).count() == 3
    assert IdempotencyKey.objects.count() == 2


def test_a_refused_request_keeps_no_key(crm, key_result):
    res = crm.post(url(key_result), {"value": "x"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert res.status_code == 400 and "value" in res.json()
    res = crm.post(url(key_result), {"value": "9"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert res.status_code == 201
    too_long = crm.post(
        url(key_result), {"value": "9"}, format="json", HTTP_IDEMPOTENCY_KEY="k" * 300
    )
    assert too_long.status_code == 400 and "Idempotency-Key" in too_long.json()


def test_an_external_id_is_recorded_once_per_sender(crm, key_result, org, as_person):
    first = crm.post(url(key_result), {"value": "7", "external_id": "deal-1"}, format="json")
    again = crm.post(url(key_result), {"value": "99", "external_id": "deal-1"}, format="json")
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"] and again.json()["value"] == "7.0000"
    key_result.refresh_from_db()
    assert key_result.current_value == D("7")
    # Another sender's id space is its own.
    res = as_person(org["alice"]).post(
        url(key_result), {"value": "8", "external_id": "deal-1"}, format="json"
    )
    assert res.status_code == 201


def test_a_back_dated_value_joins_the_history_without_replacing_a_newer_one(crm, key_result):
    crm.post(url(key_result), {"value": "20"}, format="json")
    res = crm.post(
        url(key_result), {"value": "5", "effective_at": "2026-11-01T12:00:00Z"}, format="json"
    )
    assert res.status_code == 201 and res.json()["effective_at"].startswith("2026-11-01")
    key_result.refresh_from_db()
    assert key_result.current_value == D("20")


def test_a_service_account_writes_within_its_units_and_is_audited_as_itself(crm, key_result, org):
    res = crm.post(url(key_result), {"value": "12"}, format="json")
    assert res.status_code == 201, res.content
    row = Measurement.objects.get(pk=res.json()["id"])
    assert row.recorded_by is None and row.recorded_by_account == crm.account
    assert res.json()["recorded_by_account"] == crm.account.pk
    history = key_result.history.first()
    assert history.current_value == D("12") and history.history_user == crm.account.user
    # Outside its units: 404, nothing written.
    goal = GoalFactory(owner_person=org["dave"], cycle=org["cycle"], state=Goal.State.AGREED)
    elsewhere = KeyResultFactory(goal=goal)
    assert crm.post(url(elsewhere), {"value": "1"}, format="json").status_code == 404
    assert not elsewhere.measurements.exists()
    # It reads nothing it was not granted.
    assert crm.get(url(key_result)).status_code == 403
    assert crm.get("/api/v1/key-results/").status_code == 403


def test_a_service_account_without_the_scope_or_revoked_is_refused(org, key_result):
    from rest_framework.test import APIClient

    account, key = org_services.create_service_account(
        actor=org["admin"], name="IdP", scopes=["scim"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post(url(key_result), {"value": "1"}, format="json").status_code == 403
    assert (
        client.post(
            BULK, {"rows": [{"key_result": key_result.pk, "value": "1"}]}, format="json"
        ).status_code
        == 403
    )
    account, key = org_services.create_service_account(
        actor=org["admin"], name="CRM2", scopes=["measurements:write"]
    )
    org_services.revoke_service_account(actor=org["admin"], account=account)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post(url(key_result), {"value": "1"}, format="json").status_code == 401
    assert not key_result.measurements.exists()


def test_a_bulk_push_answers_each_row_and_a_replay_changes_nothing(crm, key_result, org):
    other = KeyResultFactory(goal=key_result.goal, name="Revenue")
    goal = GoalFactory(owner_person=org["dave"], cycle=org["cycle"], state=Goal.State.AGREED)
    outside = KeyResultFactory(goal=goal)
    rows = [
        {"key_result": key_result.pk, "value": "10", "external_id": "a"},
        {
            "owner": "alice",
            "metric": "Revenue",
            "value": "1,500",
            "external_id": "b",
            "effective_at": "2026-11-10T00:00:00Z",
        },
        {"key_result": key_result.pk, "value": "11", "external_id": "a"},
        {"key_result": outside.pk, "value": "3"},
        {"key_result": key_result.pk, "value": "lots"},
        {"owner": "alice", "metric": "Nothing", "value": "3"},
        {"key_result": key_result.pk, "value": "1", "effective_at": "2030-01-01T00:00:00Z"},
    ]
    res = crm.post(BULK, {"rows": rows}, format="json", HTTP_IDEMPOTENCY_KEY="night-1")
    assert res.status_code == 200, res.content
    body = res.json()
    assert [r["status"] for r in body["rows"]] == [
        "created",
        "created",
        "duplicate",
        "error",
        "error",
        "error",
        "error",
    ]
    assert (body["created"], body["duplicates"], body["errors"]) == (2, 1, 4)
    assert body["rows"][2]["measurement"]["id"] == body["rows"][0]["measurement"]["id"]
    assert "key_result" in body["rows"][3]["errors"] and "value" in body["rows"][4]["errors"]
    assert "key_result" in body["rows"][5]["errors"]
    assert "effective_at" in body["rows"][6]["errors"]
    key_result.refresh_from_db()
    other.refresh_from_db()
    assert key_result.current_value == D("10") and other.current_value == D("1500")
    assert not outside.measurements.exists()
    count = Measurement.objects.count()
    replay = crm.post(BULK, {"rows": rows}, format="json", HTTP_IDEMPOTENCY_KEY="night-1")
    assert replay.status_code == 200 and replay.json() == body
    assert Measurement.objects.count() == count
    # Without the key, the external ids keep it from writing twice.
    again = crm.post(BULK, {"rows": rows[:3]}, format="json").json()
    assert [r["status"] for r in again["rows"]] == ["duplicate"] * 3
    assert Measurement.objects.count() == count


def test_bulk_input_errors_are_400_and_write_nothing(crm, key_result):
    for body in (
        {},
        {"rows": []},
        {"rows": [{"value": "1"}]},
        {"rows": "x"},
        {"rows": [{"key_result": key_result.pk, "value": "1"}] * 1001},
    ):
        res = crm.post(BULK, body, format="json")
        assert res.status_code == 400, body
    assert not Measurement.objects.exists()


def test_a_person_pushes_only_what_they_may_measure(key_result, org, as_person):
    rows = [{"key_result": key_result.pk, "value": "4"}]
    res = as_person(org["dave"]).post(BULK, {"rows": rows}, format="json").json()
    assert res["rows"][0]["status"] == "error"
    res = as_person(org["bob"]).post(BULK, {"rows": rows}, format="json").json()
    assert res["rows"][0]["status"] == "created"
    assert Measurement.objects.get().recorded_by == org["bob"]


def test_a_bulk_push_rolls_up_once_per_chain(crm, org, django_assert_max_num_queries):
    """Many values into a cascade: the parent rolls up from the children's newest values,
    and the queries do not grow with the rows."""
    parent_goal = GoalFactory(owner_person=org["bob"], cycle=org["cycle"], state=Goal.State.AGREED)
    parent = KeyResultFactory(goal=parent_goal, source=KeyResult.Source.ROLLUP, aggregation="sum")
    children = []
    for person in (org["alice"], org["bob"]):
        goal = GoalFactory(
            owner_person=person, cycle=org["cycle"], state=Goal.State.AGREED, parent=parent_goal
        )
        children.append(KeyResultFactory(goal=goal, contributes_to=parent))

    def push(n: int, prefix: str):
        rows = [
            {
                "key_result": children[i % 2].pk,
                "value": str(i),
                "external_id": f"{prefix}{i}",
                "effective_at": (
                    dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(hours=i)
                ).isoformat(),
            }
            for i in range(n)
        ]
        return crm.post(BULK, {"rows": rows}, format="json")

    with django_assert_max_num_queries(60) as small:
        assert push(4, "s").status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert push(40, "l").status_code == 200
    parent.refresh_from_db()
    assert parent.current_value == D("38") + D("39")
