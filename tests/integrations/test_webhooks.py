"""Outbound webhooks: a domain event reaches every subscription to its type once, signed per
Standard Webhooks (a receiver verifying with the `standardwebhooks` library accepts every
delivery and rejects a tampered one), retried on failure, logged and replayable; payloads
carry ids and plain values only."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from goals import services as goal_services
from goals.models import Goal
from integrations import services
from integrations.models import WebhookDelivery, WebhookEvent
from tests.goals.factories import GoalFactory, KeyResultFactory
from tests.integrations.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver():
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def queued(monkeypatch):
    """The deliveries handed to Celery (after commit, in the code), run here by calling the
    real task function: no broker needed, no eager mode relied on."""
    ids = []
    monkeypatch.setattr(services, "_enqueue", lambda new: ids.extend(new))
    return ids


def _run(ids) -> None:
    from integrations import tasks

    while ids:
        tasks.deliver_webhook(ids.pop(0))


@pytest.fixture
def subscribed(org, receiver):
    subscription = services.create_subscription(
        actor=org["admin"],
        name="ERP",
        url=receiver.url,
        event_types=["goal.proposed", "goal.agreed", "goal.returned"],
    )
    receiver.server.secret = subscription.secret
    return subscription


def _agree(org):
    goal = GoalFactory(owner_person=org["alice"], cycle=org["cycle"], state=Goal.State.DRAFT)
    KeyResultFactory(goal=goal)
    goal_services.propose_goal(actor=org["alice"], goal=goal)
    goal_services.agree_goal(actor=org["bob"], goal=Goal.objects.get(pk=goal.pk))
    return goal


def test_every_delivery_verifies_with_standardwebhooks(org, subscribed, receiver, queued):
    goal = _agree(org)
    _run(queued)
    assert [m["type"] for m in receiver.accepted] == ["goal.proposed", "goal.agreed"]
    assert receiver.rejected == []
    data = receiver.accepted[1]["data"]
    assert data == {
        "goal": goal.pk,
        "cycle": org["cycle"].pk,
        "owner_person": org["alice"].pk,
        "owner_unit": None,
        "title": goal.title,
        "by": org["bob"].pk,
        "people": [
            {"id": org["bob"].pk, "name": "Bob"},
            {"id": org["alice"].pk, "name": "Alice"},
        ],
    }
    assert "@" not in str(receiver.raw)  # no e-mail address travels
    rows = WebhookDelivery.objects.order_by("pk")
    assert [(d.status, d.attempts, d.response_status) for d in rows] == [("sent", 1, 204)] * 2
    _body, headers = receiver.raw[0]
    assert headers["webhook-id"] == rows[0].event.msg_id


def test_a_tampered_message_or_another_secret_is_rejected(org, subscribed, receiver, queued):
    _agree(org)
    _run(queued)
    body, headers = receiver.raw[0]
    verifier = Webhook(subscribed.secret)
    assert verifier.verify(body, headers)["type"] == "goal.proposed"
    with pytest.raises(WebhookVerificationError):
        verifier.verify(body.replace(b'"goal.proposed"', b'"goal.agreed"'), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 43 + "=").verify(body, headers)


def test_exactly_once_per_subscription_and_event(org, subscribed, receiver, queued):
    _agree(org)
    _run(queued)
    for delivery in WebhookDelivery.objects.all():
        assert services.deliver(delivery_id=delivery.pk) is None  # a duplicated task
    assert len(receiver.accepted) == 2
    event = WebhookEvent.objects.first()
    with pytest.raises(Exception):  # noqa: B017, PT011 the database refuses a second row
        WebhookDelivery.objects.create(subscription=subscribed, event=event)


def test_the_outbox_commits_with_the_business_write(
    org, subscribed, receiver, django_capture_on_commit_callbacks
):
    """The delivery is handed to Celery only after the commit (core.queue.enqueue)."""
    from unittest import mock

    from integrations import tasks

    with (
        mock.patch("core.queue.publish") as send,
        django_capture_on_commit_callbacks(execute=False) as callbacks,
    ):
        _agree(org)
    assert not send.called
    for callback in callbacks:  # the commit
        callback()
    sent = [call.args[0] for call in send.call_args_list]
    assert sent.count(tasks.deliver_webhook) == 2
    assert WebhookDelivery.objects.filter(status="pending").count() == 2


def test_only_subscribed_types_and_active_subscriptions(org, receiver, subscribed):
    services.update_subscription(actor=org["admin"], subscription=subscribed, is_active=False)
    _agree(org)
    assert not WebhookEvent.objects.exists()
    services.update_subscription(
        actor=org["admin"], subscription=subscribed, is_active=True, event_types=["award.published"]
    )
    _agree(org)
    assert not WebhookEvent.objects.exists()


def test_a_failing_receiver_is_retried_then_logged_and_can_be_replayed(
    org, subscribed, receiver, queued
):
    from integrations import tasks

    sent = queued
    goal = GoalFactory(owner_person=org["alice"], cycle=org["cycle"], state=Goal.State.DRAFT)
    KeyResultFactory(goal=goal)
    goal_services.propose_goal(actor=org["alice"], goal=goal)
    (delivery_id,) = sent
    receiver.server.fail_next = 2
    with pytest.raises(services.TransientWebhookError):
        services.deliver(delivery_id=delivery_id)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, 503)
    assert services.deliver(delivery_id=delivery_id, final=True) == "failed"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("failed", 2, "HTTP 503")
    assert tasks.deliver_webhook.max_retries == services.MAX_ATTEMPTS - 1
    # Replay: back to pending and sent again with the same webhook-id.
    services.replay_delivery(actor=org["admin"], delivery=delivery)
    assert services.deliver(delivery_id=delivery_id) == "sent"
    ids = {headers["webhook-id"] for _body, headers in receiver.raw}
    assert len(receiver.raw) == 3 and len(ids) == 1 and len(receiver.accepted) == 1


def test_only_admins_manage_webhooks(org, receiver):
    with pytest.raises(PermissionDenied):
        services.create_subscription(
            actor=org["bob"], name="x", url=receiver.url, event_types=["goal.agreed"]
        )
    for types in ([], ["goal.deleted"]):
        with pytest.raises(ValidationError) as caught:
            services.create_subscription(
                actor=org["admin"], name="x", url=receiver.url, event_types=types
            )
        assert "event_types" in caught.value.message_dict


def test_people_travel_as_ids_and_names_unless_personal_data_is_granted(
    org, subscribed, receiver, queued
):
    granted = services.create_subscription(
        actor=org["admin"],
        name="HR system",
        url=receiver.url,
        event_types=["goal.agreed"],
        include_personal_data=True,
    )
    granted.secret = subscribed.secret  # one receiver verifies both
    granted.save(update_fields=["secret"])
    _agree(org)
    _run(queued)
    agreed = [m for m in receiver.accepted if m["type"] == "goal.agreed"]
    by_people = sorted(agreed, key=lambda m: "email" in m["data"]["people"][0])
    plain, personal = by_people
    assert plain["data"]["people"] == [
        {"id": org["bob"].pk, "name": "Bob"},
        {"id": org["alice"].pk, "name": "Alice"},
    ]
    assert personal["data"]["people"][1] == {
        "id": org["alice"].pk,
        "name": "Alice",
        "email": org["alice"].user.email,
        "username": "alice",
    }
    assert "@" in org["alice"].user.email


def test_only_an_administrator_grants_personal_data(org, receiver):
    from org import services as org_services

    _account, key = org_services.create_service_account(
        actor=org["admin"], name="Ops", scopes=["webhooks:manage"]
    )
    from rest_framework.test import APIClient

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = {"name": "X", "url": receiver.url, "event_types": ["goal.agreed"]}
    answer = api.post(
        "/api/v1/webhooks/subscriptions/", {**body, "include_personal_data": True}, format="json"
    )
    assert answer.status_code == 400 and "include_personal_data" in answer.json()
    made = api.post("/api/v1/webhooks/subscriptions/", body, format="json")
    assert made.status_code == 201 and made.json()["include_personal_data"] is False
    url = f"/api/v1/webhooks/subscriptions/{made.json()['id']}/"
    assert api.patch(url, {"include_personal_data": True}, format="json").status_code == 400
    admin = APIClient()
    admin.force_authenticate(org["admin"].user)
    assert admin.patch(url, {"include_personal_data": True}, format="json").json()[
        "include_personal_data"
    ]
