"""Group digests: a reminder dispatch posts at most one message per chat group, naming who is
due for each reminder, in the group's language; never one message per person.

Each batch of a dispatch records that it finished (DispatchBatch) and then asks for the run's
digests (`send_group_digests`, after its commit); the call that finds every batch finished
makes one GroupDigest row per chat webhook that has someone to name (unique per run and
webhook, so racing calls make it once) and posts the rows it claims. A run whose batches have
not all finished after STALE_RUN (a batch that failed for good) gets its digests anyway from
the dispatcher's sweep, naming whom its finished batches reminded; the sweep also sends again
digests left pending (a transient error, a lost task) or stuck sending (a dead worker).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.channels import (
    DeliveryError,
    TransientDeliveryError,
    absolute_url,
    bot_text_payload,
    post_to_bot,
)
from notifications.kinds import REMINDER_KINDS, Channel, ReminderKind
from notifications.models import ChannelConfig, ReminderLog, ReminderRun
from notifications.services.delivery import active_webhooks, channel_enabled, preference_map
from org.models import Person
from reminders.models import DispatchBatch, GroupDigest

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
NAMES_PER_KIND = 40  # WeCom group bots take 2,048 bytes of text
STALE_RUN = dt.timedelta(minutes=30)
DIGEST_KIND = "reminder.digest"

HEADINGS = {
    ReminderKind.CHECK_IN: _("Weekly check-in due (%(count)s): %(names)s"),
    ReminderKind.WEEKLY_REVIEW: _("Weekly team review due (%(count)s): %(names)s"),
    ReminderKind.ESCALATION: _("Missed check-ins to follow up (%(count)s): %(names)s"),
}


def finish_batch(*, run_id: int, index: int) -> None:
    """Record, in the batch's transaction, that batch `index` of the run has finished."""
    DispatchBatch.objects.bulk_create(
        [DispatchBatch(run_id=run_id, index=index)], ignore_conflicts=True
    )


def _complete(run: ReminderRun) -> bool:
    return DispatchBatch.objects.filter(run=run).count() >= run.batches


def make_digests(run: ReminderRun) -> int:
    """One digest row per enabled chat webhook with someone to name: the people this run
    reminded (log status sent) whom the webhook covers (its unit subtree, its kinds) and who
    have not switched chat reminders off. Answers how many rows it made."""
    logs = list(
        ReminderLog.objects.filter(run=run, status=ReminderLog.Status.SENT).values_list(
            "person_id", "kind"
        )
    )
    configs = active_webhooks()
    if not logs or not configs:
        return 0
    ids = {pk for pk, _kind in logs}
    people = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("unit")}
    prefs = preference_map(ids)
    rows = []
    for config in configs:
        named: dict[str, list[int]] = {}
        for pk, kind in logs:
            person = people.get(pk)
            if (
                person is not None
                and config.carries(kind)
                and config.applies_to(person)
                and channel_enabled(prefs, pk, kind, Channel.WEBHOOK)
            ):
                named.setdefault(kind, []).append(pk)
        for pks in named.values():
            pks.sort(key=lambda pk: (people[pk].display_name.casefold(), pk))
        if named:
            rows.append(GroupDigest(run=run, config=config, people=named))
    GroupDigest.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def digest_text(config: ChannelConfig, people: dict[str, list[int]], names: dict[int, str]) -> str:
    """The digest in the group's language: a heading, then one line per reminder kind naming
    who is due (at most NAMES_PER_KIND names, then how many more), then the link."""
    with translation.override(config.language):
        lines = [gettext("Keel reminders")]
        for kind in REMINDER_KINDS:
            listed = sorted(
                (names[pk] for pk in people.get(kind, []) if pk in names), key=str.casefold
            )
            if not listed:
                continue
            shown = gettext(", ").join(listed[:NAMES_PER_KIND])
            if len(listed) > NAMES_PER_KIND:
                shown = gettext("%(names)s and %(count)s more") % {
                    "names": shown,
                    "count": len(listed) - NAMES_PER_KIND,
                }
            lines.append(str(HEADINGS[ReminderKind(kind)]) % {"count": len(listed), "names": shown})
        lines.append(absolute_url("/"))
    return "\n".join(lines)


def digest_payload(config: ChannelConfig, people: dict[str, list[int]], names: dict[int, str]):
    text = digest_text(config, people, names)
    payload = bot_text_payload(config, text)
    if payload is not None:
        return payload
    # The generic JSON webhook: ids and names only.
    return {
        "kind": DIGEST_KIND,
        "language": config.language,
        "text": text,
        "due": {
            kind: [{"id": pk, "name": names[pk]} for pk in ids if pk in names]
            for kind, ids in people.items()
        },
    }


def send_group_digests(*, run_id: int, force: bool = False) -> dict[str, int]:
    """Post the run's digests once all its batches have finished (`force`, from the sweep:
    whatever has, and post again digests left pending). Safe to call any number of times:
    each digest row is claimed before it is posted."""
    counts = {"sent": 0, "failed": 0, "retrying": 0}
    run = ReminderRun.objects.filter(pk=run_id).first()
    if run is None or not (force or _complete(run)):
        return counts
    if not GroupDigest.objects.filter(run=run).exists():
        make_digests(run)
    elif not force:
        return counts  # made by another batch's call; retries are the sweep's (force)
    token = uuid.uuid4().hex
    GroupDigest.objects.filter(run=run, status=GroupDigest.Status.PENDING).update(
        status=GroupDigest.Status.SENDING,
        claim=token,
        attempts=F("attempts") + 1,
        updated_at=timezone.now(),
    )
    digests = list(GroupDigest.objects.filter(claim=token).select_related("config"))
    if not digests:
        return counts
    ids = {pk for d in digests for pks in d.people.values() for pk in pks}
    names = dict(Person.objects.filter(pk__in=ids).values_list("pk", "display_name"))
    for digest in digests:
        fields: dict = {"last_error": ""}
        try:
            if not digest.config.enabled:
                raise DeliveryError("The chat webhook is disabled.")
            post_to_bot(digest.config, digest_payload(digest.config, digest.people, names))
        except TransientDeliveryError as exc:
            again = digest.attempts < MAX_ATTEMPTS
            outcome = "retrying" if again else "failed"
            fields = {
                "status": GroupDigest.Status.PENDING if again else GroupDigest.Status.FAILED,
                "last_error": str(exc)[:2000],
            }
        except DeliveryError as exc:
            outcome, fields = "failed", {"status": "failed", "last_error": str(exc)[:2000]}
        except Exception as exc:  # a bug must not leave the row claimed
            logger.exception("Group digest %s crashed", digest.pk)
            outcome = "failed"
            fields = {"status": "failed", "last_error": f"{exc.__class__.__name__}: {exc}"[:2000]}
        else:
            outcome = "sent"
            fields.update(status=GroupDigest.Status.SENT, sent_at=timezone.now())
        counts[outcome] += 1
        GroupDigest.objects.filter(pk=digest.pk, claim=token).update(
            updated_at=timezone.now(), **fields
        )
    return counts


def sweep_digests(now: dt.datetime, *, stale_sending, stale_pending) -> list[int]:
    """Runs whose digests need another call: digests stuck sending (back to pending, or failed
    with no attempts left), digests left pending, and runs older than STALE_RUN whose batches
    never all finished and that have no digests yet. Answers their ids (sent with force)."""
    from django.db.models import Count, Exists, OuterRef

    stuck = GroupDigest.objects.filter(
        status=GroupDigest.Status.SENDING, updated_at__lt=now - stale_sending
    )
    stuck.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=GroupDigest.Status.FAILED, last_error="Interrupted while sending.", updated_at=now
    )
    resend = set(stuck.values_list("run_id", flat=True)[:1000])
    stuck.update(status=GroupDigest.Status.PENDING, updated_at=now)
    pending = resend | set(
        GroupDigest.objects.filter(
            status=GroupDigest.Status.PENDING, updated_at__lt=now - stale_pending
        ).values_list("run_id", flat=True)[:1000]
    )
    unfinished = set(
        ReminderRun.objects.filter(
            started_at__gte=now - dt.timedelta(days=1),
            started_at__lt=now - STALE_RUN,
            batches__gt=0,
        )
        .exclude(Exists(GroupDigest.objects.filter(run=OuterRef("pk"))))
        .annotate(done=Count("finished_batches"))
        .filter(done__lt=F("batches"))
        .values_list("pk", flat=True)[:100]
    )
    return sorted(pending | unfinished)
