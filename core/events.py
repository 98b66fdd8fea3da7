"""Domain events: a business action tells whoever listens what happened, without knowing them.

A service calls `publish("goal.agreed", goal=goal.pk, ...)` inside its transaction, after the
write. Listeners (outbound webhooks, chat digests) connect to `domain_event` in their
AppConfig.ready and receive the event synchronously, in the same transaction: they record what
they must send as rows (an outbox), so the event and the business write commit or roll back
together, and hand the sending to Celery with `core.queue.enqueue` (which waits for the commit).

Payloads carry ids and plain values only (never model instances, never personal data such as
e-mail addresses); a listener that needs more reads it by id. The names and what each payload
holds are listed in EVENT_TYPES, the one catalogue the webhooks' OpenAPI description is built
from. Lower apps import this module; nothing here imports an app.
"""

from __future__ import annotations

from django.dispatch import Signal
from django.utils.translation import gettext_lazy as _

# Sent with sender=<event name>, name=<event name>, payload=<dict>.
domain_event = Signal()

EVENT_TYPES: dict[str, object] = {
    "goal.proposed": _("A goal was proposed for agreement."),
    "goal.agreed": _("A goal was agreed by both sides."),
    "goal.returned": _("A proposed goal was returned for changes."),
    "key_result.status_changed": _("A key result's status (on track, at risk, off track) changed."),
    "check_in.submitted": _("A weekly check-in was submitted."),
    "adjustment.decided": _("A target adjustment was approved or rejected."),
    "resource_request.decided": _("A resource request was approved or rejected."),
    "award.published": _("An incentive award was published."),
    "review.released": _("A performance review was released to the person reviewed."),
}


def publish(name: str, **payload) -> None:
    """Tell the listeners that `name` happened; `payload` holds ids and plain values."""
    if name not in EVENT_TYPES:
        raise ValueError(f"Unknown domain event {name!r}: add it to core.events.EVENT_TYPES")
    domain_event.send(sender=name, name=name, payload=payload)
