"""Export and import a whole organisation: `manage.py export_data FILE` / `import_data FILE`.

The export is one JSON document (gzip-compressed when FILE ends in .gz):

    {"keel_export": {"format": "keel-export", "version": 1, "exported_at": ..., ...},
    "objects": [
    {"model": "org.unit", "pk": 1, "fields": {...}},
    ...
    ]}

The header is the first line and every object has a line of its own, so both sides stream: the
export iterates each table in chunks and the import reads a batch of lines at a time; neither
holds a whole table in memory.

What goes in is discovered, not listed: every table of every installed app (Keel's apps, the
auth users with their password hashes, groups and permissions, the API tokens, and the history
tables of the audit trail) except the few left out in `EXCLUDED_APPS` / `EXCLUDED_MODELS`, each
with its reason. Tables come in dependency order (a row after the rows it refers to, as far as
cycles such as unit head ↔ person allow); many-to-many links travel with their row.

Rows keep their primary keys (ids appear in unit paths, URLs and JSON fields such as an
evaluation's eligible people). Only the rows that `migrate` recreates with ids of its own,
content types and permissions, are referred to by natural key. Values keep full precision
(microseconds included), so an export of an import is the same file.

The import (`org.dataimport`) loads into an empty database only (after `migrate`), in one
transaction: raw inserts (no signals, no history rows of its own, timestamps as exported),
foreign keys checked at the end, then the PostgreSQL sequences moved past the imported ids.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import IO

from django.apps import apps
from django.core.serializers import python as python_serializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Prefetch
from django.utils import timezone

FORMAT = "keel-export"
VERSION = 1
CHUNK = 2000

# Left out of every export, with the reason. Anything not named here is exported.
EXCLUDED_APPS: dict[str, str] = {
    "contenttypes": "Recreated by migrate; rows refer to content types by natural key.",
    "sessions": "Sign-ins are transient: everyone signs in again after a restore.",
    "admin": "The admin site's own action log; the audit trail is in the history tables.",
    "axes": "Login attempts and lockouts are transient security state.",
}
EXCLUDED_MODELS: dict[str, str] = {
    "auth.permission": (
        "Recreated by migrate; users and groups refer to permissions by natural key."
    ),
}
# Rows a new database already holds after `migrate` (data migrations): the import replaces
# them with the exported ones.
SEEDED_BY_MIGRATIONS: dict[str, str] = {
    "tracking.causetag": "tracking/migrations/0002_seed_cause_tags.py",
    "retros.retrotemplate": "retros/migrations/0003_default_template.py",
    "reviews.formtemplate": "reviews/migrations/0003_ship_form_templates.py",
}
# Referred to by natural key, because migrate gives them database-specific ids.
NATURAL_KEY_MODELS = frozenset({"contenttypes.contenttype", "auth.permission"})


class TransferError(Exception):
    """An export or import that cannot proceed; the message says why and what to do."""


def label_of(model) -> str:
    return model._meta.label_lower


def classify() -> tuple[list[type[models.Model]], dict[str, str]]:
    """(the models an export holds, in dependency order; {label: reason} for every other
    model Django knows)."""
    included, skipped = [], {}
    for model in apps.get_models():
        meta, label = model._meta, label_of(model)
        if meta.proxy:
            skipped[label] = "A proxy: its rows are exported with its concrete model."
        elif not meta.managed:
            skipped[label] = "Unmanaged: not a table Keel's migrations create."
        elif meta.app_label in EXCLUDED_APPS:
            skipped[label] = EXCLUDED_APPS[meta.app_label]
        elif label in EXCLUDED_MODELS:
            skipped[label] = EXCLUDED_MODELS[label]
        else:
            included.append(model)
    return _dependency_order(included), skipped


def exported_models() -> list[type[models.Model]]:
    return classify()[0]


def _dependency_order(candidates: list[type[models.Model]]) -> list[type[models.Model]]:
    """Each model after the models its foreign keys point to; a cycle is broken at the first
    remaining model in app order. Deterministic."""
    inside = set(candidates)
    needs = {
        model: {
            f.related_model._meta.concrete_model
            for f in model._meta.concrete_fields
            if f.is_relation and f.related_model is not None
        }
        & inside - {model}
        for model in candidates
    }
    ordered: list[type[models.Model]] = []
    remaining = list(candidates)
    while remaining:
        done = set(ordered)
        ready = next((m for m in remaining if needs[m] <= done), remaining[0])
        ordered.append(ready)
        remaining.remove(ready)
    return ordered


def applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


# -- export ------------------------------------------------------------------------------


class _Serializer(python_serializer.Serializer):
    """Django's Python serializer, with natural keys only towards content types and
    permissions, and many-to-many lists in a stable order."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = label_of(field.remote_field.model) in NATURAL_KEY_MODELS
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        natural = label_of(field.remote_field.model) in NATURAL_KEY_MODELS
        self.use_natural_foreign_keys = natural
        super().handle_m2m_field(obj, field)
        if field.name in self._current:
            self._current[field.name] = sorted(self._current[field.name])


def _json_default(value):
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # full precision: DjangoJSONEncoder drops microseconds
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"Cannot export a {type(value).__name__}")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def _rows(model: type[models.Model]) -> Iterator[models.Model]:
    natural_fks = [
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and label_of(f.related_model) in NATURAL_KEY_MODELS
    ]
    prefetches = []
    for f in model._meta.local_many_to_many:
        if not f.remote_field.through._meta.auto_created:
            continue  # an explicit through model is exported as a table of its own
        target = f.related_model
        queryset = (
            target._base_manager.select_related("content_type")
            if label_of(target) == "auth.permission"
            else target._base_manager.order_by("pk").only("pk")
        )
        prefetches.append(Prefetch(f.name, queryset=queryset))
    qs = model._base_manager.order_by("pk")
    if natural_fks:
        qs = qs.select_related(*natural_fks)
    if prefetches:
        qs = qs.prefetch_related(*prefetches)
    return qs.iterator(chunk_size=CHUNK)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class _GzipText(io.TextIOWrapper):
    """Text into a gzip file with no name or time in its header: the same data gives the
    same bytes."""

    def __init__(self, path: Path):
        self._file = path.open("wb")
        packed = gzip.GzipFile(filename="", mode="wb", fileobj=self._file, mtime=0)
        super().__init__(packed, encoding="utf-8", newline="\n")

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._file.close()


def _open_for_writing(path: Path, *, compress: bool) -> IO[str]:
    if compress:
        return _GzipText(path)
    return path.open("w", encoding="utf-8", newline="\n")


def export_data(
    path: Path | str, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None
) -> dict[str, int]:
    """Write the whole database to `path`; returns the number of rows per model."""
    path = Path(path)
    connection = connections[using]
    models_ = exported_models()
    counts: dict[str, int] = {}
    outer = connection.in_atomic_block
    partial = path.with_name(path.name + ".partial")
    try:
        with (
            transaction.atomic(using=using),
            _open_for_writing(partial, compress=path.suffix == ".gz") as out,
        ):
            if connection.vendor == "postgresql" and not outer:
                # One consistent snapshot of every table, even while people keep working.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            header = {
                "format": FORMAT,
                "version": VERSION,
                "exported_at": timezone.now().isoformat(),
                "database": connection.vendor,
                "migrations": applied_migrations(using),
                "models": [label_of(m) for m in models_],
            }
            out.write('{"keel_export":' + _dumps(header) + ",\n")
            out.write('"objects":[\n')
            separator = ""
            for model in models_:
                count = 0
                for batch in _chunks(_rows(model), CHUNK):
                    for item in _Serializer().serialize(batch):
                        out.write(separator + _dumps(item))
                        separator = ",\n"
                    count += len(batch)
                counts[label_of(model)] = count
                if progress:
                    progress(label_of(model), count)
            out.write("\n]}\n")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)  # a file named FILE is always a complete export
    return counts
