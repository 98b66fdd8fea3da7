"""Small helpers for reading lists in a fixed number of queries."""

from __future__ import annotations

from django.db import connections, router
from django.db.models import Count, QuerySet, Window


def first_and_count(queryset: QuerySet, limit: int) -> tuple[list, int]:
    """The first `limit` rows of a list and how many it has, in one query: each row carries
    the count of all (a window over the whole filtered list, computed before the limit). A
    DISTINCT list takes two queries (the window would count the rows before DISTINCT)."""
    if queryset.query.distinct:
        return list(queryset[:limit]), queryset.count()
    rows = list(queryset.annotate(list_total=Window(Count("pk")))[:limit])
    return rows, (rows[0].list_total if rows else 0)


# From the given rows, each row their self-link points to, until none: UNION (not UNION ALL)
# drops the rows already found, so a loop of links (which validation refuses, but a row edited
# by hand may hold) ends the walk.
_UPWARD_SQL = """
WITH RECURSIVE chain(id) AS (
    SELECT {pk} FROM {table} WHERE {pk} IN ({ids})
    UNION
    SELECT t.{up} FROM {table} t JOIN chain c ON t.{pk} = c.id WHERE t.{up} IS NOT NULL
)
SELECT t.{pk}, t.{up} FROM {table} t JOIN chain c ON t.{pk} = c.id
"""


def upward_links(model, field: str, ids) -> dict:
    """The rows of `model` among `ids` that exist and every row they lead to through the
    self-referencing foreign key `field` (a goal's parent, a key result's `contributes_to`),
    each with where its link points (None at the top): one recursive query whatever the
    depth."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    sql = _UPWARD_SQL.format(
        table=qn(model._meta.db_table),
        pk=qn(model._meta.pk.column),
        up=qn(model._meta.get_field(field).column),
        ids=", ".join(["%s"] * len(ids)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return dict(cursor.fetchall())
