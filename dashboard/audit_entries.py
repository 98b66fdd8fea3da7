"""What the audit trail shows of one history row: the audited kinds (how a row reaches its
units, what names it, which derived fields are left out) and the entries built for a page of
rows, with their change lists from `diff_against` computed in Python over the rows before them
(two queries per kind on the page, one per kind of related object named)."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.models import Goal, KeyResult, TargetAdjustment, fmt_number
from incentives.models import Award, IncentiveRule
from org.models import Unit
from tracking.models import Budget, ResourceRequest

ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
ACTION_LABELS = {
    "created": gettext_lazy("created"),
    "changed": gettext_lazy("changed"),
    "deleted": gettext_lazy("deleted"),
}
# Fields shown on a created row are what was set; bookkeeping is left out everywhere.
ALWAYS_IGNORED = frozenset({"id", "created_at", "updated_at"})


@dataclass(frozen=True)
class Kind:
    """One audited model: how its history rows reach their units (for the scope, the unit
    filter and the unit column) and what names it in the list."""

    slug: str
    model: type[models.Model]
    units: tuple[str, ...]
    subject: Callable[[models.Model], str]
    annotations: dict[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        return str(capfirst(self.model._meta.verbose_name))

    @property
    def history(self) -> QuerySet:
        return self.model.history.all().order_by()


KINDS: tuple[Kind, ...] = (
    Kind(
        "goal",
        Goal,
        ("owner_unit", "owner_person__unit"),
        subject=lambda r: r.title,
        ignored=frozenset({"version"}),
    ),
    Kind(
        "key_result",
        KeyResult,
        ("goal__owner_unit", "goal__owner_person__unit"),
        subject=lambda r: f"{r.name} · {r.a_goal}" if r.a_goal else r.name,
        annotations={"a_goal": "goal__title"},
        ignored=frozenset({"position"}),
    ),
    Kind(
        "adjustment",
        TargetAdjustment,
        ("key_result__goal__owner_unit", "key_result__goal__owner_person__unit"),
        subject=lambda r: (
            f"{r.a_key_result or '#' + str(r.key_result_id)}: "
            f"{fmt_number(r.old_target)} → {fmt_number(r.new_target)}"
        ),
        annotations={"a_key_result": "key_result__name"},
        ignored=frozenset({"batch"}),
    ),
    Kind(
        "budget",
        Budget,
        ("unit",),
        subject=lambda r: " · ".join(
            str(part) for part in (r.a_unit, r.get_category_display(), r.a_cycle) if part
        ),
        annotations={"a_unit": "unit__name", "a_cycle": "cycle__name"},
    ),
    Kind(
        "resource_request",
        ResourceRequest,
        ("unit", "requester__unit"),
        subject=lambda r: r.title,
        # The priority is derived (refreshed daily); the reminder's claim is bookkeeping.
        ignored=frozenset(
            {"priority_score", "goal_priority", "goal_weight", "pace_gap", "waiting_notified_at"}
        ),
    ),
    Kind(
        "award",
        Award,
        ("person__unit",),
        subject=lambda r: " · ".join(
            part for part in (r.title or r.a_rule or "", r.a_person or "") if part
        ),
        annotations={"a_rule": "rule__name", "a_person": "person__display_name"},
    ),
    Kind("incentive_rule", IncentiveRule, ("unit",), subject=lambda r: r.name),
)
KINDS_BY_SLUG = {kind.slug: kind for kind in KINDS}


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.slug, kind.label) for kind in KINDS]


@dataclass
class Change:
    field: str
    label: str
    old: str
    new: str


@dataclass
class Entry:
    kind: str
    kind_label: str
    history_id: int
    object_id: int
    subject: str
    unit_id: int | None
    unit: str
    action: str
    at: dt.datetime
    by_id: int | None
    by: str
    reason: str
    changes: list[Change]

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


def _related_names(wanted: dict[type[models.Model], set]) -> dict[tuple, str]:
    """One query per related model: a readable name for each id."""
    names: dict[tuple, str] = {}
    for model, ids in wanted.items():
        ids.discard(None)
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


def _display(model_field, value, names: dict[tuple, str]) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if model_field is not None and model_field.is_relation:
        return names.get((model_field.related_model, value), f"#{value}")
    if model_field is not None and model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, Decimal):
        return fmt_number(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, cls=DjangoJSONEncoder)
    return str(value)


def _model_field(kind: Kind, name: str):
    try:
        return kind.model._meta.get_field(name)
    except Exception:
        return None


def _raw_changes(kind: Kind, record, previous) -> list[tuple[str, object, object]]:
    ignored = ALWAYS_IGNORED | kind.ignored
    if previous is not None:
        delta = record.diff_against(previous, excluded_fields=ignored)
        return [(c.field, c.old, c.new) for c in delta.changes]
    if record.history_type == "+":
        tracked = [f for f in record.tracked_fields if f.editable and f.name not in ignored]
        return [
            (f.name, None, getattr(record, f.attname))
            for f in tracked
            if getattr(record, f.attname) not in (None, "", [], {})
        ]
    return []


def _by(record) -> tuple[int | None, str]:
    user = record.history_user
    if user is None:
        return None, _("system")
    person = getattr(user, "person", None)
    return (person.pk, person.display_name) if person else (None, user.get_username())


def entries_for(keys: list[tuple]) -> list[Entry]:
    """Entries for (history_date, kind, history_id) keys, in the keys' order."""
    ids_by_kind: dict[str, list[int]] = defaultdict(list)
    for _at, slug, history_id in keys:
        ids_by_kind[slug].append(history_id)
    loaded: dict[tuple[str, int], tuple[Kind, models.Model, list]] = {}
    wanted: dict[type[models.Model], set] = defaultdict(set)
    for slug, ids in ids_by_kind.items():
        kind = KINDS_BY_SLUG[slug]
        history = kind.history
        before = (
            history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
            .order_by("-history_id")
            .values("history_id")[:1]
        )
        unit_exprs = [F(u) for u in kind.units]
        unit = (
            Coalesce(*unit_exprs, output_field=models.BigIntegerField())
            if len(unit_exprs) > 1
            else unit_exprs[0]
        )
        records = list(
            history.filter(history_id__in=ids)
            .annotate(
                audit_previous=Subquery(before),
                audit_unit=unit,
                **{name: F(lookup) for name, lookup in kind.annotations.items()},
            )
            .select_related("history_user__person")
        )
        previous = {
            r.history_id: r
            for r in history.filter(
                history_id__in=[r.audit_previous for r in records if r.audit_previous]
            )
        }
        for record in records:
            changes = _raw_changes(kind, record, previous.get(record.audit_previous))
            for name, old, new in changes:
                model_field = _model_field(kind, name)
                if model_field is not None and model_field.is_relation:
                    wanted[model_field.related_model].update((old, new))
            wanted[Unit].add(record.audit_unit)
            loaded[(slug, record.history_id)] = (kind, record, changes)
    names = _related_names(wanted)
    result = []
    for _at, slug, history_id in keys:
        kind, record, changes = loaded[(slug, history_id)]
        by_id, by = _by(record)
        result.append(
            Entry(
                kind=slug,
                kind_label=kind.label,
                history_id=history_id,
                object_id=record.id,
                subject=kind.subject(record),
                unit_id=record.audit_unit,
                unit=names.get((Unit, record.audit_unit), ""),
                action=ACTIONS[record.history_type],
                at=record.history_date,
                by_id=by_id,
                by=by,
                reason=record.history_change_reason or "",
                changes=[
                    Change(
                        field=name,
                        label=capfirst(str(f.verbose_name)) if f is not None else name,
                        old=_display(f, old, names),
                        new=_display(f, new, names),
                    )
                    for name, old, new in changes
                    for f in [_model_field(kind, name)]
                ],
            )
        )
    return result
