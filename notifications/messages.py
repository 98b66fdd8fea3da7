"""A notification's sentence, kept as its source text and parameters, so it is put into words
in the language of whoever reads it, when they read it (not in the sender's, when sent).

    Message(gettext_noop("%(who)s agreed the goal “%(goal)s”."), who=name, goal=title)

The source text is marked with `gettext_noop` (makemessages finds it; nothing is translated
yet). Parameters are plain values (text, numbers), dates (shown in the reader's date format),
other Messages or lazy translations (a reason's label: translated too). Stored as JSON on the
notification; `render()` translates in the active language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext

DATE = "$date"
MESSAGE = "$message"


class Message:
    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, /, **params) -> None:
        self.msgid = str(msgid)
        self.params = params

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, **{self.params!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Message) and self.to_json() == other.to_json()

    def __hash__(self) -> int:
        return hash(self.msgid)

    def render(self) -> str:
        """The sentence in the active language."""
        text = gettext(self.msgid)
        if not self.params:
            return text
        return text % {key: _render(value) for key, value in self.params.items()}

    __str__ = render

    def to_json(self) -> dict:
        return {"msgid": self.msgid, "params": {k: _dump(v) for k, v in self.params.items()}}

    @classmethod
    def from_json(cls, data: dict) -> Message:
        params = {k: _load(v) for k, v in (data.get("params") or {}).items()}
        return cls(data["msgid"], **params)


def _dump(value):
    if isinstance(value, Message):
        return {MESSAGE: value.to_json()}
    if isinstance(value, Promise):  # gettext_lazy, e.g. a choice's label: keep its source text
        with translation.override(None):
            return {MESSAGE: {"msgid": str(value), "params": {}}}
    if isinstance(value, dt.datetime):
        raise TypeError("Pass a date, not a datetime, to a Message")
    if isinstance(value, dt.date):
        return {DATE: value.isoformat()}
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def _load(value):
    if isinstance(value, dict):
        if MESSAGE in value:
            return Message.from_json(value[MESSAGE])
        if DATE in value:
            return dt.date.fromisoformat(value[DATE])
    return value


def _render(value):
    if isinstance(value, Message):
        return value.render()
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    return value
