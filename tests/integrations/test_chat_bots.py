"""Feishu, DingTalk and WeCom group bots get signed messages, verified by local fake servers
exactly as each platform documents it; unsigned ones are refused. Payload snapshots per
platform; the generic webhook carries ids and names, never e-mail addresses."""

from __future__ import annotations

import pytest

from notifications import channels
from notifications.channels import DeliveryError, post_to_bot, signed_request, webhook_payload
from notifications.kinds import Channel
from notifications.models import ChannelConfig, Delivery
from tests.integrations import fake_bots
from tests.integrations.fake_bots import FakeBots

pytestmark = pytest.mark.django_db

SECRETS = {"feishu": fake_bots.FEISHU_SECRET, "dingtalk": fake_bots.DINGTALK_SECRET, "wecom": ""}


@pytest.fixture
def bots():
    with FakeBots() as bots:
        yield bots


def _config(kind: str, url: str, secret: str = "") -> ChannelConfig:
    return ChannelConfig.objects.create(name=kind, kind=kind, url=url, secret=secret)


def _delivery(org, config) -> Delivery:
    return Delivery(
        recipient=org["alice"],
        kind="checkin_due",
        channel=Channel.WEBHOOK,
        config=config,
        subject="Your weekly check-in is due",
        body="Your weekly check-in is due",
        url="/tracking/",
    )


@pytest.mark.parametrize("kind", ["feishu", "dingtalk", "wecom"])
def test_the_fake_bot_accepts_signed_messages(bots, kind):
    config = _config(kind, bots.urls()[kind], SECRETS[kind])
    post_to_bot(config, {"msg_type": "text", "content": {"text": "hi"}})
    assert [platform for platform, _body in bots.messages] == [kind]
    assert bots.refused == []


@pytest.mark.parametrize("kind", ["feishu", "dingtalk"])
def test_the_fake_bot_refuses_unsigned_or_wrongly_signed_messages(bots, kind):
    for secret in ("", "not-the-secret"):
        config = _config(kind, bots.urls()[kind], secret)
        with pytest.raises(DeliveryError, match="Bot error"):
            post_to_bot(config, {"msgtype": "text", "text": {"content": "hi"}})
    assert bots.messages == [] and len(bots.refused) == 2


def test_the_fake_wecom_bot_refuses_a_wrong_key(bots):
    config = _config("wecom", bots.urls()["wecom"].replace("wecom-key", "other"))
    with pytest.raises(DeliveryError, match="93000"):
        post_to_bot(config, {"msgtype": "text", "text": {"content": "hi"}})


def test_signatures_are_as_documented():
    """Known answers, computed by hand from each platform's documented recipe."""
    assert channels.feishu_sign("secret", 1700000000) == (
        "fiWS2+gh28DOydAv7hzONH/mDn9+b1Y4Y5ivXWXy8vA="
    )
    assert channels.dingtalk_sign("SECsecret", 1700000000000) == (
        "0QWYb8Ux63Sm4BhHaJNL3lv5mqW1sLFoks7vu+HFFi4="
    )
    config = ChannelConfig(
        kind="dingtalk", url="https://oapi.example/robot/send?access_token=t", secret="SECsecret"
    )
    url, _body = signed_request(config, {}, now=1700000000)
    assert url == (
        "https://oapi.example/robot/send?access_token=t&timestamp=1700000000000"
        "&sign=0QWYb8Ux63Sm4BhHaJNL3lv5mqW1sLFoks7vu%2BHFFi4%3D"
    )


def test_payload_snapshots_per_platform(org, settings):
    settings.SITE_URL = "https://keel.example"
    expected = {
        "feishu": {
            "timestamp": "1700000000",
            "sign": channels.feishu_sign("s", 1700000000),
            "msg_type": "text",
            "content": {"text": "Your weekly check-in is due\nhttps://keel.example/tracking/"},
        },
        "dingtalk": {
            "msgtype": "text",
            "text": {"content": "Your weekly check-in is due\nhttps://keel.example/tracking/"},
        },
        "wecom": {
            "msgtype": "text",
            "text": {"content": "Your weekly check-in is due\nhttps://keel.example/tracking/"},
        },
        "generic": {
            "kind": "checkin_due",
            "text": "Your weekly check-in is due\nhttps://keel.example/tracking/",
            "subject": "Your weekly check-in is due",
            "url": "https://keel.example/tracking/",
            "recipient": {"id": org["alice"].pk, "name": "Alice"},
        },
    }
    for kind, body in expected.items():
        config = ChannelConfig(kind=kind, url="https://bot.example/hook", secret="s")
        _url, payload = signed_request(
            config, webhook_payload(config, _delivery(org, config)), now=1700000000
        )
        assert payload == body, kind
    assert "@" not in str(expected["generic"])
