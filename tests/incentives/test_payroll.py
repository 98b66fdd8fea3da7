"""Payroll export: approved and published awards with money for a period, CSV and XLSX,
formula-safe, for admins and HRBPs (their units)."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.spreadsheet import safe_cell
from tests.factories import PersonFactory
from tests.incentives.factories import make_award, make_rule

pytestmark = pytest.mark.django_db

URL = "/incentives/payroll.{fmt}?start=2026-11-01&end=2026-11-30"


@pytest.fixture
def awards(company):
    rule = make_rule(company["acme"], "tiered_bonus", {"tiers": [{"threshold": 1, "amount": 10}]})
    rule.name = "=HYPERLINK('http://evil')"
    rule.save()
    week = dt.date(2026, 11, 16)
    return {
        "approved": make_award(rule, company["alice"], state="approved", amount="1000"),
        "published": make_award(rule, company["erin"], state="published", amount="250.50"),
        "proposed": make_award(rule, company["bob"], state="proposed", amount="999"),
        "other_unit": make_award(rule, company["dave"], state="approved", amount="70"),
        "outside": make_award(
            rule, company["alice"], state="approved", period_start=week + dt.timedelta(weeks=3)
        ),
    }


def read_csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_has_the_approved_and_published_awards_of_the_period(login, company, awards):
    response = login(company["zed"]).get(URL.format(fmt="csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = read_csv(response)
    assert header[:5] == ["Person", "Employee number", "Amount", "Currency", "Rule"]
    people = {row[0]: row for row in rows}
    assert set(people) == {
        company["alice"].display_name,
        company["erin"].display_name,
        company["dave"].display_name,
    }
    alice = people[company["alice"].display_name]
    assert alice[1] == company["alice"].user.username
    assert alice[2:4] == ["1000.00", "CNY"]
    assert alice[4].startswith("'=")  # formula neutralised
    assert alice[5:7] == ["2026-11-16", "2026-11-22"]
    assert sum(Decimal(row[2]) for row in rows) == Decimal("1320.50")


def test_xlsx_totals_and_formula_safety(login, company, awards):
    response = login(company["zed"]).get(URL.format(fmt="xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.values)
    assert header[0] == "Person"
    assert sum(Decimal(str(row[2])) for row in rows) == Decimal("1320.50")
    assert all(str(row[4]).startswith("'=") for row in rows)


def test_hrbp_gets_only_the_units_they_partner(login, company, awards):
    response = login(company["carol"]).get(URL.format(fmt="csv"))
    names = {row[0] for row in read_csv(response)[1:]}
    assert names == {company["alice"].display_name, company["erin"].display_name}


def test_others_are_refused_and_bad_dates_are_400(login, company, awards):
    assert login(company["alice"]).get(URL.format(fmt="csv")).status_code == 403
    client = login(company["zed"])
    assert client.get("/incentives/payroll.csv?start=nope&end=2026-11-30").status_code == 400
    assert client.get("/incentives/payroll.csv?start=2026-12-01&end=2026-11-30").status_code == 400
    assert client.get("/incentives/payroll.pdf?start=2026-11-01&end=2026-11-30").status_code == 404


def test_query_count_does_not_grow_with_rows(login, company, awards):
    client = login(company["zed"])
    with CaptureQueriesContext(connection) as few:
        client.get(URL.format(fmt="csv"))
    rule = awards["approved"].rule
    for _i in range(6):
        make_award(rule, PersonFactory(unit=company["field"]), state="approved")
    with CaptureQueriesContext(connection) as many:
        client.get(URL.format(fmt="csv"))
    assert len(many) == len(few)


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "+1"),  # a plain number is no formula
        ("-1", "-1"),
        ("-1-1", "'-1-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Alice", "Alice"),
        (Decimal("-5"), Decimal("-5")),
    ],
)
def test_payroll_cells_are_written_formula_safe(value, safe):
    assert safe_cell(value) == safe
