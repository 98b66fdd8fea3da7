"""Writing many rows of one table without building a model object for each: a dispatch writes
tens of thousands of send-log, inbox and delivery rows, and building, validating and compiling
a model per row cost most of its time.

`insert_rows` COPYs the rows on PostgreSQL (their ids taken from the table's sequence first,
in one query, so the caller learns them) and falls back to `bulk_create` elsewhere (SQLite:
development and tests), so both give the same rows. `insert_new_rows` is the insert-or-ignore
against the table's unique constraints that answers which rows it inserted (`RETURNING`).

Values are given by field attribute name (`recipient_id`, not `recipient`) as the model holds
them; JSON fields take the Python value. No signals, no `full_clean`, no `auto_now`: callers
give every column, timestamps included."""

from __future__ import annotations

import json
from collections.abc import Sequence

from django.db import connection, models

# Parameters per statement where rows go as VALUES: SQLite allows 32,766 (since 3.32).
MAX_PARAMS = 30000


def _fields(model: type[models.Model], columns: Sequence[str]) -> list[models.Field]:
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return [by_attname[name] for name in columns]


def _adapters(fields: list[models.Field], *, prepare: bool = False) -> list:
    """Per column, what turns the Python value into what the database column takes (None:
    the driver's own adaptation, psycopg's; `prepare`: the ORM's, for other drivers)."""
    adapters = []
    for field in fields:
        if prepare and not isinstance(field, models.JSONField):

            def prep(value, field=field):
                return field.get_db_prep_save(value, connection)

            adapters.append(prep)
        elif isinstance(field, models.JSONField):
            encoder = field.encoder

            def dump(value, encoder=encoder):
                return None if value is None else json.dumps(value, cls=encoder)

            adapters.append(dump)
        else:
            adapters.append(None)
    return adapters


def next_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh ids from the PostgreSQL sequence of `model`'s primary key, ascending."""
    if count <= 0:
        return []
    meta = model._meta
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(meta.db_table), meta.pk.column, count],
        )
        return sorted(row[0] for row in cursor.fetchall())


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple]) -> list:
    """Insert `rows` (tuples in `columns` order) into `model`'s table; answers their new ids
    in the order of `rows`."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = model._base_manager.bulk_create(
            [model(**dict(zip(columns, row, strict=True))) for row in rows]
        )
        return [obj.pk for obj in objs]
    meta = model._meta
    fields = _fields(model, columns)
    adapters = _adapters(fields)
    ids = next_ids(model, len(rows))
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in [meta.pk.column, *(f.column for f in fields)])
    json_columns = [i for i, adapt in enumerate(adapters) if adapt is not None]
    with connection.cursor() as cursor:
        copy_sql = f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for pk, row in zip(ids, rows, strict=True):
                if json_columns:
                    row = list(row)
                    for i in json_columns:
                        row[i] = adapters[i](row[i])
                copy.write_row((pk, *row))
    return ids


def insert_new_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[tuple],
    returning: Sequence[str],
) -> list[tuple]:
    """Insert `rows`, skipping any that conflicts with a unique constraint (as
    `bulk_create(ignore_conflicts=True)`), in the order given; answers `returning` (field
    attribute names) of the rows this statement inserted, in no particular order."""
    if not rows:
        return []
    if connection.vendor == "postgresql":
        return _insert_new_rows_postgresql(model, columns, rows, returning)
    meta = model._meta
    fields = _fields(model, columns)
    adapters = _adapters(fields, prepare=True)
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    back = ", ".join(quote(f.column) for f in _fields(model, returning))
    one = f"({', '.join(['%s'] * len(fields))})"
    per_statement = max(1, MAX_PARAMS // len(fields))
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            params = []
            for row in chunk:
                params += [
                    value if adapt is None else adapt(value)
                    for value, adapt in zip(row, adapters, strict=True)
                ]
            cursor.execute(
                f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES "
                f"{', '.join([one] * len(chunk))} ON CONFLICT DO NOTHING RETURNING {back}",
                params,
            )
            found += [tuple(row) for row in cursor.fetchall()]
    return found


def _insert_new_rows_postgresql(model, columns, rows, returning) -> list[tuple]:
    """One statement: the columns that vary as arrays (`unnest`, in the rows' order), those
    with one value for every row as single parameters."""
    meta = model._meta
    fields = _fields(model, columns)
    adapters = _adapters(fields)
    quote = connection.ops.quote_name
    values = [[row[i] for row in rows] for i in range(len(fields))]
    varying = [i for i, column in enumerate(values) if i == 0 or len(set(column)) > 1]
    params: list = []
    arrays = []
    for i in varying:
        adapt = adapters[i]
        params.append(values[i] if adapt is None else [adapt(v) for v in values[i]])
        arrays.append(f"%s::{fields[i].db_type(connection)}[]")
    selected = []
    for i, field in enumerate(fields):
        if i in varying:
            selected.append(f"u.c{i}")
        else:
            adapt = adapters[i]
            params.append(values[i][0] if adapt is None else adapt(values[i][0]))
            selected.append(f"%s::{field.db_type(connection)}")
    # The constants' parameters come after the arrays' in the statement: reorder.
    constants = params[len(varying) :]
    params = [*constants, *params[: len(varying)]]
    aliases = ", ".join([*(f"c{i}" for i in varying), "n"])
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
        f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) "
        f"WITH ORDINALITY AS u({aliases}) ORDER BY u.n "
        f"ON CONFLICT DO NOTHING RETURNING "
        + ", ".join(quote(f.column) for f in _fields(model, returning))
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]
