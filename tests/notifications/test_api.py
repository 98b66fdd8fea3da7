"""API: own inbox only, mark read, reminder settings."""

import pytest

from notifications.kinds import ReminderKind
from notifications.models import Notification, ReminderSchedule
from tests.notifications.factories import NotificationFactory

URL = "/api/v1/notifications/"


@pytest.mark.django_db
class TestInbox:
    def test_lists_own_notifications_only(self, company, api):
        mine = NotificationFactory(recipient=company["alice"])
        NotificationFactory(recipient=company["bob"])
        response = api.as_(company["alice"]).get(URL)
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == [mine.pk]

    def test_unread_filter(self, company, api):
        unread = NotificationFactory(recipient=company["alice"])
        read = NotificationFactory(recipient=company["alice"])
        api.as_(company["alice"]).post(f"{URL}{read.pk}/read/")
        ids = [
            r["id"]
            for r in api.as_(company["alice"]).get(URL, {"unread": "true"}).json()["results"]
        ]
        assert ids == [unread.pk]
        ids = [r["id"] for r in api.get(URL, {"unread": "false"}).json()["results"]]
        assert ids == [read.pk]

    def test_bad_filter_is_400(self, company, api):
        response = api.as_(company["alice"]).get(URL, {"unread": "perhaps"})
        assert response.status_code == 400
        assert "unread" in response.json()

    @pytest.mark.parametrize("viewer", ["bob", "zed", "carol", "dave"])
    def test_someone_elses_notification_is_404(self, company, api, viewer):
        theirs = NotificationFactory(recipient=company["alice"])
        client = api.as_(company[viewer])
        assert client.get(f"{URL}{theirs.pk}/").status_code == 404
        assert client.post(f"{URL}{theirs.pk}/read/").status_code == 404
        theirs.refresh_from_db()
        assert theirs.read_at is None

    def test_mark_read_and_read_all(self, company, api):
        one, two = (NotificationFactory(recipient=company["alice"]) for _ in range(2))
        other = NotificationFactory(recipient=company["bob"])
        client = api.as_(company["alice"])
        response = client.post(f"{URL}{one.pk}/read/")
        assert response.status_code == 200 and response.json()["is_read"] is True
        response = client.post(f"{URL}read-all/")
        assert response.json() == {"marked": 1}
        assert not Notification.objects.filter(recipient=company["alice"], read_at=None).exists()
        other.refresh_from_db()
        assert other.read_at is None

    def test_anonymous_is_refused(self, api, db):
        assert api.get(URL).status_code in (401, 403)

    @pytest.mark.parametrize("rows", [3, 30])
    def test_query_count_bounded(self, company, api, django_assert_max_num_queries, rows):
        NotificationFactory.create_batch(rows, recipient=company["alice"])
        client = api.as_(company["alice"])
        with django_assert_max_num_queries(5):
            response = client.get(URL)
        assert response.json()["count"] == rows


SETTINGS = "/api/v1/reminder-settings/"


@pytest.mark.django_db
class TestReminderSettings:
    def test_defaults_then_own_override(self, company, api):
        client = api.as_(company["alice"])
        rows = {r["kind"]: r for r in client.get(SETTINGS).json()}
        assert rows[ReminderKind.CHECK_IN] == {
            "kind": ReminderKind.CHECK_IN,
            "weekday": 4,
            "time": "15:00",
            "enabled": True,
            "overridden": False,
        }
        response = client.patch(
            f"{SETTINGS}{ReminderKind.CHECK_IN}/", {"time": "16:30", "enabled": False}
        )
        assert response.status_code == 200
        assert response.json()["time"] == "16:30" and response.json()["overridden"] is True
        override = ReminderSchedule.objects.get(person=company["alice"])
        assert (override.weekday, override.enabled) == (4, False)
        # bob's settings are untouched
        bob_rows = {r["kind"]: r for r in api.as_(company["bob"]).get(SETTINGS).json()}
        assert bob_rows[ReminderKind.CHECK_IN]["overridden"] is False
        client = api.as_(company["alice"])
        assert client.delete(f"{SETTINGS}{ReminderKind.CHECK_IN}/").status_code == 204
        assert not ReminderSchedule.objects.filter(person=company["alice"]).exists()

    def test_bad_input_is_400(self, company, api):
        client = api.as_(company["alice"])
        response = client.patch(f"{SETTINGS}{ReminderKind.CHECK_IN}/", {"weekday": 9, "time": "x"})
        assert response.status_code == 400
        assert set(response.json()) == {"weekday", "time"}
        assert client.patch(f"{SETTINGS}reminder.nope/", {"weekday": 1}).status_code == 404

    def test_only_admins_edit_defaults(self, company, api):
        url = f"{SETTINGS}defaults/{ReminderKind.WEEKLY_REVIEW}/"
        assert api.as_(company["bob"]).patch(url, {"time": "10:00"}).status_code == 403
        assert not ReminderSchedule.objects.exists()
        response = api.as_(company["zed"]).patch(url, {"time": "10:00", "weekday": 1})
        assert response.status_code == 200
        row = ReminderSchedule.objects.get(person=None, kind=ReminderKind.WEEKLY_REVIEW)
        assert (row.weekday, row.time.hour) == (1, 10)
        defaults = api.as_(company["alice"]).get(f"{SETTINGS}defaults/").json()
        assert {d["kind"]: d["time"] for d in defaults}[ReminderKind.WEEKLY_REVIEW] == "10:00"
