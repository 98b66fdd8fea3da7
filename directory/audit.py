"""The source of a change (import, SCIM, a directory sync, single sign-on) on the history rows
it writes: `changes_from(source)` around the service calls, and every org history row written
inside names it as its change reason, beside the actor."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

_source: ContextVar[str | None] = ContextVar("keel_change_source", default=None)

IMPORT = "import"
SCIM = "scim"
SSO = "sso"


# The platforms a directory sync reads (directory/platforms.py), by name.
PLATFORMS = {
    "feishu": gettext_lazy("Feishu"),
    "dingtalk": gettext_lazy("DingTalk"),
    "wecom": gettext_lazy("WeCom"),
}


def sync_source(platform: str) -> str:
    return f"sync:{platform}"


def sources() -> list[str]:
    """Every source whose changes reach the org history through this app."""
    return [IMPORT, SCIM, *(sync_source(platform) for platform in PLATFORMS)]


def source_choices() -> list[tuple[str, str]]:
    """(source, what the reader calls it) of every source whose changes reach the org
    history, in the active language (the audit trail's filter and labels)."""
    return [
        (IMPORT, _("People import")),
        (SCIM, _("SCIM provisioning")),
        *(
            (sync_source(platform), _("Directory sync (%(platform)s)") % {"platform": name})
            for platform, name in PLATFORMS.items()
        ),
    ]


def source_label(reason: str) -> str:
    """The readable name of a history row's source ("" when its reason names none)."""
    return dict(source_choices()).get(reason or "", "")


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
