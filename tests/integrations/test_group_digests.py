"""A reminder dispatch posts at most one digest per chat group: who is due, by name, in the
group's language, signed as the platform documents; never one message per person."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from notifications.models import ChannelConfig, Delivery, ReminderRun
from reminders import services as reminders
from reminders.models import DispatchBatch, GroupDigest
from reminders.services import digests, dispatcher
from tests.factories import PersonFactory, UserFactory
from tests.integrations import fake_bots
from tests.integrations.fake_bots import FakeBots
from tests.notifications.conftest import eager_celery  # noqa: F401

pytestmark = pytest.mark.django_db

FRIDAY = dt.datetime(2026, 11, 20, 16, 0, tzinfo=dt.UTC)  # after the 15:00 check-in nudge


@pytest.fixture
def bots():
    with FakeBots() as bots:
        yield bots


@pytest.fixture
def groups(org, bots):
    urls = bots.urls()
    return {
        "feishu": ChannelConfig.objects.create(
            name="Sales 飞书群",
            kind="feishu",
            url=urls["feishu"],
            secret=fake_bots.FEISHU_SECRET,
            language="zh-hans",
            unit=org["sales"],
        ),
        "dingtalk": ChannelConfig.objects.create(
            name="Company DingTalk",
            kind="dingtalk",
            url=urls["dingtalk"],
            secret=fake_bots.DINGTALK_SECRET,
            language="en",
        ),
        "wecom": ChannelConfig.objects.create(
            name="Support WeCom",
            kind="wecom",
            url=urls["wecom"],
            language="en",
            unit=org["support"],
        ),
    }


def dispatch(django_capture_on_commit_callbacks, now=FRIDAY):
    with (
        time_machine.travel(now, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return reminders.dispatch(now=now, inline=True)


def texts(bots) -> dict[str, str]:
    found = {}
    for platform, body in bots.messages:
        assert platform not in found, f"two messages to the {platform} group"
        found[platform] = (
            body["content"]["text"] if platform == "feishu" else body["text"]["content"]
        )
    return found


def test_one_digest_per_group_in_its_language_naming_who_is_due(
    org, groups, bots, django_capture_on_commit_callbacks, monkeypatch
):
    extra = [
        PersonFactory(
            user=UserFactory(username=f"rep{i}"), display_name=f"Rep {i}", unit=org["sales"]
        )
        for i in range(3)
    ]
    monkeypatch.setattr(dispatcher, "CHUNK_SIZE", 2)  # several batches: still one digest
    run = dispatch(django_capture_on_commit_callbacks)
    assert run.batches > 1
    assert bots.refused == []
    sent = texts(bots)
    assert set(sent) == {"feishu", "dingtalk", "wecom"}  # exactly one POST per group
    sales = sent["feishu"].splitlines()
    assert sales[0] == "Keel 提醒"
    assert sales[1] == "本周签到待提交（5 人）：Alice、Bob、Rep 0、Rep 1、Rep 2"
    assert "Dave" not in sent["feishu"]  # Support is not the Sales group's business
    company = sent["dingtalk"].splitlines()
    assert company[0] == "Keel reminders"
    assert company[1] == "Weekly check-in due (7): Alice, Bob, Dave, Rep 0, Rep 1, Rep 2, Root"
    assert sent["wecom"].splitlines()[1] == "Weekly check-in due (1): Dave"
    # No message per person went to any group; each person still got their own e-mail.
    assert not Delivery.objects.filter(channel="webhook").exists()
    assert Delivery.objects.filter(channel="email", kind="reminder.check_in").count() == 4 + len(
        extra
    )
    assert set(GroupDigest.objects.values_list("status", flat=True)) == {"sent"}


def test_a_second_dispatch_posts_nothing_more(
    org, groups, bots, django_capture_on_commit_callbacks
):
    dispatch(django_capture_on_commit_callbacks)
    dispatch(django_capture_on_commit_callbacks, now=FRIDAY + dt.timedelta(minutes=5))
    assert len(bots.messages) == 3
    assert GroupDigest.objects.count() == 3


def test_the_digest_waits_for_the_last_batch(org, groups, bots):
    run = ReminderRun.objects.create(now=FRIDAY, trigger="command", due=4, batches=2)
    DispatchBatch.objects.create(run=run, index=0)
    assert reminders.send_group_digests(run_id=run.pk) == {"sent": 0, "failed": 0, "retrying": 0}
    assert bots.messages == [] and not GroupDigest.objects.exists()
    DispatchBatch.objects.create(run=run, index=1)
    reminders.send_group_digests(run_id=run.pk)  # nobody reminded in this run: nothing to say
    assert bots.messages == [] and not GroupDigest.objects.exists()


def test_a_run_whose_batch_never_finished_is_digested_by_the_sweep(
    org, groups, bots, django_capture_on_commit_callbacks, monkeypatch
):
    real_finish = dispatcher.finish_batch
    monkeypatch.setattr(dispatcher, "finish_batch", lambda **kw: None)  # as if one was lost
    dispatch(django_capture_on_commit_callbacks)
    assert bots.messages == []
    monkeypatch.setattr(dispatcher, "finish_batch", real_finish)
    later = FRIDAY + digests.STALE_RUN + dt.timedelta(minutes=1)
    ReminderRun.objects.update(started_at=FRIDAY)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert dispatcher.sweep(later)["digests"] == 1
    assert set(texts(bots)) == {"feishu", "dingtalk", "wecom"}


def test_a_refused_digest_is_failed_and_not_posted_again(
    org, groups, bots, django_capture_on_commit_callbacks
):
    groups["feishu"].secret = "wrong"
    groups["feishu"].save()
    dispatch(django_capture_on_commit_callbacks)
    failed = GroupDigest.objects.get(config=groups["feishu"])
    assert failed.status == "failed" and "19021" in failed.last_error
    assert len(bots.refused) == 1
    assert reminders.send_group_digests(run_id=failed.run_id, force=True)["sent"] == 0
    assert len(bots.refused) == 1


def test_long_lists_are_cut_with_a_count(org):
    config = ChannelConfig(kind="wecom", language="en")
    names = {i: f"P{i:03}" for i in range(digests.NAMES_PER_KIND + 5)}
    text = digests.digest_text(config, {"reminder.check_in": list(names)}, names)
    line = text.splitlines()[1]
    assert line.startswith(f"Weekly check-in due ({len(names)}): P000, P001")
    assert line.endswith("P039 and 5 more")
    assert len(text.encode()) < 2048  # WeCom's limit for a text message


def test_generic_webhook_digest_carries_ids_and_names_only(org):
    config = ChannelConfig(kind="generic", language="en")
    names = {org["alice"].pk: "Alice"}
    payload = digests.digest_payload(config, {"reminder.check_in": [org["alice"].pk]}, names)
    assert payload["kind"] == "reminder.digest"
    assert payload["due"] == {"reminder.check_in": [{"id": org["alice"].pk, "name": "Alice"}]}
    assert "@" not in str(payload)
