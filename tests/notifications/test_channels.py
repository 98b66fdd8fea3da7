"""Channels: webhook payload formats, retries with backoff, a failing channel not blocking
email, opt-outs, and notify() fanning out to other channels."""

import datetime as dt

import pytest
import time_machine

from notifications import channels, services
from notifications.kinds import ReminderKind
from notifications.models import ChannelConfig, Delivery
from notifications.tasks import deliver
from reminders import services as reminder_services
from tests.notifications.factories import ChannelConfigFactory


def at(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def batch(person_ids):
    return reminder_services.send_reminder_batch(
        run_id=None, kind=ReminderKind.CHECK_IN, period=dt.date(2026, 11, 23), person_ids=person_ids
    )


@pytest.mark.django_db
class TestPayloads:
    @pytest.fixture
    def delivery(self, company):
        return Delivery(
            recipient=company["alice"],
            kind=ReminderKind.CHECK_IN,
            channel="webhook",
            subject="Your weekly check-in is due",
            body="Please submit.",
            url="/tracking/this-week/",
        )

    def text(self):
        return (
            "Your weekly check-in is due\nPlease submit.\nhttp://127.0.0.1:8000/tracking/this-week/"
        )

    def test_feishu(self, delivery):
        config = ChannelConfig(kind="feishu", url="https://open.feishu.cn/x")
        assert channels.webhook_payload(config, delivery) == {
            "msg_type": "text",
            "content": {"text": self.text()},
        }

    def test_dingtalk(self, delivery):
        config = ChannelConfig(kind="dingtalk", url="https://oapi.dingtalk.com/robot/send")
        assert channels.webhook_payload(config, delivery) == {
            "msgtype": "text",
            "text": {"content": self.text()},
        }

    def test_wecom(self, delivery):
        config = ChannelConfig(kind="wecom", url="https://qyapi.weixin.qq.com/cgi-bin/webhook")
        assert channels.webhook_payload(config, delivery) == {
            "msgtype": "text",
            "text": {"content": self.text()},
        }

    def test_generic(self, delivery, company):
        payload = channels.webhook_payload(ChannelConfig(kind="generic"), delivery)
        assert payload["kind"] == ReminderKind.CHECK_IN
        assert payload["text"] == self.text()
        assert payload["url"] == "http://127.0.0.1:8000/tracking/this-week/"
        # Ids and names only: no username or e-mail address leaves for a third party.
        assert payload["recipient"] == {"id": company["alice"].pk, "name": "Alice"}


def dispatch(now):
    """A dispatch as the command runs it: reminders to everyone due, one digest per group."""
    return reminder_services.dispatch(now=now, inline=True)


def digest_names(post) -> list[str]:
    return [person["name"] for person in post["json"]["due"][ReminderKind.CHECK_IN]]


@pytest.mark.django_db
class TestSending:
    def test_each_bot_gets_its_format(self, company, http, django_capture_on_commit_callbacks):
        for kind in ("feishu", "dingtalk", "wecom", "generic"):
            ChannelConfigFactory(kind=kind, url=f"https://hooks.example.com/{kind}")
        with (
            time_machine.travel(at(2026, 11, 27, 16), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            dispatch(at(2026, 11, 27, 16))
        by_url = {post["url"].rsplit("/", 1)[1]: post["json"] for post in http.posts}
        assert len(http.posts) == 4  # one digest per group, not one message per person
        assert set(by_url) == {"feishu", "dingtalk", "wecom", "generic"}
        assert by_url["feishu"]["msg_type"] == "text"
        assert by_url["dingtalk"]["msgtype"] == "text"
        assert {"id": company["alice"].pk, "name": "Alice"} in by_url["generic"]["due"][
            ReminderKind.CHECK_IN
        ]
        assert all(post["timeout"] for post in http.posts)

    def test_unit_channel_only_for_its_subtree(
        self, company, http, django_capture_on_commit_callbacks
    ):
        ChannelConfigFactory(unit=company["sales"], url="https://hooks.example.com/sales")
        with (
            time_machine.travel(at(2026, 11, 27, 16), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            dispatch(at(2026, 11, 27, 16))
        [post] = http.posts
        assert digest_names(post) == ["Alice", "Bob", "Erin"]

    def test_failing_webhook_does_not_block_email(
        self, company, http, mailoutbox, django_capture_on_commit_callbacks
    ):
        from reminders.models import GroupDigest

        ChannelConfigFactory(kind="dingtalk")
        http.fail = True
        with (
            time_machine.travel(at(2026, 11, 27, 16), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            dispatch(at(2026, 11, 27, 16))
        assert ["alice@example.com"] in [m.to for m in mailoutbox]
        digest = GroupDigest.objects.get()
        # Back to pending for the sweep of a later dispatch to post again.
        assert (digest.status, digest.attempts) == ("pending", 1)
        assert "ConnectionError" in digest.last_error
        assert set(Delivery.objects.filter(channel="email").values_list("status", flat=True)) == {
            "sent"
        }

    def test_transient_failure_then_success(self, company, http):
        config = ChannelConfigFactory()
        delivery = Delivery.objects.create(
            recipient=company["alice"],
            kind=ReminderKind.CHECK_IN,
            channel="webhook",
            config=config,
            subject="s",
            body="b",
        )
        http.status = 503
        with pytest.raises(channels.TransientDeliveryError):
            services.deliver(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == ("pending", 1)
        assert delivery.last_error == "HTTP 503"
        http.status = 200
        assert services.deliver(delivery_id=delivery.pk) == "sent"
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 2, "")

    def test_bot_error_code_is_permanent(self, company, http):
        config = ChannelConfigFactory(kind="feishu")
        delivery = Delivery.objects.create(
            recipient=company["alice"],
            kind=ReminderKind.CHECK_IN,
            channel="webhook",
            config=config,
            subject="s",
            body="b",
        )
        http.payload = {
            "code": 19001,
            "msg": "param invalid: incoming webhook access token invalid",
        }
        assert services.deliver(delivery_id=delivery.pk) == "failed"
        delivery.refresh_from_db()
        assert "19001" in delivery.last_error and delivery.attempts == 1

    def test_task_retries_with_backoff(self):
        assert deliver.retry_backoff is True
        assert deliver.max_retries == services.MAX_ATTEMPTS - 1
        assert channels.TransientDeliveryError in deliver.autoretry_for
        assert deliver.acks_late is True

    def test_webhook_opt_out_per_person(self, company, http, django_capture_on_commit_callbacks):
        ChannelConfigFactory(unit=company["field"])
        services.set_preference(
            person=company["alice"], kind=ReminderKind.CHECK_IN, channel="webhook", enabled=False
        )
        with (
            time_machine.travel(at(2026, 11, 27, 16), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            dispatch(at(2026, 11, 27, 16))
        [post] = http.posts
        assert digest_names(post) == ["Erin"]

    def test_all_channels_off_is_skipped(
        self, company, mailoutbox, django_capture_on_commit_callbacks
    ):
        for channel in ("email", "in_app", "webhook"):
            services.set_preference(
                person=company["alice"], kind=ReminderKind.CHECK_IN, channel=channel, enabled=False
            )
        with (
            time_machine.travel(at(2026, 11, 27, 16), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            counts = batch([company["alice"].pk])
        assert counts == {"sent": 0, "skipped": 1, "expired": 0}
        assert mailoutbox == []


@pytest.mark.django_db
class TestNotifyFanOut:
    def test_notify_emails_after_commit(
        self, company, mailoutbox, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            rows = services.notify(
                recipients=[company["alice"], company["alice"], company["erin"]],
                kind="goal.returned",
                text="Your goal was returned.",
                url="/goals/1/",
                subject=company["sales"],
            )
        assert len(rows) == 2
        assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "erin@example.com"]
        assert "http://127.0.0.1:8000/goals/1/" in mailoutbox[0].body

    def test_other_kinds_never_go_to_group_chats(
        self, company, http, django_capture_on_commit_callbacks
    ):
        ChannelConfigFactory()
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(recipients=[company["alice"]], kind="goal.returned", text="x")
        assert http.posts == []

    def test_email_opt_out_for_other_notifications(
        self, company, mailoutbox, django_capture_on_commit_callbacks
    ):
        services.set_preference(
            person=company["alice"], kind="other", channel="email", enabled=False
        )
        with django_capture_on_commit_callbacks(execute=True):
            services.notify(recipients=[company["alice"]], kind="goal.returned", text="x")
        assert mailoutbox == []

    def test_fan_out_is_idempotent(self, company, mailoutbox, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            rows = services.notify(recipients=[company["alice"]], kind="goal.returned", text="x")
            services.fan_out_notifications(notification_ids=[rows[0].pk])
        assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_webhook_can_carry_other_kinds(company, http, django_capture_on_commit_callbacks):
    ChannelConfigFactory(kinds=["goal.returned"])
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=[company["alice"]], kind="goal.returned", text="Returned")
        services.notify(recipients=[company["alice"]], kind="goal.agreed", text="Agreed")
    assert [post["json"]["text"] for post in http.posts] == ["Returned"]


@pytest.mark.django_db
def test_inbox_switch_for_other_notifications_is_fixed(company):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.set_preference(
            person=company["alice"], kind="other", channel="in_app", enabled=False
        )
    assert "channel" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.set_preference(
            person=company["alice"], kind="nope", channel="email", enabled=False
        )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    ("name", "subject", "body", "url"),
    [
        ("Alice", "Your weekly check-in is due", "Please submit.", "/tracking/this-week/"),
        (
            'Zoë <b>"O\'Neil" & Co',
            "Missed <check-ins> & more",
            "Line one & <two>\nline 'three'\r\nfour\n\n",
            "/tracking/weekly-review/?week=2026-11-23&x=<1>",
        ),
        ("王小明", "你的每周签到", "请提交本周签到。", ""),
        ("", "", "", "https://example.com/a?b=1&c=2"),
    ],
)
def test_emails_rendered_once_read_as_rendered_for_each_message(
    company, language, name, subject, body, url, settings
):
    """The emails made from a template rendered once per language are, character for
    character, what rendering the templates for the message gives."""
    from django.template.loader import render_to_string

    person = company["alice"]
    person.display_name, person.language = name, language
    for site in ("http://127.0.0.1:8000", "https://okr.example.com/"):
        settings.SITE_URL = site
        context = {
            "person": person,
            "subject": subject,
            "body": body,
            "url": channels.absolute_url(url),
            "site_url": site,
            "preferences_url": channels.absolute_url("/notifications/preferences/"),
        }
        from django.utils import translation

        with translation.override(language):
            expected = (
                render_to_string("notifications/email/message.txt", context),
                render_to_string("notifications/email/message.html", context),
            )
        assert (
            channels.render_email(language=language, name=name, subject=subject, body=body, url=url)
            == expected
        )
        # A second message of the same language reuses the rendered template.
        assert (
            channels.render_email(language=language, name=name, subject=subject, body=body, url=url)
            == expected
        )


@pytest.mark.django_db
def test_sent_email_has_the_rendered_text_and_html(company, mailoutbox):
    from django.template.loader import render_to_string

    alice = company["alice"]
    delivery = Delivery.objects.create(
        recipient=alice,
        kind=ReminderKind.CHECK_IN,
        channel="email",
        subject="Due <now>",
        body="A & B\nC",
        url="/tracking/this-week/",
    )
    channels.send_email(delivery)
    (message,) = mailoutbox
    context = {
        "person": alice,
        "subject": "Due <now>",
        "body": "A & B\nC",
        "url": channels.absolute_url("/tracking/this-week/"),
        "site_url": channels.settings.SITE_URL,
        "preferences_url": channels.absolute_url("/notifications/preferences/"),
    }
    from django.utils import translation

    with translation.override(alice.language or "en"):
        assert message.body == render_to_string("notifications/email/message.txt", context)
        assert message.alternatives[0][0] == render_to_string(
            "notifications/email/message.html", context
        )


@pytest.mark.django_db
def test_delivery_batch_queries_grow_only_by_each_rows_sent_mark(company, http, mailoutbox):
    """A delivery batch reads its rows as values (no query per row or per recipient): with
    n and 3n deliveries (email and chat webhook, several recipients) the only queries that
    grow are the sent marks, one per row, written as each message goes out (in a transaction,
    as here, through the ORM; outside one on PostgreSQL, through the pipeline)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from notifications.services.delivery import deliver_many

    config = ChannelConfigFactory(kind="generic")
    people = [company[name] for name in ("alice", "bob", "erin", "dave")]

    def run(n):
        ids = [
            Delivery.objects.create(
                recipient=people[i % len(people)],
                kind=ReminderKind.CHECK_IN,
                channel="webhook" if i % 3 == 0 else "email",
                config=config if i % 3 == 0 else None,
                subject=f"Subject {i}",
                body="Body",
                url="/tracking/",
            ).pk
            for i in range(n)
        ]
        with CaptureQueriesContext(connection) as ctx:
            counts = deliver_many(delivery_ids=ids)
        assert counts == {"sent": n, "failed": 0, "retrying": 0}
        return len(ctx.captured_queries)

    few, many = run(6), run(18)
    assert many - few == 18 - 6
    assert len(mailoutbox) == 4 + 12
    assert len(http.posts) == 2 + 6
