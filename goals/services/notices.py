"""Goal notifications in each recipient's language, through notifications.services.notify."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import models
from django.utils import translation

from notifications.services import notify
from org.models import Person


def notify_in_language(
    *,
    recipients: Iterable[Person | None],
    kind: str,
    text: Callable[[], str],
    url: str = "",
    subject: models.Model | None = None,
) -> None:
    """`text` renders the message; it runs once per language among the recipients (one
    `notify` call each), so everyone reads it in their own language."""
    by_language: dict[str, list[Person]] = {}
    for person in recipients:
        if person is not None:
            by_language.setdefault(person.language or settings.LANGUAGE_CODE, []).append(person)
    for language, people in sorted(by_language.items()):
        with translation.override(language):
            notify(recipients=people, kind=kind, text=str(text()), url=url, subject=subject)
