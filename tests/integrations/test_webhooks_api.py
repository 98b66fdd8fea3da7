"""The webhooks API: admins (and service accounts granted webhooks:manage) subscribe, read
the delivery log and replay; the secret is shown once; lists cost the same for 3 rows or 30;
the OpenAPI document describes every event's payload."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from core.events import EVENT_TYPES
from integrations import services
from integrations.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from org import services as org_services

pytestmark = pytest.mark.django_db

SUBS = "/api/v1/webhooks/subscriptions/"
LOG = "/api/v1/webhooks/deliveries/"


def _log(subscription, n: int) -> None:
    for i in range(n):
        event = WebhookEvent.objects.create(
            msg_id=f"msg_{subscription.pk}_{i}", type="goal.agreed", payload={"goal": i}
        )
        WebhookDelivery.objects.create(subscription=subscription, event=event)


def test_an_admin_subscribes_and_sees_the_secret_once(org, as_person):
    admin = as_person(org["admin"])
    res = admin.post(
        SUBS,
        {"name": "ERP", "url": "https://erp.example/hooks", "event_types": ["goal.agreed"]},
        format="json",
    )
    assert res.status_code == 201, res.content
    assert res.json()["secret"].startswith("whsec_")
    again = admin.get(f"{SUBS}{res.json()['id']}/").json()
    assert "secret" not in again and again["event_types"] == ["goal.agreed"]
    bad = admin.post(SUBS, {"name": "x", "url": "nope", "event_types": ["x.y"]}, format="json")
    assert bad.status_code == 400 and {"url", "event_types"} <= set(bad.json())
    assert WebhookSubscription.objects.count() == 1


def test_people_see_no_webhooks(org, as_person):
    subscription = services.create_subscription(
        actor=org["admin"], name="ERP", url="https://erp.example/h", event_types=["goal.agreed"]
    )
    _log(subscription, 1)
    bob = as_person(org["bob"])
    assert bob.get(SUBS).json()["results"] == []
    assert bob.get(LOG).json()["results"] == []
    assert bob.get(f"{SUBS}{subscription.pk}/").status_code == 404
    delivery = WebhookDelivery.objects.get()
    assert bob.post(f"{LOG}{delivery.pk}/replay/").status_code == 404
    res = bob.post(
        SUBS,
        {"name": "x", "url": "https://x.example", "event_types": ["goal.agreed"]},
        format="json",
    )
    assert res.status_code == 403


def test_a_service_account_granted_webhooks_manage(org):
    _account, key = org_services.create_service_account(
        actor=org["admin"], name="iPaaS", scopes=["webhooks:manage"]
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    res = client.post(
        SUBS,
        {"name": "iPaaS", "url": "https://ipaas.example/in", "event_types": ["award.published"]},
        format="json",
    )
    assert res.status_code == 201, res.content
    assert WebhookSubscription.objects.get().created_by.service_account.name == "iPaaS"
    assert client.get(LOG).status_code == 200
    assert client.get("/api/v1/goals/").status_code == 403


def test_the_log_filters_and_replays(org, as_person, monkeypatch):
    queued = []
    monkeypatch.setattr(services, "_enqueue", lambda ids: queued.extend(ids))
    subscription = services.create_subscription(
        actor=org["admin"], name="ERP", url="https://erp.example/h", event_types=["goal.agreed"]
    )
    _log(subscription, 2)
    WebhookDelivery.objects.update(status="failed")
    admin = as_person(org["admin"])
    rows = admin.get(LOG, {"status": "failed"}).json()["results"]
    assert len(rows) == 2 and rows[0]["event_type"] == "goal.agreed"
    res = admin.post(f"{LOG}{rows[0]['id']}/replay/")
    assert res.status_code == 202 and res.json()["status"] == "pending"
    assert queued == [rows[0]["id"]]


@pytest.mark.parametrize("url", [SUBS, LOG])
def test_lists_cost_the_same_for_3_rows_or_30(org, as_person, url, django_assert_max_num_queries):
    admin = as_person(org["admin"])

    def grow(n):
        for i in range(n):
            s = services.create_subscription(
                actor=org["admin"],
                name=f"S{i}",
                url="https://x.example/h",
                event_types=["goal.agreed"],
            )
            _log(s, 1)

    grow(3)
    with django_assert_max_num_queries(8) as small:
        assert admin.get(url).status_code == 200
    grow(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(admin.get(url).json()["results"]) >= 25


def test_the_schema_documents_every_event(org, as_person):
    schema = as_person(org["admin"]).get("/api/v1/schema/", {"format": "json"}).json()
    hooks = schema["x-webhooks"]
    assert set(hooks) == set(EVENT_TYPES)
    agreed = hooks["goal.agreed"]["post"]
    assert {p["name"] for p in agreed["parameters"]} == {
        "webhook-id",
        "webhook-timestamp",
        "webhook-signature",
    }
    ref = agreed["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(body["properties"]["data"]["properties"]) >= {"goal", "cycle", "title"}
