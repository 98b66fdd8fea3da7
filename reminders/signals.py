"""What the reminder dispatch tells the apps above it.

`reminders_sent` is sent inside a batch's transaction once it has claimed its reminders, with
`reminders=[{"log": ReminderLog id, "person": Person id, "text": the reminder in the person's
language, "url": its link}, ...]`. A listener records what it must send (rows that commit or
roll back with the batch) and sends after the commit (integrations: direct chat messages)."""

from django.dispatch import Signal

reminders_sent = Signal()
