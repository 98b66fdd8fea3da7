"""Import an export written by `org.datatransfer.export_data` (`manage.py import_data FILE`)
into an empty database: in one transaction, raw inserts (no signals, no history rows of its
own, timestamps as exported), foreign keys checked at the end, then the PostgreSQL sequences
moved past the imported ids. Reads the file a batch of lines at a time."""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from django.apps import apps
from django.core.management.color import no_style
from django.core.serializers import base
from django.core.serializers import python as python_serializer
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from org import datatransfer as common
from org.datatransfer import FORMAT, SEEDED_BY_MIGRATIONS, VERSION, TransferError


def _open_for_reading(path: Path) -> IO[str]:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open("r", encoding="utf-8")


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
    for model in common.exported_models():
        label = common.label_of(model)
        if label in SEEDED_BY_MIGRATIONS:
            continue
        count = model._base_manager.using(using).count()
        if count:
            found.append((label, count))
    return found


def _check_migrations(header: dict, using: str) -> None:
    here = {
        (app, name) for app, names in common.applied_migrations(using).items() for name in names
    }
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
        through._base_manager.db_manager(using).bulk_create(rows, batch_size=common.CHUNK)


def _load_batch(rows: list[dict], using: str) -> int:
    deserialized = list(python_serializer.Deserializer(rows, using=using))
    model = type(deserialized[0].object)
    _insert(model, [item.object for item in deserialized], using)
    _insert_links(deserialized, using)
    return len(deserialized)


def _batches(objects: Iterator[dict]) -> Iterator[list[dict]]:
    batch: list[dict] = []
    for item in objects:
        if batch and (item.get("model") != batch[0].get("model") or len(batch) >= common.CHUNK):
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
