"""The audit trail: who changed what and when, for goals, key results, target adjustments,
budgets, resource requests, awards and incentive rules.

It reads the django-simple-history rows of those models (each app keeps its own), scoped by
`org.permissions.visible_audit_q`, newest first. `audit_log()` answers a lazy sequence that a
Paginator (the page, the API) or the export slices: a slice costs a fixed number of queries
whatever its length, one UNION over the history tables for the page's keys, two per kind on
the page (its rows, and the rows before them for the diffs) and one per kind of related
object named in the changes. The change lists come from `diff_against` in Python.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.models import Goal, KeyResult, TargetAdjustment, fmt_number
from incentives.models import Award, IncentiveRule
from org import permissions
from org.models import Person, Unit
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


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    unit: Unit | None = None
    changed_by: Person | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def _or(lookups: list[str], value) -> Q:
    q = Q()
    for lookup in lookups:
        q |= Q(**{lookup: value})
    return q


def _scoped(kind: Kind, viewer: Person, filters: Filters) -> QuerySet:
    qs = kind.history.filter(
        permissions.visible_audit_q(viewer, [f"{u}__path" for u in kind.units])
    )
    if filters.unit is not None:
        qs = qs.filter(_or([f"{u}__path__startswith" for u in kind.units], filters.unit.path))
    if filters.changed_by is not None:
        qs = qs.filter(history_user_id=filters.changed_by.user_id)
    tz = timezone.get_current_timezone()
    if filters.date_from is not None:
        start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz)
        qs = qs.filter(history_date__gte=start)
    if filters.date_to is not None and filters.date_to < dt.date.max:
        end = dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        qs = qs.filter(history_date__lt=end)
    return qs


def _kinds(filters: Filters) -> tuple[Kind, ...]:
    return (KINDS_BY_SLUG[filters.kind],) if filters.kind else KINDS


def _after(slug: str, key: tuple) -> Q:
    """History rows of kind `slug` that come after `key` in the newest-first order."""
    at, key_slug, history_id = key
    if slug == key_slug:
        return Q(history_date__lt=at) | Q(history_date=at, history_id__lt=history_id)
    return Q(history_date__lte=at) if slug < key_slug else Q(history_date__lt=at)


def _keys(
    viewer: Person, filters: Filters, *, after: tuple | None = None, limit: int | None = None
) -> QuerySet:
    """(history_date, kind, history_id) of the rows, newest first: one UNION ALL over the
    history tables. With `limit` (the end of the slice wanted), each table contributes only
    its own newest rows where the database allows it (PostgreSQL), so a page reads an index
    range per table instead of sorting every row."""
    kinds = _kinds(filters)
    per_table = (
        limit is not None
        and len(kinds) > 1
        and connection.features.supports_slicing_ordering_in_compound
    )
    parts = []
    for kind in kinds:
        qs = _scoped(kind, viewer, filters)
        if after is not None:
            qs = qs.filter(_after(kind.slug, after))
        qs = qs.annotate(audit_kind=Value(kind.slug, output_field=models.CharField()))
        qs = qs.values_list("history_date", "audit_kind", "history_id")
        if per_table:
            qs = qs.order_by("-history_date", "-history_id")[:limit]
        parts.append(qs)
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-history_date", "-audit_kind", "-history_id")


def changers(*, viewer: Person, filters: Filters | None = None) -> QuerySet[Person]:
    """The people who made the changes the viewer may audit (for the filter's choices)."""
    filters = filters or Filters()
    parts = [
        _scoped(kind, viewer, filters).values_list("history_user_id", flat=True).distinct()
        for kind in _kinds(filters)
    ]
    first, *rest = parts
    ids = {pk for pk in (first.union(*rest) if rest else first) if pk is not None}
    return Person.objects.filter(user_id__in=ids).order_by("display_name", "pk")


class AuditLog:
    """The viewer's audit entries, newest first, evaluated one slice at a time."""

    def __init__(self, viewer: Person, filters: Filters):
        self._viewer, self._filters = viewer, filters

    def count(self) -> int:
        return _keys(self._viewer, self._filters).count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.stop is None or index.step is not None:
            raise TypeError("AuditLog supports bounded slices only.")
        start = index.start or 0
        if index.stop <= start:
            return []
        keys = _keys(self._viewer, self._filters, limit=index.stop)[start : index.stop]
        return entries_for(list(keys))

    def chunks(self, size: int = 500) -> Iterator[list[Entry]]:
        """Every entry, `size` at a time (the export): each chunk continues after the last
        key of the one before, so rows written meanwhile neither repeat nor shift it."""
        after = None
        while True:
            keys = list(_keys(self._viewer, self._filters, after=after, limit=size)[:size])
            if not keys:
                return
            yield entries_for(keys)
            after = keys[-1]


def audit_log(*, viewer: Person, filters: Filters | None = None) -> AuditLog:
    """The audit entries the viewer may read (Http404 for anyone but admins and HRBPs)."""
    if not permissions.can_see_audit(viewer):
        raise Http404
    return AuditLog(viewer, filters or Filters())


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


def export_rows(log: AuditLog) -> tuple[list, Iterator[list]]:
    """Header and rows for the CSV/XLSX export: one row per changed field (one for a row
    without field changes), streamed in chunks."""
    header = [
        _("When"),
        _("Changed by"),
        _("Kind"),
        _("Object ID"),
        _("Object"),
        _("Unit"),
        _("Action"),
        _("Field"),
        _("Old value"),
        _("New value"),
        _("Reason"),
    ]

    def rows():
        for chunk in log.chunks():
            for e in chunk:
                base = [
                    timezone.localtime(e.at).isoformat(timespec="seconds"),
                    e.by,
                    e.kind_label,
                    e.object_id,
                    e.subject,
                    e.unit,
                    e.action_label,
                ]
                if not e.changes:
                    yield [*base, "", "", "", e.reason]
                for c in e.changes:
                    yield [*base, c.label, c.old, c.new, e.reason]

    return header, rows()
