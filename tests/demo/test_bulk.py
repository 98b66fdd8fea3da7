"""demo.bulk.insert_rows, the loader of the scale data (COPY on PostgreSQL, multi-row
INSERTs on SQLite): values adapted as the ORM would come back as the ORM reads them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from demo import bulk
from goals.models import Measurement

pytestmark = pytest.mark.usefixtures("goals_day")


@pytest.mark.django_db
def test_rows_come_back_as_the_orm_reads_them(company, make_goal, monkeypatch):
    key_result = make_goal(company["alice"]).key_results.get()
    # Small statements, so that the rows span several of them where there is no COPY.
    monkeypatch.setattr(bulk, "ROWS_PER_STATEMENT", 7)
    ops = connection.ops
    moment = timezone.make_aware(dt.datetime(2026, 11, 30, 18, 0))
    rows = [
        (
            key_result.pk,
            ops.adapt_decimalfield_value(Decimal(f"{i}.25"), 20, 4),
            ops.adapt_datetimefield_value(moment + dt.timedelta(days=i)),
            ops.adapt_datetimefield_value(moment + dt.timedelta(days=i)),
            Measurement.Source.IMPORT,
            f"row {i}: 'quoted', \\ and\ttab",
        )
        for i in range(30)
    ]
    columns = ["key_result", "value", "effective_at", "recorded_at", "source", "note"]
    bulk.insert_rows(Measurement, columns, rows)
    bulk.insert_rows(Measurement, ["key_result", "value"], [])  # nothing to do

    loaded = list(
        Measurement.objects.filter(key_result=key_result, source="import").order_by("recorded_at")
    )
    assert len(loaded) == 30
    assert [m.value for m in loaded] == [Decimal(f"{i}.25") for i in range(30)]
    assert loaded[3].recorded_at == moment + dt.timedelta(days=3)
    assert loaded[3].note == "row 3: 'quoted', \\ and\ttab"


def test_statements_stay_under_the_parameter_limit():
    assert bulk._rows_per_statement(12) * 12 <= 32766
    assert bulk._rows_per_statement(100_000) == 1


@pytest.mark.django_db
def test_update_rows_sets_the_columns_of_each_row(company, make_goal):
    goal = make_goal(company["alice"])
    other = make_goal(company["erin"])
    key_result = goal.key_results.get()
    bulk.update_rows(
        type(key_result),
        ["current_value", "progress", "pace_status"],
        [(key_result.pk, Decimal("12.5"), 0.25, "at_risk")],
    )
    bulk.update_rows(type(goal), ["progress"], [(goal.pk, 0.5), (other.pk, 0.75)])
    bulk.update_rows(type(goal), ["progress"], [])  # nothing to do
    key_result.refresh_from_db()
    assert (key_result.current_value, key_result.progress, key_result.pace_status) == (
        Decimal("12.5"),
        0.25,
        "at_risk",
    )
    goal.refresh_from_db()
    other.refresh_from_db()
    assert (goal.progress, other.progress) == (0.5, 0.75)
