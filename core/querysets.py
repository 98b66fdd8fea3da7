"""Small helpers for reading lists in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Window


def first_and_count(queryset: QuerySet, limit: int) -> tuple[list, int]:
    """The first `limit` rows of a list and how many it has, in one query: each row carries
    the count of all (a window over the whole filtered list, computed before the limit). A
    DISTINCT list takes two queries (the window would count the rows before DISTINCT)."""
    if queryset.query.distinct:
        return list(queryset[:limit]), queryset.count()
    rows = list(queryset.annotate(list_total=Window(Count("pk")))[:limit])
    return rows, (rows[0].list_total if rows else 0)
