"""The source of a change (import, SCIM, a directory sync, single sign-on) on the history rows
it writes: `changes_from(source)` around the service calls, and every org history row written
inside names it as its change reason, beside the actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_source: ContextVar[str | None] = ContextVar("keel_change_source", default=None)

IMPORT = "import"
SCIM = "scim"
SSO = "sso"


def sync_source(platform: str) -> str:
    return f"sync:{platform}"


@contextmanager
def changes_from(source: str) -> Iterator[None]:
    token = _source.set(source)
    try:
        yield
    finally:
        _source.reset(token)


def current_source() -> str | None:
    return _source.get()


def stamp_source(sender, history_instance=None, **kwargs) -> None:
    """simple-history's pre_create_historical_record: the surrounding source, unless the
    change names a reason of its own."""
    source = _source.get()
    if source and history_instance is not None and not history_instance.history_change_reason:
        history_instance.history_change_reason = source
