"""Alignment and coordination meetings: recorded from the weekly review or the alignment review
with participants, goals discussed, decisions and actions; actions appear in their owners'
check-ins and are reminded once a day when overdue; searchable; seen only by those who follow
someone in them."""

import datetime as dt

import pytest

from coordination import services
from coordination.models import Meeting, MeetingAction
from notifications.models import Notification

pytestmark = pytest.mark.django_db

DUE = dt.date(2026, 11, 20)


def _body(company, story, **extra):
    return {
        "kind": "alignment",
        "title": "Q4 alignment: leads for Sales",
        "held_on": "2026-11-16",
        "participants": [company["bob"].pk, company["mia"].pk],
        "goals": [story["dave_goal"].pk],
        "decisions": "Marketing hands 300 qualified leads to Sales by mid-December.",
        "actions": [
            {
                "text": "Agree the lead definition",
                "owner": company["mia"].pk,
                "due_on": "2026-11-20",
            }
        ],
        **extra,
    }


def _meeting(company, story):
    return services.record_meeting(
        actor=company["bob"],
        kind="alignment",
        title="Q4 alignment",
        held_on=dt.date(2026, 11, 16),
        decisions="Leads definition agreed in principle",
        participants=[company["bob"], company["mia"], company["alice"]],
        goals=[story["dave_goal"]],
        actions=[{"text": "Call the top ten accounts", "owner": company["alice"], "due_on": DUE}],
    )


def test_record_a_meeting_through_the_api(api, company, story):
    res = api.as_(company["bob"]).post("/api/v1/meetings/", _body(company, story), format="json")
    assert res.status_code == 201, res.data
    assert res.data["actions"][0]["owner_name"] == company["mia"].display_name
    assert Notification.objects.filter(recipient=company["mia"], kind="meeting_action").exists()
    meeting = Meeting.objects.get()
    assert list(meeting.goals.all()) == [story["dave_goal"]]
    assert meeting.history.count() == 1


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"participants": []}, "participants"),
        ({"participants": [999999]}, "participants"),
        ({"decisions": ""}, "decisions"),
        ({"goals": [999999]}, "goals"),
        ({"actions": [{"text": "x", "owner": 999999, "due_on": "2026-11-20"}]}, "actions"),
        ({"kind": "party"}, "kind"),
        ({"held_on": "yesterday"}, "held_on"),
    ],
)
def test_invalid_meetings_are_400_and_nothing_saved(api, company, story, extra, field):
    res = api.as_(company["bob"]).post(
        "/api/v1/meetings/", _body(company, story, **extra), format="json"
    )
    assert res.status_code == 400, res.data
    assert field in res.data
    assert not Meeting.objects.exists() and not MeetingAction.objects.exists()


def test_an_action_owner_outside_the_meeting_is_400(api, company, story):
    body = _body(company, story)
    body["actions"][0]["owner"] = company["erin"].pk
    res = api.as_(company["bob"]).post("/api/v1/meetings/", body, format="json")
    assert res.status_code == 400 and "actions" in res.data
    assert not Meeting.objects.exists()


def test_employees_do_not_record_meetings(api, company, story):
    res = api.as_(company["alice"]).post("/api/v1/meetings/", _body(company, story), format="json")
    assert res.status_code == 403


def test_visibility_and_search(api, company, story):
    meeting = _meeting(company, story)
    ids = lambda who, q="": [  # noqa: E731
        m["id"] for m in api.as_(company[who]).get(f"/api/v1/meetings/?q={q}").data["results"]
    ]
    assert meeting.pk in ids("alice") and meeting.pk in ids("zed") and meeting.pk in ids("mia")
    assert meeting.pk not in ids("dave")  # his manager took part, not someone he follows
    assert meeting.pk not in ids("erin")  # follows nobody in it
    assert api.as_(company["erin"]).get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404
    assert ids("alice", "definition") == [meeting.pk]
    assert ids("alice", "top ten") == [meeting.pk]
    assert ids("alice", "nothing-like-this") == []


def test_actions_show_in_the_owner_check_in_and_are_completed(login, company, story):
    meeting = _meeting(company, story)
    action = meeting.actions.get()
    client = login(company["alice"])
    part = client.get("/coordination/actions/").content.decode()
    assert "Call the top ten accounts" in part
    page = client.get("/tracking/").content.decode()
    assert 'hx-get="/coordination/actions/"' in page
    # Her manager sees them from her check-in; a peer does not.
    assert (
        "top ten"
        in login(company["bob"])
        .get(f"/coordination/actions/?person={company['alice'].pk}")
        .content.decode()
    )
    assert (
        "top ten"
        not in login(company["erin"])
        .get(f"/coordination/actions/?person={company['alice'].pk}")
        .content.decode()
    )
    assert (
        login(company["erin"]).post(f"/coordination/actions/{action.pk}/complete/").status_code
        == 404
    )
    client = login(company["alice"])  # one test client: sign her in again
    res = client.post(f"/coordination/actions/{action.pk}/complete/", HTTP_HX_REQUEST="true")
    assert res.status_code == 200 and "top ten" not in res.content.decode()
    action.refresh_from_db()
    assert action.done_at is not None


def test_overdue_actions_are_reminded_once_a_day(company, story, _today):
    _meeting(company, story)
    assert services.remind_overdue_actions(today=DUE) == 0  # due today: not overdue yet
    assert services.remind_overdue_actions(today=DUE + dt.timedelta(days=1)) == 1
    assert services.remind_overdue_actions(today=DUE + dt.timedelta(days=1)) == 0
    assert services.remind_overdue_actions(today=DUE + dt.timedelta(days=2)) == 1
    notes = Notification.objects.filter(recipient=company["alice"], kind="meeting_action_overdue")
    assert notes.count() == 2


def test_the_reminder_dispatch_reminds_overdue_actions(company, story, _today):
    from reminders.services.dispatcher import dispatch

    _meeting(company, story)
    _today.move_to(dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC))
    dispatch(inline=True)
    assert Notification.objects.filter(kind="meeting_action_overdue").count() == 1


def test_pages(login, company, story):
    client = login(company["bob"])
    res = client.get("/coordination/meetings/new/?from=weekly_review")
    assert res.status_code == 200
    res = client.post(
        "/coordination/meetings/new/?from=weekly_review",
        {
            "kind": "coordination",
            "title": "Weekly sync with Marketing",
            "held_on": "2026-11-16",
            "participants": [company["bob"].pk, company["alice"].pk],
            "decisions": "Share the lead list every Monday",
            "action_0_text": "Send the list",
            "action_0_owner": company["alice"].pk,
            "action_0_due": "2026-11-23",
        },
    )
    assert res.status_code == 302, res.content.decode()[:2000]
    meeting = Meeting.objects.get()
    assert meeting.source == "weekly_review" and meeting.actions.count() == 1
    page = client.get(f"/coordination/meetings/{meeting.pk}/").content.decode()
    assert "Share the lead list" in page and "Send the list" in page
    assert "Weekly sync" in client.get("/coordination/meetings/?q=lead+list").content.decode()
    res = client.post("/coordination/meetings/new/", {"title": "x"})
    assert res.status_code == 400 and Meeting.objects.count() == 1
    assert login(company["alice"]).get("/coordination/meetings/new/").status_code == 403


@pytest.mark.parametrize("n", [3, 30])
def test_meeting_query_bounds(api, login, company, story, n, django_assert_max_num_queries):
    for _ in range(n):
        _meeting(company, story)
    with django_assert_max_num_queries(14):
        res = api.as_(company["alice"]).get("/api/v1/meetings/")
    assert res.data["count"] == n
    client = login(company["alice"])
    with django_assert_max_num_queries(12):
        assert client.get("/coordination/meetings/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/coordination/actions/").status_code == 200
