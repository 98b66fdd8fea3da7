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


def update_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple], *, key: str = "pk"
) -> None:
    """Set `columns` of `model`'s rows from `rows` (tuples of the row's `key` value, then the
    values in `columns` order): on PostgreSQL, COPY into a temporary table and one UPDATE
    joined to it; elsewhere one UPDATE per row (executemany). What bulk_update does without
    its CASE expression per field and row, which costs minutes at a million rows."""
    if not rows:
        return
    ops = connection.ops
    meta = model._meta
    table = ops.quote_name(meta.db_table)
    key_field = meta.pk if key == "pk" else meta.get_field(key)
    key_column = ops.quote_name(key_field.column)
    names = [ops.quote_name(meta.get_field(c).column) for c in columns]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            temp = ops.quote_name(f"bulk_update_{meta.db_table}")
            cursor.execute(f"DROP TABLE IF EXISTS {temp}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} AS SELECT {key_column}, {', '.join(names)} "
                f"FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(
                f"COPY {temp} ({key_column}, {', '.join(names)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            assignments = ", ".join(f"{n} = s.{n}" for n in names)
            cursor.execute(
                f"UPDATE {table} AS t SET {assignments} FROM {temp} AS s "
                f"WHERE t.{key_column} = s.{key_column}"
            )
            cursor.execute(f"DROP TABLE {temp}")
            return
        assignments = ", ".join(f"{n} = %s" for n in names)
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {key_column} = %s",
            [(*row[1:], row[0]) for row in rows],
        )
