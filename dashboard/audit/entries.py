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

from core import humanize
from directory import audit as directory_audit
from goals import permissions as goal_permissions
from goals.models import Goal, KeyResult, TargetAdjustment, fmt_number
from incentives.models import Award, IncentiveRule
from org.models import Person, Unit
from resources.models import HIDDEN_GOAL, Budget, ResourceRequest

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
    filter and the unit column) and what names it in the list. `paths` are the lookups to
    those units' paths when they are not `<unit>__path`; `rows` narrows or annotates the
    history rows first."""

    slug: str
    model: type[models.Model]
    units: tuple[str, ...]
    subject: Callable[[models.Model], str]
    annotations: dict[str, str] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()
    paths: tuple[str, ...] = ()
    rows: Callable[[QuerySet], QuerySet] | None = None

    @property
    def label(self) -> str:
        return str(capfirst(self.model._meta.verbose_name))

    @property
    def path_lookups(self) -> tuple[str, ...]:
        return self.paths or tuple(f"{u}__path" for u in self.units)

    @property
    def history(self) -> QuerySet:
        rows = self.model.history.all().order_by()
        return self.rows(rows) if self.rows is not None else rows


def _unit_rows(rows: QuerySet) -> QuerySet:
    """A unit's history rows reach the unit itself (its current path: the historical path is
    empty on the row of its creation). A new unit is saved twice (its path needs its id):
    the second row, which only sets the path, is left out."""
    history = Unit.history.all().order_by()
    before = (
        history.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("path")[:1]
    )
    return rows.annotate(
        audit_path=Subquery(Unit.objects.filter(pk=OuterRef("id")).values("path")[:1]),
        audit_placed=Subquery(before),
    ).exclude(history_type="~", audit_placed="")


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
            f"{humanize.number(r.old_target)} → {humanize.number(r.new_target)}"
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
    # The org chart, changed in Keel or by a people import, SCIM or a directory sync (the
    # row's reason names the source: directory/audit.py).
    Kind(
        "unit",
        Unit,
        ("id",),
        subject=lambda r: r.name,
        ignored=frozenset({"path", "depth"}),
        paths=("audit_path",),
        rows=_unit_rows,
    ),
    Kind(
        "person",
        Person,
        ("unit",),
        subject=lambda r: r.display_name,
        # The account behind the person is not shown (the name says who it is).
        ignored=frozenset({"user"}),
    ),
)
KINDS_BY_SLUG = {kind.slug: kind for kind in KINDS}
# Related objects named in changes only to those who may see them (a resource request's
# goal, seen in the audit by the addressed unit's HRBP, may be a private goal).
_SCOPED: dict[type[models.Model], Callable] = {
    Goal: goal_permissions.visible_goals,
    KeyResult: goal_permissions.visible_key_results,
}


def kind_choices() -> list[tuple[str, str]]:
    return [(kind.slug, kind.label) for kind in KINDS]


@dataclass
class Change:
    """One changed field. `old`/`new` are the API's and the exports' plain values (numbers
    without grouping, ISO-like stamps); `old_text`/`new_text` are what the page shows, in the
    reader's language (core.humanize, as the goal history)."""

    field: str
    label: str
    old: str
    new: str
    old_text: str = ""
    new_text: str = ""


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
    # Where the change came from when not from a page or the API: "import", "scim",
    # "sync:<platform>" (and its name in the reader's language); "" otherwise.
    source: str = ""
    source_label: str = ""

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


def _related_names(wanted: dict[type[models.Model], set], viewer=None) -> dict[tuple, str]:
    """One query per related model: a readable name for each id (core.humanize). A goal (or a
    key result of a goal) the viewer may not see is named "a goal you cannot see" (one more
    query each)."""
    hidden: dict[tuple, str] = {}
    for model, ids in wanted.items():
        ids.discard(None)
        scope = _SCOPED.get(model)
        if scope is None or viewer is None or not ids:
            continue
        seen = set(scope(viewer).filter(pk__in=ids).values_list("pk", flat=True))
        for pk in ids - seen:
            hidden[(model, pk)] = str(HIDDEN_GOAL)
        wanted[model] = seen
    return {**humanize.related_names(wanted), **hidden}


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
    return humanize.model_field(kind.model, name)


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


def entries_for(keys: list[tuple], viewer=None) -> list[Entry]:
    """Entries for (history_date, kind, history_id) keys, in the keys' order; related goals
    and key results the viewer may not see are named "a goal you cannot see"."""
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
    names = _related_names(wanted, viewer)
    sources = dict(directory_audit.source_choices())
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
                source=record.history_change_reason
                if record.history_change_reason in sources
                else "",
                source_label=sources.get(record.history_change_reason or "", ""),
                changes=[
                    Change(
                        field=name,
                        label=humanize.field_label(kind.model, name),
                        old=_display(f, old, names),
                        new=_display(f, new, names),
                        old_text=humanize.value_text(f, old, names),
                        new_text=humanize.value_text(f, new, names),
                    )
                    for name, old, new in changes
                    for f in [_model_field(kind, name)]
                ],
            )
        )
    return result
