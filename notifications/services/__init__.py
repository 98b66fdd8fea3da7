"""Writes of the notifications app. Other apps call `notify()`; its signature is a contract."""

from notifications.services.delivery import (  # noqa: F401
    MAX_ATTEMPTS,
    build_deliveries,
    deliver,
    deliver_many,
    enqueue_deliveries,
    fan_out_notifications,
)
from notifications.services.inbox import mark_all_read, mark_read, notify  # noqa: F401
from notifications.services.reminders import (  # noqa: F401
    dispatch,
    find_due,
    preview,
    send_reminder_batch,
)
from notifications.services.settings import (  # noqa: F401
    add_absence,
    delete_absence,
    set_preference,
    update_default_schedule,
    update_own_schedule,
)
