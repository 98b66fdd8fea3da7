"""A notification is worded in the language of whoever reads it, when they read it: the inbox,
the home page and the API re-word the stored message; the e-mail and chat copies carry the
recipient's language at the time it was sent."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy, gettext_noop

from goals.models import TargetAdjustment
from notifications.messages import Message
from notifications.models import Notification
from notifications.services import notify

HX = {"HTTP_HX_REQUEST": "true"}
AGREED = gettext_noop("%(who)s agreed the goal “%(goal)s”.")


class TestMessage:
    def test_round_trip_keeps_dates_and_nested_labels(self):
        message = Message(
            gettext_noop("The target of “%(kr)s” changed from %(old)s to %(new)s (%(reason)s)."),
            kr="Revenue",
            old="10",
            new="12",
            reason=TargetAdjustment.Reason.MARKET.label,
        )
        again = Message.from_json(message.to_json())
        assert again == message
        with translation.override("en"):
            expected = "The target of “Revenue” changed from 10 to 12 (Market change)."
            assert again.render() == expected
        with translation.override("zh-hans"):
            text = again.render()
        assert "Revenue" in text and "Market change" not in text and "“" in text

    def test_a_lazy_label_is_stored_as_its_source_text(self):
        with translation.override("zh-hans"):
            data = Message(gettext_noop("%(reason)s"), reason=gettext_lazy("Market")).to_json()
        assert data["params"]["reason"] == {"$message": {"msgid": "Market", "params": {}}}

    def test_dates_in_the_readers_format(self):
        message = Message.from_json(
            Message(
                gettext_noop("%(name)s left feedback on your check-in for the week of %(week)s."),
                name="Bob",
                week=dt.date(2026, 3, 2),
            ).to_json()
        )
        with translation.override("en"):
            assert "March 2, 2026" in message.render()
        with translation.override("zh-hans"):
            assert "2026年3月2日" in message.render()

    def test_a_datetime_is_refused(self):
        with pytest.raises(TypeError):
            Message("%(at)s", at=dt.datetime(2026, 1, 1)).to_json()


@pytest.mark.django_db
class TestReadInTheReadersLanguage:
    def _agreed(self, company):
        alice = company["alice"]
        notify(
            recipients=[alice],
            kind="goal_agreed",
            text=Message(AGREED, who="Bob", goal="Win Q4"),
            url="/goals/1/",
        )
        return Notification.objects.get(recipient=alice)

    def test_stored_in_the_recipients_language_for_mail_and_chat(self, company):
        company["alice"].language = "zh-hans"
        company["alice"].save(update_fields=["language"])
        item = self._agreed(company)
        with translation.override("zh-hans"):
            expected = Message(AGREED, who="Bob", goal="Win Q4").render()
        assert item.text == expected and expected != "Bob agreed the goal “Win Q4”."
        assert item.message == {"msgid": AGREED, "params": {"who": "Bob", "goal": "Win Q4"}}

    def test_inbox_rewords_after_the_reader_changes_language(self, company, login):
        item = self._agreed(company)
        assert item.text == "Bob agreed the goal “Win Q4”."
        alice = company["alice"]
        alice.language = "zh-hans"
        alice.save(update_fields=["language"])
        with translation.override("zh-hans"):
            chinese = Message(AGREED, who="Bob", goal="Win Q4").render()
        client = login(alice)
        inbox = client.get(reverse("notifications:inbox"), **HX).content.decode()
        assert chinese in inbox and "agreed the goal" not in inbox
        home = client.get(reverse("home")).content.decode()
        assert chinese[:20] in home

    def test_api_answers_in_the_language_asked_for(self, company, api):
        self._agreed(company)
        alice = company["alice"]
        alice.language = "zh-hans"
        alice.save(update_fields=["language"])
        client = api.as_(alice)
        rows = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
        rows = rows["results"]
        with translation.override("zh-hans"):
            assert rows[0]["text"] == Message(AGREED, who="Bob", goal="Win Q4").render()

    def test_older_rows_without_a_message_keep_their_text(self, company, login):
        Notification.objects.create(recipient=company["alice"], kind="x", text="Plain words")
        inbox = login(company["alice"]).get(reverse("notifications:inbox"), **HX)
        assert "Plain words" in inbox.content.decode()
