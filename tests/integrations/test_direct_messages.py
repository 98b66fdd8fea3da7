"""Direct messages: where a platform's app is configured, a person known there (ChatIdentity)
gets their reminder through its app messaging API, once, authenticated as the platform
documents (checked by a local fake of the three APIs)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from integrations.models import ChatIdentity, DirectMessage
from reminders import services as reminders
from tests.integrations.fake_chat_apps import FakeChatApps
from tests.notifications.conftest import eager_celery  # noqa: F401

pytestmark = pytest.mark.django_db

FRIDAY = dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)


@pytest.fixture
def apps(settings):
    with FakeChatApps() as fake:
        settings.KEEL_CHAT_APPS = fake.settings()
        yield fake


@pytest.fixture
def known(org):
    for platform, user_id in (("feishu", "ou_alice"), ("dingtalk", "alice01"), ("wecom", "alice")):
        ChatIdentity.objects.create(person=org["alice"], platform=platform, user_id=user_id)
    ChatIdentity.objects.create(person=org["bob"], platform="feishu", user_id="ou_bob")


def dispatch(django_capture_on_commit_callbacks, now=FRIDAY):
    with (
        time_machine.travel(now, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return reminders.dispatch(now=now, inline=True)


def test_each_platform_app_messages_the_person_once(
    org, apps, known, django_capture_on_commit_callbacks
):
    dispatch(django_capture_on_commit_callbacks)
    got = sorted((platform, user) for platform, user, _text in apps.messages)
    assert ("dingtalk", "alice01") in got and ("wecom", "alice") in got
    assert ("feishu", "ou_alice") in got and ("feishu", "ou_bob") in got
    check_ins = [m for m in apps.messages if "check-in" in m[2]]
    assert sorted((p, u) for p, u, _t in check_ins) == [
        ("dingtalk", "alice01"),
        ("feishu", "ou_alice"),
        ("feishu", "ou_bob"),
        ("wecom", "alice"),
    ]
    assert all("http://" in text for _p, _u, text in check_ins)  # with the link
    assert set(DirectMessage.objects.values_list("status", flat=True)) == {"sent"}
    before = len(apps.messages)
    dispatch(django_capture_on_commit_callbacks, now=FRIDAY + dt.timedelta(minutes=5))
    assert len(apps.messages) == before  # never twice


def test_wrong_app_credentials_send_nothing_and_say_why(
    org, apps, known, settings, django_capture_on_commit_callbacks
):
    settings.KEEL_CHAT_APPS = {
        name: {**config, "app_secret": "wrong", "secret": "wrong"}
        for name, config in apps.settings().items()
    }
    dispatch(django_capture_on_commit_callbacks)
    assert apps.messages == []
    errors = dict(DirectMessage.objects.values_list("platform", "last_error").distinct())
    assert "10014" in errors["feishu"]
    assert "HTTP 400" in errors["dingtalk"] and "invalidClientIdOrSecret" in errors["dingtalk"]
    assert "40001" in errors["wecom"]
    assert set(DirectMessage.objects.values_list("status", flat=True)) == {"failed"}


def test_no_app_configured_no_direct_message(
    org, known, settings, django_capture_on_commit_callbacks
):
    settings.KEEL_CHAT_APPS = {}
    dispatch(django_capture_on_commit_callbacks)
    assert not DirectMessage.objects.exists()


def test_a_person_who_switched_chat_off_gets_none(
    org, apps, known, django_capture_on_commit_callbacks
):
    from notifications import services as notification_services

    notification_services.set_preference(
        person=org["alice"], kind="reminder.check_in", channel="webhook", enabled=False
    )
    dispatch(django_capture_on_commit_callbacks)
    assert [u for _p, u, t in apps.messages if "check-in" in t] == ["ou_bob"]


def test_an_unreachable_platform_is_tried_again_by_the_sweep(
    org, apps, known, settings, django_capture_on_commit_callbacks
):
    from integrations import direct

    settings.KEEL_CHAT_APPS = {
        "feishu": {**apps.settings()["feishu"], "api_base": "http://127.0.0.1:9"}
    }
    dispatch(django_capture_on_commit_callbacks)
    waiting = DirectMessage.objects.filter(platform="feishu")
    assert {(m.status, m.attempts) for m in waiting} == {("pending", 1)}
    assert all("ConnectionError" in m.last_error for m in waiting)
    settings.KEEL_CHAT_APPS = {"feishu": apps.settings()["feishu"]}
    later = FRIDAY + dt.timedelta(minutes=6)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert direct.sweep() >= 2
    assert {m.status for m in waiting.all()} == {"sent"}
    assert sorted(u for p, u, t in apps.messages if "check-in" in t) == ["ou_alice", "ou_bob"]
