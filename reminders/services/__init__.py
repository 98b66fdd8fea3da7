"""Writes of the reminders app: the reminder dispatch (what is due when, sent exactly once)
and its plans. Notifications, deliveries and the send log are the notifications app's rows."""

from reminders.services.digests import send_group_digests  # noqa: F401
from reminders.services.dispatcher import (  # noqa: F401
    batch_now,
    dispatch,
    find_due,
    preview,
    send_reminder_batch,
    sweep,
)
