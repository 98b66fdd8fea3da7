"""Writes of the notifications app. Other apps call `notify()`; its signature is a contract.
(The reminder dispatch, which fills the same inbox and delivery log, is the reminders app.)"""

from notifications.services.delivery import (  # noqa: F401
    MAX_ATTEMPTS,
    build_deliveries,
    deliver,
    deliver_many,
    enqueue_deliveries,
    fan_out_notifications,
)
from notifications.services.inbox import (  # noqa: F401
    mark_all_read,
    mark_read,
    notify,
    resolve_reminders,
)
from notifications.services.settings import (  # noqa: F401
    add_absence,
    delete_absence,
    set_preference,
    update_default_schedule,
    update_own_schedule,
)
