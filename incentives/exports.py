"""The payroll export: approved and published awards with money for a period, as CSV or XLSX,
safe to open in a spreadsheet (no cell is read as a formula)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from core.spreadsheet import safe_cell
from incentives.models import Award


def header() -> list[str]:
    return [
        _("Person"),
        _("Employee number"),
        _("Amount"),
        _("Currency"),
        _("Rule"),
        _("Period start"),
        _("Period end"),
        _("State"),
        _("Approved by"),
        _("Approved at"),
    ]


def rows(awards) -> list[list]:
    """One row per award; the period end is the last day of the period (inclusive)."""
    result = []
    for award in awards:
        approved_at = award.approved_at
        result.append(
            [
                award.person.display_name,
                award.person.user.username if award.person.user_id else "",
                award.amount,
                award.currency,
                award.rule.name,
                award.period_start,
                award.period_end - dt.timedelta(days=1),
                award.get_state_display(),
                award.approved_by.display_name if award.approved_by_id else "",
                approved_at.replace(tzinfo=None) if approved_at else None,
            ]
        )
    return result


def to_csv(awards: list[Award]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    for row in rows(awards):
        writer.writerow(
            [
                safe_cell(v.isoformat() if hasattr(v, "isoformat") else v) if v is not None else ""
                for v in row
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(awards: list[Award]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Payroll"))
    sheet.append(header())
    for row in rows(awards):
        sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
