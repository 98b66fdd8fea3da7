"""The audit trail: who changed what and when, for goals, key results, target adjustments,
budgets, resource requests, awards, incentive rules, units and people (with the source of a
change made by a people import, SCIM or a directory sync).

It reads the django-simple-history rows of those models (each app keeps its own), scoped by
`org.permissions.visible_audit_q`, newest first. `audit_log()` answers a lazy sequence that a
Paginator (the page, the API) or the export slices: a slice costs a fixed number of queries
whatever its length, one UNION over the history tables for the page's keys, two per kind on
the page (its rows, and the rows before them for the diffs) and one per kind of related
object named in the changes. The change lists come from `diff_against` in Python.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dashboard import permissions
from dashboard.audit.entries import (  # noqa: F401 (re-exported for the views and the API)
    ACTION_LABELS,
    KINDS,
    KINDS_BY_SLUG,
    Entry,
    Kind,
    entries_for,
    kind_choices,
)
from org.models import Person, Unit


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    unit: Unit | None = None
    changed_by: Person | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    source: str | None = None


def _or(lookups: list[str], value) -> Q:
    q = Q()
    for lookup in lookups:
        q |= Q(**{lookup: value})
    return q


def _scoped(kind: Kind, viewer: Person, filters: Filters) -> QuerySet:
    qs = kind.history.filter(permissions.visible_audit_q(viewer, kind.path_lookups))
    if filters.unit is not None:
        qs = qs.filter(_or([f"{p}__startswith" for p in kind.path_lookups], filters.unit.path))
    if filters.source:
        qs = qs.filter(history_change_reason=filters.source)
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
        return entries_for(list(keys), self._viewer)

    def chunks(self, size: int = 500) -> Iterator[list[Entry]]:
        """Every entry, `size` at a time (the export): each chunk continues after the last
        key of the one before, so rows written meanwhile neither repeat nor shift it."""
        after = None
        while True:
            keys = list(_keys(self._viewer, self._filters, after=after, limit=size)[:size])
            if not keys:
                return
            yield entries_for(keys, self._viewer)
            after = keys[-1]


def audit_log(*, viewer: Person, filters: Filters | None = None) -> AuditLog:
    """The audit entries the viewer may read (Http404 for anyone but admins and HRBPs)."""
    if not permissions.can_see_audit(viewer):
        raise Http404
    return AuditLog(viewer, filters or Filters())


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
        _("Source"),
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
                    yield [*base, "", "", "", e.reason, e.source_label]
                for c in e.changes:
                    yield [*base, c.label, c.old, c.new, e.reason, e.source_label]

    return header, rows()
