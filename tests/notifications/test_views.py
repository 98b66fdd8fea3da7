"""Pages: inbox, bell, mark read (htmx), preferences, the admins' runs page."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from notifications.kinds import ReminderKind
from notifications.models import Absence, NotificationPreference, ReminderSchedule
from reminders import services as reminder_services
from tests.notifications.factories import ChannelConfigFactory, NotificationFactory

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.django_db
class TestInbox:
    def test_shows_own_notifications(self, company, login):
        NotificationFactory(recipient=company["alice"], text="Your goal was agreed")
        NotificationFactory(recipient=company["bob"], text="Secret for bob")
        page = login(company["alice"]).get(reverse("notifications:inbox")).content.decode()
        assert "Your goal was agreed" in page and "Secret for bob" not in page

    def test_htmx_list_partial(self, company, login):
        NotificationFactory(recipient=company["alice"], text="hello there")
        response = login(company["alice"]).get(reverse("notifications:inbox") + "?unread=1", **HX)
        body = response.content.decode()
        assert "hello there" in body and "<html" not in body
        assert response["Vary"].count("HX-Request") == 1

    def test_bell_counts_unread(self, company, login):
        NotificationFactory.create_batch(3, recipient=company["alice"])
        NotificationFactory(recipient=company["bob"])
        body = login(company["alice"]).get(reverse("notifications:bell"), **HX).content.decode()
        assert body.startswith('<a class="bell"')
        assert '<span class="count">3</span>' in body
        assert 'hx-swap="outerHTML"' in body and "every 60s" in body

    def test_bell_in_navigation(self, company, login):
        page = login(company["alice"]).get(reverse("notifications:inbox")).content.decode()
        assert reverse("notifications:bell") in page

    def test_mark_read_htmx(self, company, login):
        item = NotificationFactory(recipient=company["alice"], text="read me")
        client = login(company["alice"])
        response = client.post(reverse("notifications:read", args=[item.pk]), **HX)
        assert response.status_code == 200
        assert "notifications-changed" in response["HX-Trigger"]
        assert "Mark read" not in response.content.decode()
        item.refresh_from_db()
        assert item.read_at is not None

    def test_mark_all_read_htmx(self, company, login):
        NotificationFactory.create_batch(2, recipient=company["alice"])
        theirs = NotificationFactory(recipient=company["bob"])
        response = login(company["alice"]).post(reverse("notifications:read-all"), **HX)
        assert response.status_code == 200
        assert not company["alice"].notifications.filter(read_at=None).exists()
        theirs.refresh_from_db()
        assert theirs.read_at is None

    @pytest.mark.parametrize("viewer", ["bob", "zed", "carol"])
    def test_cannot_mark_someone_elses(self, company, login, viewer):
        item = NotificationFactory(recipient=company["alice"])
        response = login(company[viewer]).post(reverse("notifications:read", args=[item.pk]), **HX)
        assert response.status_code == 404
        item.refresh_from_db()
        assert item.read_at is None

    @pytest.mark.parametrize("rows", [3, 30])
    def test_inbox_queries_bounded(self, company, login, django_assert_max_num_queries, rows):
        NotificationFactory.create_batch(rows, recipient=company["alice"])
        client = login(company["alice"])
        with django_assert_max_num_queries(12):
            response = client.get(reverse("notifications:inbox"))
        assert response.status_code == 200

    def test_login_required(self, client, db):
        response = client.get(reverse("notifications:inbox"))
        assert response.status_code == 302


@pytest.mark.django_db
class TestPreferences:
    def test_switch_channels_off(self, company, login):
        client = login(company["alice"])
        assert client.get(reverse("notifications:preferences")).status_code == 200
        data = {"action": "channels", f"{ReminderKind.CHECK_IN}:in_app": "on"}
        response = client.post(reverse("notifications:preferences"), data)
        assert response.status_code == 302
        prefs = {
            (p.kind, p.channel): p.enabled
            for p in NotificationPreference.objects.filter(person=company["alice"])
        }
        assert prefs[(ReminderKind.CHECK_IN, "email")] is False
        assert (ReminderKind.CHECK_IN, "in_app") not in prefs  # unchanged default
        assert prefs[("other", "email")] is False

    def test_own_schedule_and_errors(self, company, login):
        client = login(company["alice"])
        prefix = ReminderKind.CHECK_IN.replace(".", "-")
        url = reverse("notifications:preferences")
        bad = client.post(
            url,
            {
                "action": "schedule",
                "kind": ReminderKind.CHECK_IN,
                f"{prefix}-weekday": "3",
                f"{prefix}-time": "25:99",
            },
        )
        assert bad.status_code == 200
        assert "errorlist" in bad.content.decode()
        client.post(
            url,
            {
                "action": "schedule",
                "kind": ReminderKind.CHECK_IN,
                f"{prefix}-weekday": "3",
                f"{prefix}-time": "16:00",
            },
        )
        row = ReminderSchedule.objects.get(person=company["alice"])
        assert (row.weekday, row.time, row.enabled) == (3, dt.time(16), False)
        client.post(url, {"action": "schedule", "kind": ReminderKind.CHECK_IN, "reset": "1"})
        assert not ReminderSchedule.objects.filter(person=company["alice"]).exists()

    def test_absence(self, company, login):
        client = login(company["alice"])
        url = reverse("notifications:preferences")
        bad = client.post(url, {"action": "absence", "start": "2026-12-05", "end": "2026-12-01"})
        assert "cannot end before" in bad.content.decode()
        client.post(url, {"action": "absence", "start": "2026-12-01", "end": "2026-12-05"})
        absence = Absence.objects.get(person=company["alice"])
        other = login(company["bob"]).post(url, {"action": "delete-absence", "absence": absence.pk})
        assert other.status_code == 404
        assert Absence.objects.filter(pk=absence.pk).exists()


@pytest.mark.django_db
class TestRuns:
    def test_admin_sees_runs_with_counts_and_failures(
        self, company, login, http, django_capture_on_commit_callbacks
    ):
        ChannelConfigFactory(name="Sales bot")
        http.status = 404
        with (
            time_machine.travel(dt.datetime(2026, 11, 27, 16, tzinfo=dt.UTC), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            reminder_services.dispatch(inline=True)
        page = login(company["zed"]).get(reverse("notifications:runs")).content.decode()
        assert "2026-11-27 16:00" in page
        # The group's one digest of the run failed, with the answer (listed in the admin).
        from reminders.models import GroupDigest

        digest = GroupDigest.objects.select_related("config").get()
        assert (digest.config.name, digest.status, digest.last_error) == (
            "Sales bot",
            "failed",
            "HTTP 404: {}",
        )

    @pytest.mark.parametrize("viewer", ["alice", "bob", "carol"])
    def test_not_for_others(self, company, login, viewer):
        assert login(company[viewer]).get(reverse("notifications:runs")).status_code == 403

    @pytest.mark.parametrize("runs", [3, 30])
    def test_runs_queries_bounded(self, company, login, django_assert_max_num_queries, runs):
        for minute in range(runs):
            reminder_services.dispatch(now=dt.datetime(2026, 11, 2, 1, minute, tzinfo=dt.UTC))
        client = login(company["zed"])
        with django_assert_max_num_queries(14):
            assert client.get(reverse("notifications:runs")).status_code == 200
