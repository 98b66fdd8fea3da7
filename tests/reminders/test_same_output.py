"""The dispatch's output, character for character, as it was before its fast paths: a small
but realistic organisation (the synthetic seed: 150 people in Shanghai and New York, English
and Chinese, managers with teams, weeks of check-ins, some submitted and some missed) gets the
Friday nudges, the Monday reviews and the escalations, and every ReminderLog, Notification,
Delivery, email (text and HTML) and group digest is compared with the snapshot the reference
implementation (the per-object code of e.g. 1e43ebb) produced.

Regenerate the snapshot only for an intended change of output:
KEEL_REGENERATE_GOLDEN=1 pytest tests/reminders/test_same_output.py"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from pathlib import Path

import pytest
import time_machine

from notifications import services as notification_services
from notifications.kinds import Channel, ReminderKind
from notifications.models import (
    Absence,
    ChannelConfig,
    Delivery,
    Notification,
    ReminderLog,
    ReminderRun,
)

GOLDEN = Path(__file__).with_name("golden") / "dispatch_synthetic.json"
SEEDED_AT = dt.datetime(2026, 11, 25, 8, 0, tzinfo=dt.UTC)  # a Wednesday
# Friday 20:30 UTC, as the bench job: past 15:00 local in Shanghai and New York.
DISPATCH_AT = dt.datetime(2026, 11, 27, 20, 30, tzinfo=dt.UTC)


@pytest.fixture
def organisation(db):
    from demo.seed import goals as goals_seed
    from demo.seed import tracking as tracking_seed
    from demo.seed.org_synthetic import seed_synthetic

    with time_machine.travel(SEEDED_AT, tick=False):
        ctx = seed_synthetic(employees=150, weeks=4)
        goals_seed.seed(ctx)
        tracking_seed.seed(ctx)
        from goals.services import rollups

        rollups.rebuild_all()  # as seed_demo ends: the read models the team summaries read
    people = sorted(ctx.people.values(), key=lambda p: p.user.username)
    # A few people's own choices: no email, nothing at all, no inbox copy; one away all week;
    # one without an address; a group chat for the whole company.
    chosen = people[10:14]
    notification_services.set_preference(
        person=chosen[0], kind=ReminderKind.CHECK_IN, channel=Channel.EMAIL, enabled=False
    )
    for channel in Channel.values:
        if channel != Channel.IN_APP:
            notification_services.set_preference(
                person=chosen[1], kind=ReminderKind.CHECK_IN, channel=channel, enabled=False
            )
    Absence.objects.create(
        person=chosen[2], start=dt.date(2026, 11, 23), end=dt.date(2026, 11, 29), note="leave"
    )
    chosen[3].user.email = ""
    chosen[3].user.save()
    # Four reports fell silent for the two weeks before (their managers hear of it).
    from tracking.models import CheckIn

    CheckIn.objects.filter(
        person__in=list(people[20:24]),
        week__in=[dt.date(2026, 11, 9), dt.date(2026, 11, 16)],
    ).delete()
    ChannelConfig.objects.create(
        name="Company chat", kind="generic", url="https://chat.example.com/hook", language="en"
    )
    return ctx


def _snapshot(run: ReminderRun, mailoutbox, http) -> dict:
    def who(person_id):
        return names[person_id]

    from org.models import Person

    names = dict(Person.objects.values_list("pk", "user__username"))
    logs = {
        pk: (who(person_id), kind, period.isoformat())
        for pk, person_id, kind, period in ReminderLog.objects.values_list(
            "pk", "person_id", "kind", "period"
        )
    }
    notes = {
        pk: (who(recipient_id), kind)
        for pk, recipient_id, kind in Notification.objects.values_list("pk", "recipient_id", "kind")
    }
    return {
        "run": {"due": run.due, "batches": run.batches},
        "logs": sorted(
            [who(p), kind, period.isoformat(), status, reason, run_id == run.pk]
            for p, kind, period, status, reason, run_id in ReminderLog.objects.values_list(
                "person_id", "kind", "period", "status", "reason", "run_id"
            )
        ),
        "notifications": sorted(
            [who(p), kind, text, json.dumps(message, sort_keys=True), url, read_at is None]
            for p, kind, text, message, url, read_at in Notification.objects.values_list(
                "recipient_id", "kind", "text", "message", "url", "read_at"
            )
        ),
        "deliveries": sorted(
            [
                who(row["recipient_id"]),
                row["kind"],
                row["channel"],
                row["config__name"],
                row["subject"],
                row["body"],
                row["url"],
                row["status"],
                row["attempts"],
                row["last_error"],
                row["sent_at"].isoformat() if row["sent_at"] else None,
                list(notes[row["notification_id"]]) if row["notification_id"] else None,
                list(logs[row["reminder_log_id"]]) if row["reminder_log_id"] else None,
                row["run_id"] == run.pk,
            ]
            for row in Delivery.objects.values(
                "recipient_id",
                "kind",
                "channel",
                "config__name",
                "subject",
                "body",
                "url",
                "status",
                "attempts",
                "last_error",
                "sent_at",
                "notification_id",
                "reminder_log_id",
                "run_id",
            )
        ),
        "emails": sorted(
            [
                m.to,
                m.subject,
                m.body,
                [[content, mimetype] for content, mimetype in m.alternatives],
                m.from_email,
            ]
            for m in mailoutbox
        ),
        "posts": sorted(
            json.dumps(_named(post["json"], names), sort_keys=True) for post in http.posts
        ),
    }


def _stable_ids(snapshot: dict) -> dict:
    """Resource requests' ids in links as their rank (1, 2, …): the snapshot was taken on a
    fresh database, where they were 1 and 2; in a whole suite the ids come after other
    tests' rows (sequences are not rolled back)."""
    from resources.models import ResourceRequest

    rank = {
        str(pk): str(n)
        for n, pk in enumerate(
            ResourceRequest.objects.order_by("pk").values_list("pk", flat=True), 1
        )
    }

    def renamed(value):
        text = re.sub(
            r"/tracking/requests/(\d+)/",
            lambda m: f"/tracking/requests/{rank.get(m.group(1), m.group(1))}/",
            json.dumps(value, ensure_ascii=False),
        )
        return json.loads(text)

    return {
        part: sorted(renamed(value)) if isinstance(value, list) else renamed(value)
        for part, value in snapshot.items()
    }


def _named(payload: dict, names: dict) -> dict:
    """A generic digest's people by username instead of database id."""
    due = payload.get("due")
    if due:
        payload = {
            **payload,
            "due": {
                kind: [{**item, "id": names[item["id"]]} for item in items]
                for kind, items in due.items()
            },
        }
    return payload


@pytest.mark.django_db
def test_dispatch_sends_what_the_reference_sent(
    organisation, run_dispatch, mailoutbox, http, settings
):
    settings.REMINDER_EXPIRY_HOURS = 24 * 7  # the whole week's reminders in one dispatch
    with time_machine.travel(DISPATCH_AT, tick=False):
        run = run_dispatch(DISPATCH_AT)
    snapshot = _stable_ids(json.loads(json.dumps(_snapshot(run, mailoutbox, http))))
    # The organisation is what the snapshot was made from, and everything kind of reminder and
    # outcome is in it.
    kinds = {(kind, status) for _p, kind, _d, status, _r, _run in snapshot["logs"]}
    assert {(ReminderKind.CHECK_IN, "sent"), (ReminderKind.CHECK_IN, "skipped")} <= kinds
    assert {(ReminderKind.WEEKLY_REVIEW, "sent"), (ReminderKind.ESCALATION, "sent")} <= kinds
    if os.environ.get("KEEL_REGENERATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(snapshot, ensure_ascii=False, indent=1) + "\n")
    expected = json.loads(GOLDEN.read_text())
    for part in expected:
        assert snapshot[part] == expected[part], part
