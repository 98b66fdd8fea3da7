"""The database as a refused request must leave it: every row of every Keel table, and
Alice's own rows (what another person's "own" action must not touch)."""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection

_TABLES: list = []
_APP_LABELS = (
    "org",
    "goals",
    "tracking",
    "resources",
    "incentives",
    "retros",
    "notifications",
    "integrations",
    "reviews",
    "coordination",
)


def tables() -> list[tuple[str, str, str]]:
    """(table, columns, primary key) of every Keel table and the users (computed once)."""
    if not _TABLES:
        _TABLES.extend(_tables())
    return _TABLES


def _tables() -> list[tuple[str, str, str]]:
    rows = []
    for label in _APP_LABELS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.proxy or not model._meta.managed:
                continue
            columns = ", ".join(f'"{f.column}"' for f in model._meta.concrete_fields)
            rows.append((model._meta.db_table, columns, model._meta.pk.column))
    user = get_user_model()
    columns = ", ".join(
        f'"{f.column}"' for f in user._meta.concrete_fields if f.name != "last_login"
    )
    rows.append((user._meta.db_table, columns, user._meta.pk.column))
    return rows


def fingerprint() -> list:
    """Every row of every Keel table (and the users, without last_login)."""
    out = []
    with connection.cursor() as cursor:
        for table, columns, pk in tables():
            cursor.execute(f'SELECT {columns} FROM "{table}" ORDER BY "{pk}"')
            out.append((table, cursor.fetchall()))
    return out


def subject_fingerprint(world) -> list:
    """Alice's own rows across the apps (what someone else's 'own' action must not touch)."""
    queries = getattr(world, "_subject_sql", None)
    if queries is None:
        queries = world._subject_sql = [qs.query.sql_with_params() for qs in _subject_rows(world)]
    out = []
    with connection.cursor() as cursor:
        for sql, params in queries:
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
    return out


def _subject_rows(world):
    from goals.models import Goal, KeyResult
    from incentives.models import Award
    from notifications.models import Notification, ReminderSchedule
    from resources.models import ResourceRequest
    from retros.models import Lesson
    from tracking.models import CheckIn, KeyResultUpdate

    alice = world.alice
    parts = [
        Goal.objects.filter(owner_person=alice),
        KeyResult.objects.filter(goal__owner_person=alice),
        CheckIn.objects.filter(person=alice),
        KeyResultUpdate.objects.filter(check_in__person=alice),
        ResourceRequest.objects.filter(requester=alice),
        Award.objects.filter(person=alice),
        Notification.objects.filter(recipient=alice),
        ReminderSchedule.objects.filter(person=alice),
        Lesson.objects.filter(author=alice),
    ]
    return [qs.order_by("pk").values_list() for qs in parts]


def diff_tables(before, after) -> list[str]:
    changed = []
    for (table, rows_before), (_t, rows_after) in zip(before, after, strict=True):
        if rows_before != rows_after:
            changed.append(f"{table} ({len(rows_before)}→{len(rows_after)} rows)")
    return changed
