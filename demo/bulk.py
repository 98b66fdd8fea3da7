"""Bulk loading of rows the ORM would spend most of its time building models for.

For scale data only (seed_demo --employees N): no signals, no history rows, no validation.
Values are what the column stores, adapted by the caller with `connection.ops` where the
backend needs it (dates, datetimes, decimals), as the ORM would."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models

# Rows per INSERT where there is no COPY: more rows per statement save round trips until the
# statement gets unwieldy; SQLite caps parameters per statement (32,766 since 3.32, 999 before).
ROWS_PER_STATEMENT = 500


def _rows_per_statement(width: int) -> int:
    limit = connection.features.max_query_params
    if connection.vendor == "sqlite":  # Django states 999 whatever the build allows
        import sqlite3

        limit = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999
    return max(1, min(ROWS_PER_STATEMENT, (limit or 65535) // width))


def defaults(model: type[models.Model], fields: Sequence[str]) -> tuple:
    """`model`'s defaults for `fields`, prepared for the database as the ORM saves them: the
    columns a bulk load leaves as they would be for a new object."""
    meta = model._meta
    return tuple(
        field.get_db_prep_save(field.get_default(), connection)
        for field in (meta.get_field(name) for name in fields)
    )


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert `rows` (tuples in `columns` order; field names or column names) into `model`'s
    table: COPY on PostgreSQL, multi-row INSERTs elsewhere."""
    if not rows:
        return
    ops = connection.ops
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        one = f"({', '.join(['%s'] * len(columns))})"
        per_statement = _rows_per_statement(len(columns))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))}",
                [value for row in chunk for value in row],
            )
