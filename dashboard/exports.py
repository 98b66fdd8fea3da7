"""Exports of goals (with key results and progress) and check-ins for a cycle and unit, as CSV
or XLSX. Rows come from scoped querysets with a fixed number of queries; files are streamed
row by row (XLSX in openpyxl's write-only mode), every cell made formula-safe by
`core.spreadsheet`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpResponse
from django.utils.translation import gettext as _

from core import spreadsheet
from goals import permissions as goal_permissions
from goals.models import Cycle, KeyResult, fmt_number
from org import scopes
from org.models import Person, Unit
from tracking.models import CheckIn, KeyResultUpdate

XLSX = spreadsheet.XLSX


def _in_unit(qs: QuerySet, unit: Unit | None, person_field: str) -> QuerySet:
    if unit is None:
        return qs
    return qs.filter(**{f"{person_field}__unit__path__startswith": unit.path})


def goal_rows(*, viewer: Person, cycle: Cycle, unit: Unit | None) -> tuple[list, Iterable]:
    header = [
        _("Goal ID"),
        _("Goal"),
        _("Level"),
        _("Kind"),
        _("Owner"),
        _("Unit"),
        _("State"),
        _("Aligned to (ID)"),
        _("Weight"),
        _("Goal progress %"),
        _("Key result"),
        _("Metric"),
        _("Unit of measure"),
        _("Direction"),
        _("Start"),
        _("Target"),
        _("Current"),
        _("Key result progress %"),
        _("Due on"),
    ]
    qs = goal_permissions.visible_goals(viewer).filter(cycle=cycle)
    if unit is not None:
        qs = qs.filter(Q(owner_path__startswith=unit.path))
    goals = (
        qs.select_related("owner_person__unit", "owner_unit")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "pk"))
        )
        .order_by("level", "owner_path", "owner_person__display_name", "title", "pk")
    )

    def rows():
        for g in goals:
            unit_name = g.owner_unit.name if g.owner_unit else g.owner_person.unit.name
            base = [
                g.pk,
                g.title,
                g.get_level_display(),
                g.get_kind_display(),
                g.owner_name,
                unit_name,
                g.get_state_display(),
                g.parent_id or "",
                fmt_number(g.weight),
                round(g.progress * 100, 1),
            ]
            krs = list(g.key_results.all())
            if not krs:
                yield base + [""] * 9
            for kr in krs:
                yield base + [
                    kr.name,
                    kr.metric,
                    kr.unit,
                    kr.get_direction_display(),
                    fmt_number(kr.start_value),
                    fmt_number(kr.target_value),
                    fmt_number(kr.current_value),
                    round(kr.progress * 100, 1),
                    kr.due_on.isoformat() if kr.due_on else "",
                ]

    return header, rows()


def check_in_people(viewer: Person) -> QuerySet[Person]:
    """Whose check-ins a person may export: their own, the people they manage, the people of
    the units they partner as HRBP; everyone for admins."""
    if scopes.is_admin(viewer):
        return Person.objects.all()
    managed = scopes.managed_people(viewer).values("pk")
    partnered = scopes.hrbp_people(viewer).values("pk")
    return Person.objects.filter(Q(pk=viewer.pk) | Q(pk__in=managed) | Q(pk__in=partnered))


def check_in_rows(*, viewer: Person, cycle: Cycle, unit: Unit | None) -> tuple[list, Iterable]:
    header = [
        _("Person"),
        _("Unit"),
        _("Week"),
        _("State"),
        _("Submitted at"),
        _("Confidence"),
        _("Key result"),
        _("Value"),
        _("Status"),
        _("Cause"),
        _("Note"),
    ]
    people = check_in_people(viewer)
    check_ins = _in_unit(
        CheckIn.objects.filter(
            person__in=people.values("pk"), week__gte=cycle.starts_on, week__lte=cycle.ends_on
        ),
        unit,
        "person",
    )
    updates = KeyResultUpdate.objects.select_related("key_result", "cause").order_by(
        "key_result__position", "pk"
    )
    check_ins = (
        check_ins.select_related("person__unit")
        .prefetch_related(Prefetch("updates", queryset=updates))
        .order_by("week", "person__display_name", "pk")
    )

    def rows():
        for c in check_ins:
            base = [
                c.person.display_name,
                c.person.unit.name,
                c.week.isoformat(),
                c.get_state_display(),
                c.submitted_at.isoformat(timespec="minutes") if c.submitted_at else "",
                c.confidence if c.confidence is not None else "",
            ]
            ups = list(c.updates.all())
            if not ups:
                yield base + [""] * 5
            for u in ups:
                yield base + [
                    u.key_result.name,
                    fmt_number(u.value),
                    u.get_status_display() if u.status else "",
                    str(u.cause) if u.cause else "",
                    u.note,
                ]

    return header, rows()


def as_csv(filename: str, header: list, rows: Iterable) -> HttpResponse:
    return spreadsheet.csv_response(filename, header, rows)


def as_xlsx(filename: str, header: list, rows: Iterable, *, title: str) -> HttpResponse:
    return spreadsheet.xlsx_response(filename, header, rows, title=title)
