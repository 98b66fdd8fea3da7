"""Deliveries: one message on one channel to one person.

A Delivery is claimed with a conditional update (pending → sending) before anything goes out,
so two executions of the same task never both send it. New deliveries go out in batches
(`deliver_many`: one claim and one email connection per batch, each result recorded as soon
as the channel has answered). A transient failure (network, 5xx, 429, SMTP trouble) puts the
row back to pending and hands it to `deliver`, which Celery retries with exponential backoff
up to MAX_ATTEMPTS in all; a permanent error or the last attempt leaves it failed with the
error, visible to admins on the runs page and in the admin.

A worker killed mid-send leaves its claimed rows in "sending"; the reminder dispatcher's sweep
puts them back to pending after STALE_SENDING and sends them again (`sweep` in
reminders/services/dispatcher.py, run by every dispatch). So nothing claimed is lost, and
everything recorded as sent stays sent. The one window that is at-least-once rather than
exactly-once is a kill after the mail server (or webhook) accepted a message and before its
row was marked sent, a few milliseconds per message: that one message goes out again. No
channel offers a way to close it (SMTP has no idempotent submit), so Keel prefers a rare
duplicate to a lost reminder.
"""

from __future__ import annotations

import logging
import select
import uuid
from collections.abc import Iterable
from contextlib import contextmanager

from django.core.mail import get_connection
from django.db import OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import F
from django.utils import timezone

from core.queue import enqueue
from notifications.channels import (
    SENDERS,
    DeliveryError,
    Outgoing,
    Recipient,
    TransientDeliveryError,
)
from notifications.kinds import Channel, default_enabled, preference_kind
from notifications.models import ChannelConfig, Delivery, Notification, NotificationPreference
from org.models import Person

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6  # the first try and five retries
DELIVERY_BATCH = 100  # deliveries per task (one SMTP connection, one status update)
FIRST_RETRY_DELAY = 30  # seconds; then Celery's exponential backoff


def preference_map(person_ids: Iterable[int]) -> dict[tuple[int, str, str], bool]:
    ids = list(person_ids)
    rows = NotificationPreference.objects.filter(person_id__in=ids) if ids else []
    return {(row.person_id, row.kind, row.channel): row.enabled for row in rows}


def channel_enabled(prefs: dict, person_id: int, kind: str, channel: str) -> bool:
    return prefs.get((person_id, preference_kind(kind), channel), default_enabled(kind, channel))


def active_webhooks() -> list[ChannelConfig]:
    return list(ChannelConfig.objects.filter(enabled=True))


def build_deliveries(
    *,
    person: Person,
    kind: str,
    subject: str,
    body: str,
    url: str,
    prefs: dict,
    webhooks: list[ChannelConfig],
    **links,
) -> list[Delivery]:
    """Unsaved email and webhook deliveries the person's preferences allow. `person` needs
    `user` and `unit` loaded."""
    rows = []
    common = {"recipient": person, "kind": kind, "subject": subject[:300], "body": body, "url": url}
    if channel_enabled(prefs, person.pk, kind, Channel.EMAIL) and person.user.email:
        rows.append(Delivery(channel=Channel.EMAIL, **common, **links))
    if channel_enabled(prefs, person.pk, kind, Channel.WEBHOOK):
        for config in webhooks:
            if config.carries(kind) and config.applies_to(person):
                rows.append(Delivery(channel=Channel.WEBHOOK, config=config, **common, **links))
    return rows


def enqueue_deliveries(ids: Iterable[int]) -> None:
    """Send after commit, in batches. A broker outage must not undo the business action: the
    pending rows are picked up again by the next reminder dispatch's sweep."""
    from notifications import tasks

    ids = [pk for pk in ids if pk]
    for start in range(0, len(ids), DELIVERY_BATCH):
        enqueue(tasks.deliver_batch, ids[start : start + DELIVERY_BATCH])


def fan_out_notifications(*, notification_ids: list[int]) -> list[Delivery]:
    """Email and webhook copies of in-app notifications, made once (notify() calls it in its
    own transaction)."""
    notifications = list(
        Notification.objects.filter(pk__in=notification_ids, deliveries__isnull=True)
        .select_related("recipient__user", "recipient__unit")
        .distinct()
    )
    if not notifications:
        return []
    prefs = preference_map({n.recipient_id for n in notifications})
    webhooks = active_webhooks()
    rows: list[Delivery] = []
    for notification in notifications:
        first_line = notification.text.splitlines()[0] if notification.text else notification.kind
        rows += build_deliveries(
            person=notification.recipient,
            kind=notification.kind,
            subject=first_line[:120],
            body=notification.text,
            url=notification.url,
            prefs=prefs,
            webhooks=webhooks,
            notification=notification,
        )
    with transaction.atomic():
        created = Delivery.objects.bulk_create(rows)
        enqueue_deliveries(row.pk for row in created)
    return created


def _finish(delivery_id: int, **fields) -> None:
    Delivery.objects.filter(pk=delivery_id).update(updated_at=timezone.now(), **fields)


def deliver(*, delivery_id: int, final: bool = False) -> str | None:
    """Send one delivery if it is still pending. Returns the resulting status, or None when
    another execution has it (or had it). Raises TransientDeliveryError to ask for a retry."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, updated_at=now
    )
    if not claimed:
        return None
    delivery = Delivery.objects.select_related("recipient__user", "config").get(pk=delivery_id)
    try:
        SENDERS[delivery.channel](delivery)
    except TransientDeliveryError as exc:
        if final or delivery.attempts >= MAX_ATTEMPTS:
            _finish(delivery_id, status=Delivery.Status.FAILED, last_error=str(exc)[:2000])
            logger.warning("Delivery %s failed for good: %s", delivery_id, exc)
            return Delivery.Status.FAILED
        _finish(delivery_id, status=Delivery.Status.PENDING, last_error=str(exc)[:2000])
        raise
    except DeliveryError as exc:
        _finish(delivery_id, status=Delivery.Status.FAILED, last_error=str(exc)[:2000])
        return Delivery.Status.FAILED
    except Exception as exc:  # a bug in a sender must not leave the row claimed forever
        _finish(
            delivery_id,
            status=Delivery.Status.FAILED,
            last_error=f"{exc.__class__.__name__}: {exc}"[:2000],
        )
        logger.exception("Delivery %s crashed", delivery_id)
        return Delivery.Status.FAILED
    _finish(delivery_id, status=Delivery.Status.SENT, sent_at=timezone.now(), last_error="")
    return Delivery.Status.SENT


def deliver_many(*, delivery_ids: list[int]) -> dict[str, int]:
    """First attempt of a batch of deliveries: claim the pending ones in one update (tagged with
    a fresh token), then send each (email over one connection) and record its result at once,
    so a batch killed halfway has marked everything it sent. Transient failures go back to
    pending and on to `deliver` one by one, which retries with backoff; permanent ones are
    failed. What a killed batch left in "sending" the sweep sends again (module docstring)."""
    token = uuid.uuid4().hex
    now = timezone.now()
    Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, attempts=F("attempts") + 1, claim=token, updated_at=now
    )
    rows = outgoing(Delivery.objects.filter(claim=token, status=Delivery.Status.SENDING))
    counts = {"sent": 0, "failed": 0, "retrying": 0}
    connection = get_connection() if any(r.channel == Channel.EMAIL for r in rows) else None
    with _marks_without_flush(), _marks(token, counts) as finish:
        _send_each(rows, connection, finish)
    return counts


OUTGOING_FIELDS = ("pk", "kind", "channel", "subject", "body", "url", "attempts", "config_id")
RECIPIENT_FIELDS = (
    "recipient_id",
    "recipient__display_name",
    "recipient__language",
    "recipient__user__email",
)


def outgoing(deliveries) -> list[Outgoing]:
    """The deliveries of a queryset in id order, as the senders read them, from their values
    (two queries; one when none goes to a chat webhook)."""
    rows = list(deliveries.order_by("pk").values_list(*OUTGOING_FIELDS, *RECIPIENT_FIELDS))
    config_ids = {row[7] for row in rows if row[7] is not None}
    configs = ChannelConfig.objects.in_bulk(config_ids) if config_ids else {}
    people: dict[int, Recipient] = {}
    result = []
    for pk, kind, channel, subject, body, url, attempts, config_id, *person in rows:
        recipient = people.get(person[0])
        if recipient is None:
            recipient = people[person[0]] = Recipient(*person)
        result.append(
            Outgoing(
                pk, kind, channel, subject, body, url, attempts, recipient, configs.get(config_id)
            )
        )
    return result


def _finish_factory(token: str, counts: dict[str, int]):
    def finish(delivery: Outgoing, outcome: str, **fields) -> None:
        counts[outcome] += 1
        Delivery.objects.filter(pk=delivery.pk, claim=token).update(
            updated_at=timezone.now(), **fields
        )

    return finish


@contextmanager
def _marks(token: str, counts: dict[str, int]):
    """How a batch records each result: on PostgreSQL outside a transaction, through libpq's
    pipeline mode (`PipelinedMarks`); elsewhere one ORM update per row."""
    if db_connection.vendor != "postgresql" or not db_connection.get_autocommit():
        yield _finish_factory(token, counts)
        return
    marks = PipelinedMarks(token, counts)
    with marks:
        yield marks.finish


class PipelinedMarks:
    """The results of a batch written in pipeline mode: each row's UPDATE goes to the server
    the moment its message has gone out, followed by a Sync, so the server commits each one
    on its own as it arrives, in order; the answers are read as they come and all of them at
    the end, instead of one round trip per row (11,000 per dispatch otherwise). A worker killed
    at any point has so written the mark of every message sent before the one in flight: that
    one message, at most, is sent again by the sweep, as before.

    libpq's pipeline through psycopg's `pq` layer (on the connection Django holds, in
    autocommit): psycopg's `Connection.pipeline()` waits for every answer at each `sync()`,
    which would bring back the round trip per row that this is here to remove. An UPDATE that
    failed fails the batch (after all its answers are read) with OperationalError: its task is
    retried, and rows left "sending" are the sweep's."""

    def __init__(self, token: str, counts: dict[str, int]):
        self.token, self.counts = token, counts
        table = db_connection.ops.quote_name(Delivery._meta.db_table)
        column = {
            name: db_connection.ops.quote_name(Delivery._meta.get_field(name).column)
            for name in ("status", "last_error", "updated_at", "sent_at", "id", "claim")
        }
        self.sql = (
            f"UPDATE {table} SET {column['status']} = $1, {column['last_error']} = $2, "
            f"{column['updated_at']} = $3::timestamptz, "
            f"{column['sent_at']} = COALESCE($4::timestamptz, {column['sent_at']}) "
            f"WHERE {column['id']} = $5 AND {column['claim']} = $6"
        ).encode()
        self.pending = 0  # Syncs sent whose answer has not been read
        self.errors: list[str] = []

    def __enter__(self):
        db_connection.ensure_connection()
        self.pgconn = db_connection.connection.pgconn
        self.pgconn.enter_pipeline_mode()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            while self.pending:
                self._read(block=True)
        finally:
            self.pgconn.exit_pipeline_mode()
        if self.errors and exc_type is None:
            raise OperationalError(f"Recording delivery results failed: {self.errors[0]}")

    def finish(self, delivery: Outgoing, outcome: str, **fields) -> None:
        self.counts[outcome] += 1
        sent_at = fields.get("sent_at")
        params = [
            str(fields["status"]).encode(),
            str(fields.get("last_error", "")).encode(),
            timezone.now().isoformat().encode(),
            sent_at.isoformat().encode() if sent_at else None,
            str(delivery.pk).encode(),
            self.token.encode(),
        ]
        self.pgconn.send_query_params(self.sql, params)
        self.pgconn.pipeline_sync()
        self.pending += 1
        self._flush()
        self._read(block=False)

    def _flush(self) -> None:
        while self.pgconn.flush():  # 1: more to send (a non-blocking socket that is full)
            self._wait(write=True)
            self.pgconn.consume_input()

    def _wait(self, *, write: bool = False) -> None:
        fd = self.pgconn.socket
        select.select([fd], [fd] if write else [], [])

    def _read(self, *, block: bool) -> None:
        """Take the answers that have arrived (block: at least one Sync's)."""
        from psycopg import pq

        self.pgconn.consume_input()
        ends = 0
        while self.pending:
            if ends > 1 or self.pgconn.is_busy():  # nothing more has arrived yet
                if not block:
                    return
                self._wait()
                self.pgconn.consume_input()
                ends = 0
                continue
            result = self.pgconn.get_result()
            if result is None:
                ends += 1  # the end of one statement's answers
                continue
            ends = 0
            if result.status == pq.ExecStatus.PIPELINE_SYNC:
                self.pending -= 1
                block = False
            elif result.status == pq.ExecStatus.FATAL_ERROR:
                message = result.error_message.decode(errors="replace").strip()
                self.errors.append(message)
                logger.error("Recording a delivery result failed: %s", message)


@contextmanager
def _marks_without_flush():
    """Each result is committed at once (a killed worker has marked everything it sent), but on
    PostgreSQL without waiting for the WAL to reach the disk (`synchronous_commit off`): 11,000
    marks cost 11,000 disk flushes otherwise, most of a dispatch's time. What this risks is
    a crash of the database server itself in the next fraction of a second losing the last
    marks, whose messages the sweep then sends again; the messages' rows were committed
    durably before sending began."""
    if db_connection.vendor != "postgresql":
        yield
        return
    with db_connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        with db_connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _send_each(rows: list[Outgoing], connection, finish) -> None:
    """Send each row and record its result before the next (email over one connection)."""
    from notifications import tasks

    try:
        for delivery in rows:
            try:
                SENDERS[delivery.channel](delivery, connection=connection)
            except TransientDeliveryError as exc:
                if delivery.attempts < MAX_ATTEMPTS:
                    finish(
                        delivery,
                        "retrying",
                        status=Delivery.Status.PENDING,
                        last_error=str(exc)[:2000],
                    )
                    enqueue(tasks.deliver, delivery.pk, countdown=FIRST_RETRY_DELAY)
                else:
                    finish(
                        delivery,
                        "failed",
                        status=Delivery.Status.FAILED,
                        last_error=str(exc)[:2000],
                    )
            except DeliveryError as exc:
                finish(
                    delivery, "failed", status=Delivery.Status.FAILED, last_error=str(exc)[:2000]
                )
            except Exception as exc:  # a sender bug must not leave the row claimed
                logger.exception("Delivery %s crashed", delivery.pk)
                error = f"{exc.__class__.__name__}: {exc}"[:2000]
                finish(delivery, "failed", status=Delivery.Status.FAILED, last_error=error)
            else:
                finish(
                    delivery,
                    "sent",
                    status=Delivery.Status.SENT,
                    sent_at=timezone.now(),
                    last_error="",
                )
    finally:
        if connection is not None:
            connection.close()
