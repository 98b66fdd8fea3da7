"""Reading a CSV or XLSX upload into rows of named cells, with the row numbers a spreadsheet
shows: the one reader of every import (goals in dashboard/imports.py, people in
directory/imports.py). Writing spreadsheets is core/spreadsheet.py."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_BYTES = 5 * 1024 * 1024


def _raw_rows(upload) -> list[list]:
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The file is larger than 5 MB."))
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        try:
            book = load_workbook(upload, read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged file
            raise ValidationError(_("This is not a readable XLSX file.")) from None
        return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
    if name.endswith(".csv"):
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("Save the CSV file as UTF-8.")) from None
        return list(csv.reader(io.StringIO(text)))
    raise ValidationError(_("Upload a .csv or .xlsx file."))


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def read_rows(
    upload, *, columns: list[str], required: list[str], max_rows: int
) -> list[tuple[int, dict[str, str]]]:
    """(row number as the spreadsheet shows it, {column: text}) for every non-empty row; a
    ValidationError for a file that cannot be read or lacks a required column."""
    raw = _raw_rows(upload)
    if not raw:
        raise ValidationError(_("The file is empty."))
    header = [_text(h).lower() for h in raw[0]]
    missing = [c for c in required if c not in header]
    if missing:
        raise ValidationError(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        cells = {h: _text(v) for h, v in zip(header, values, strict=False) if h in columns}
        if any(cells.values()):
            rows.append((number, cells))
    if len(rows) > max_rows:
        raise ValidationError(_("Import at most %(n)s rows at a time.") % {"n": max_rows})
    return rows
