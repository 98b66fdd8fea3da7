"""History for people: one formatter for every page that shows who changed what (a goal's
history, the audit trail). Field names become their verbose names, values are formatted the way
the rest of the UI shows them in the reader's language (numbers without trailing zeros and with
thousands separators, dates and times in the locale's format, choices by their label, related
rows by their name, structures as "label: value" text), and each change reads as a sentence:
"Liu Yang changed the target of “New customers”: 45 → 36". JSON stays in the API.

Knows no domain: callers pass the model, the field names and the raw values of a history row.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import formats, numberformat, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

EMPTY = (None, "", [], {})
NUMBER_TEXT = re.compile(r"-?\d+(\.\d+)?")
CODE_TEXT = re.compile(r"[a-z]+(_[a-z]+)*")

# Fields declared without a verbose name get one from their attribute ("agreed_by" → "agreed
# by"), which no catalog holds: these are the bookkeeping ones the audited models have, so the
# history reads in the reader's language (translated in core's catalog).
AUTOMATIC_LABELS = (
    gettext_noop("agreed at"),
    gettext_noop("agreed by"),
    gettext_noop("alerted at"),
    gettext_noop("approved at"),
    gettext_noop("approved by"),
    gettext_noop("closed with cycle"),
    gettext_noop("created at"),
    gettext_noop("created by"),
    gettext_noop("decided at"),
    gettext_noop("decided by"),
    gettext_noop("fulfilled at"),
    gettext_noop("fulfilled by"),
    gettext_noop("initiated by"),
    gettext_noop("person"),
    gettext_noop("published at"),
    gettext_noop("requested by"),
    gettext_noop("rule"),
    gettext_noop("scored at"),
    gettext_noop("updated at"),
)


def model_field(model: type[models.Model], name: str):
    """The model's field called `name` (or whose column is `name`, e.g. `owner_id`), or None."""
    try:
        return model._meta.get_field(name)
    except Exception:
        for f in model._meta.concrete_fields:
            if f.attname == name:
                return f
        return None


def field_label(model: type[models.Model], name: str) -> str:
    """What the reader calls the field: its verbose name in the active language, never the
    attribute (`decided_by` → "Decided by")."""
    f = model_field(model, name)
    if f is not None and getattr(f, "verbose_name", None):
        return str(capfirst(_(str(f.verbose_name))))
    return str(capfirst(_(name.removesuffix("_id").replace("_", " "))))


def related_models(model: type[models.Model], changes: Iterable[tuple[str, object, object]]):
    """(related model, ids) for every foreign key among `changes`, for `related_names`."""
    for name, old, new in changes:
        f = model_field(model, name)
        if f is not None and f.is_relation and f.related_model is not None:
            yield f.related_model, {old, new}


def related_names(wanted: dict[type[models.Model], set]) -> dict[tuple, str]:
    """One query per related model: a readable name for each id."""
    names: dict[tuple, str] = {}
    for model, ids in wanted.items():
        ids = {i for i in ids if i not in EMPTY}
        if not ids:
            continue
        fields = {f.name for f in model._meta.get_fields()}
        name_field = next((n for n in ("display_name", "title", "name") if n in fields), None)
        found = model._base_manager.filter(pk__in=ids).order_by()
        if name_field is not None:
            rows = found.values_list("pk", name_field)
        else:
            rows = ((o.pk, str(o)) for o in found.select_related())
        for pk, name in rows:
            names[(model, pk)] = name
    return names


def number(value) -> str:
    """45.0000 → "45", 2000 → "2,000" (in the reader's locale), 29.1800 → "29.18"."""
    try:
        d = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError, TypeError):
        return str(value)
    if d == d.to_integral_value():
        d = d.quantize(Decimal(1))
    places = max(0, -d.as_tuple().exponent)
    # Thousands are always grouped by three: Django's Chinese locale has no separator (and
    # would group by four), which leaves amounts hard to read.
    return numberformat.format(
        d,
        str(formats.get_format("DECIMAL_SEPARATOR", use_l10n=True)),
        decimal_pos=places,
        grouping=3,
        thousand_sep=str(formats.get_format("THOUSAND_SEPARATOR", use_l10n=True) or ","),
        force_grouping=True,
    )


def moment(value: dt.datetime) -> str:
    """A point in time in the reader's locale and the current time zone, never ISO."""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, "DATETIME_FORMAT", use_l10n=True)


def day(value: dt.date) -> str:
    return formats.date_format(value, "DATE_FORMAT", use_l10n=True)


# PostgreSQL's jsonb keeps keys sorted by length, SQLite keeps them as written: show a dict's
# keys in one order on both, conditions ("threshold") before what they give ("amount").
_FIRST_KEYS = ("threshold", "from", "to", "min", "max", "rate")


def _key_order(item) -> tuple:
    key = str(item[0])
    return (_FIRST_KEYS.index(key) if key in _FIRST_KEYS else len(_FIRST_KEYS), key)


def value_text(f, value, names: dict[tuple, str] | None = None) -> str:
    """A stored value as the reader sees it ("" for nothing)."""
    if value in EMPTY:
        return ""
    if f is not None and f.is_relation:
        name = (names or {}).get((f.related_model, value))
        return name if name is not None else _("(removed)")
    if f is not None and f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal | float) or (
        isinstance(value, int) and not isinstance(value, bool)
    ):
        return number(value)
    if isinstance(value, dt.datetime):
        return moment(value)
    if isinstance(value, dt.date):
        return day(value)
    if isinstance(value, dict):
        # Keys read as words in the reader's language: the app that stores the structure
        # marks them with gettext_noop (incentives.engine.EXPLANATION_LABELS).
        return ", ".join(
            f"{capfirst(_(str(k).replace('_', ' ')))}: {value_text(None, v, names)}"
            for k, v in sorted(value.items(), key=_key_order)
            if v not in EMPTY
        )
    if isinstance(value, list | tuple):
        return "; ".join(
            f"({value_text(None, v, names)})" if isinstance(v, dict) else value_text(None, v, names)
            for v in value
            if v not in EMPTY
        )
    if f is None and isinstance(value, str):
        return _structure_text(value)
    return str(value)


def _structure_text(value: str) -> str:
    """A text inside a structure: a number kept as text ("20000.00") reads like every number;
    a code ("eligible", "forfeited") reads as its word in the reader's language when the app
    that stores it marked it with gettext_noop."""
    if NUMBER_TEXT.fullmatch(value):
        return number(value)
    if CODE_TEXT.fullmatch(value):
        return _(value.replace("_", " "))
    return value


def change_sentence(*, by: str, field: str, old: str, new: str, subject: str = "") -> str:
    """One change as a sentence. `field` is the verbose name (any case), `subject` what was
    changed ("the key result “New customers”"), optional."""
    field = str(field)
    field = field[:1].lower() + field[1:] if field[1:2].islower() or len(field) == 1 else field
    values = {"by": by, "field": field, "old": old, "new": new, "subject": subject}
    if subject:
        if not old:
            return _("%(by)s set the %(field)s of %(subject)s: %(new)s") % values
        if not new:
            return _("%(by)s cleared the %(field)s of %(subject)s (was %(old)s)") % values
        return _("%(by)s changed the %(field)s of %(subject)s: %(old)s → %(new)s") % values
    if not old:
        return _("%(by)s set the %(field)s: %(new)s") % values
    if not new:
        return _("%(by)s cleared the %(field)s (was %(old)s)") % values
    return _("%(by)s changed the %(field)s: %(old)s → %(new)s") % values


def change_text(*, field: str, old: str, new: str) -> str:
    """One change of several under a sentence naming who changed what: "Target: 45 → 36"."""
    values = {"field": capfirst(str(field)), "old": old, "new": new}
    if not old:
        return _("%(field)s: set to %(new)s") % values
    if not new:
        return _("%(field)s: cleared (was %(old)s)") % values
    return _("%(field)s: %(old)s → %(new)s") % values


def action_sentence(*, by: str, action: str, subject: str) -> str:
    """ "Liu Yang created the goal “…”" for action in created / deleted / changed."""
    values = {"by": by, "subject": subject}
    if action == "created":
        return _("%(by)s created %(subject)s") % values
    if action == "deleted":
        return _("%(by)s deleted %(subject)s") % values
    return _("%(by)s changed %(subject)s") % values
