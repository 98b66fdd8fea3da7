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

The import loads into an empty database only (after `migrate`), in one transaction: raw
inserts (no signals, no history rows of its own, timestamps as exported), foreign keys checked
at the end, then the PostgreSQL sequences moved past the imported ids.
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
from django.core.management.color import no_style
from django.core.serializers import base
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
}
# Referred to by natural key, because migrate gives them database-specific ids.
NATURAL_KEY_MODELS = frozenset({"contenttypes.contenttype", "auth.permission"})


class TransferError(Exception):
    """An export or import that cannot proceed; the message says why and what to do."""


def _label(model) -> str:
    return model._meta.label_lower


def classify() -> tuple[list[type[models.Model]], dict[str, str]]:
    """(the models an export holds, in dependency order; {label: reason} for every other
    model Django knows)."""
    included, skipped = [], {}
    for model in apps.get_models():
        meta, label = model._meta, _label(model)
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


def _applied_migrations(using: str) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        applied.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


# -- export ------------------------------------------------------------------------------


class _Serializer(python_serializer.Serializer):
    """Django's Python serializer, with natural keys only towards content types and
    permissions, and many-to-many lists in a stable order."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = _label(field.remote_field.model) in NATURAL_KEY_MODELS
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        natural = _label(field.remote_field.model) in NATURAL_KEY_MODELS
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
        if f.is_relation and _label(f.related_model) in NATURAL_KEY_MODELS
    ]
    prefetches = []
    for f in model._meta.local_many_to_many:
        if not f.remote_field.through._meta.auto_created:
            continue  # an explicit through model is exported as a table of its own
        target = f.related_model
        queryset = (
            target._base_manager.select_related("content_type")
            if _label(target) == "auth.permission"
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


def _open_for_reading(path: Path) -> IO[str]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open("r", encoding="utf-8")


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
                "migrations": _applied_migrations(using),
                "models": [_label(m) for m in models_],
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
                counts[_label(model)] = count
                if progress:
                    progress(_label(model), count)
            out.write("\n]}\n")
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)  # a file named FILE is always a complete export
    return counts


# -- import ------------------------------------------------------------------------------


def read_header(handle: IO[str]) -> dict:
    first = handle.readline().strip()
    prefix = '{"keel_export":'
    if not first.startswith(prefix) or not first.endswith(","):
        raise TransferError("This is not a Keel export (written by `manage.py export_data`).")
    try:
        header = json.loads(first[len(prefix) : -1])
    except ValueError:
        raise TransferError("The export's header is damaged.") from None
    if header.get("format") != FORMAT:
        raise TransferError("This is not a Keel export (written by `manage.py export_data`).")
    if not isinstance(header.get("version"), int) or header["version"] > VERSION:
        raise TransferError(
            f"This export has format version {header.get('version')}; this Keel reads up to "
            f"version {VERSION}. Import it with the Keel version that wrote it."
        )
    if handle.readline().strip() != '"objects":[':
        raise TransferError("The export's object list is missing.")
    return header


def _objects(handle: IO[str]) -> Iterator[dict]:
    for number, line in enumerate(handle, start=3):
        line = line.strip()
        if line == "]}":
            return
        if not line:
            continue
        try:
            yield json.loads(line.removesuffix(","))
        except ValueError:
            raise TransferError(f"Line {number} of the export is damaged.") from None
    raise TransferError("The export ends early: it was cut off while being written or copied.")


def nonempty_tables(using: str = DEFAULT_DB_ALIAS) -> list[tuple[str, int]]:
    """Tables an import would load into that already hold rows (the rows migrations seed
    aside)."""
    found = []
    for model in exported_models():
        label = _label(model)
        if label in SEEDED_BY_MIGRATIONS:
            continue
        count = model._base_manager.using(using).count()
        if count:
            found.append((label, count))
    return found


def _check_migrations(header: dict, using: str) -> None:
    here = {(app, name) for app, names in _applied_migrations(using).items() for name in names}
    there = {(app, name) for app, names in header.get("migrations", {}).items() for name in names}
    missing = sorted(there - here)
    if missing:
        listed = ", ".join(f"{app}.{name}" for app, name in missing[:5])
        raise TransferError(
            f"The export comes from a newer database schema ({listed}"
            f"{', …' if len(missing) > 5 else ''} not applied here). Update Keel and run "
            "`manage.py migrate` first."
        )


def _insert(model: type[models.Model], objects: list[models.Model], using: str) -> None:
    """Insert as loaddata saves (raw): no signals, auto_now timestamps as exported."""
    connection = connections[using]
    fields = list(model._meta.local_concrete_fields)
    size = max(1, connection.ops.bulk_batch_size(fields, objects))
    manager = model._base_manager.db_manager(using)
    for start in range(0, len(objects), size):
        manager._insert(objects[start : start + size], fields=fields, using=using, raw=True)


def _insert_links(deserialized: list[base.DeserializedObject], using: str) -> None:
    links: dict[type[models.Model], list[models.Model]] = {}
    for item in deserialized:
        for name, targets in (item.m2m_data or {}).items():
            field = item.object._meta.get_field(name)
            through = field.remote_field.through
            source = through._meta.get_field(field.m2m_field_name()).attname
            target = through._meta.get_field(field.m2m_reverse_field_name()).attname
            links.setdefault(through, []).extend(
                through(**{source: item.object.pk, target: pk}) for pk in targets
            )
    for through, rows in links.items():
        through._base_manager.db_manager(using).bulk_create(rows, batch_size=CHUNK)


def _load_batch(rows: list[dict], using: str) -> int:
    deserialized = list(python_serializer.Deserializer(rows, using=using))
    model = type(deserialized[0].object)
    _insert(model, [item.object for item in deserialized], using)
    _insert_links(deserialized, using)
    return len(deserialized)


def _batches(objects: Iterator[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for item in objects:
        if batch and (item.get("model") != batch[0].get("model") or len(batch) >= CHUNK):
            yield batch
            batch = []
        batch.append(item)
    if batch:
        yield batch


def _reset_sequences(models_: list[type[models.Model]], using: str) -> None:
    connection = connections[using]
    throughs = [
        f.remote_field.through
        for m in models_
        for f in m._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), [*models_, *throughs])
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def import_data(
    path: Path | str, *, using: str = DEFAULT_DB_ALIAS, progress: Callable | None = None
) -> dict[str, int]:
    """Load an export into an empty database; returns the number of rows per model. Nothing
    is written unless everything loads."""
    path = Path(path)
    connection = connections[using]
    counts: dict[str, int] = {}
    with _open_for_reading(path) as handle:
        header = read_header(handle)
        _check_migrations(header, using)
        try:
            models_ = [apps.get_model(label) for label in header["models"]]
        except LookupError as exc:
            raise TransferError(
                f"The export holds a table this Keel does not know: {exc}"
            ) from None
        with transaction.atomic(using=using):
            busy = nonempty_tables(using)
            if busy:
                listed = ", ".join(f"{label} ({n} rows)" for label, n in busy[:8])
                raise TransferError(
                    "The database is not empty: "
                    f"{listed}{', …' if len(busy) > 8 else ''}. import_data only loads into an "
                    "empty database: create a new one and run `manage.py migrate` first."
                )
            for label in SEEDED_BY_MIGRATIONS:
                if label in header["models"]:
                    apps.get_model(label)._base_manager.using(using).all().delete()
            if connection.vendor == "postgresql":
                # Rows may arrive before the rows they refer to (unit head ↔ person); the
                # foreign keys are checked once everything is in.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            with connection.constraint_checks_disabled():
                for batch in _batches(_objects(handle)):
                    label = batch[0].get("model", "")
                    try:
                        counts[label] = counts.get(label, 0) + _load_batch(batch, using)
                    except base.DeserializationError as exc:
                        raise TransferError(f"Cannot load {label}: {exc}") from None
                    if progress:
                        progress(label, counts[label])
            connection.check_constraints(table_names=[m._meta.db_table for m in models_])
            _reset_sequences(models_, using)
    return counts
