"""Load an export written by `export_data` into an EMPTY database, in one transaction.

    python manage.py migrate            # a new, empty database first
    python manage.py import_data keel-2026-11-30.json.gz

Refused, with nothing written, when the database already holds an organisation."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, IntegrityError

from org import dataimport


class Command(BaseCommand):
    help = "Import an export_data FILE into an empty database (after migrate)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="A file written by export_data (.json or .json.gz).")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        started = time.perf_counter()

        def progress(label: str, count: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {label}: {count}")

        try:
            counts = dataimport.import_data(path, progress=progress)
        except dataimport.TransferError as exc:
            raise CommandError(str(exc)) from exc
        except (IntegrityError, DatabaseError) as exc:
            raise CommandError(f"The import was rolled back, nothing was written: {exc}") from exc
        elapsed = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {sum(counts.values())} rows of {len(counts)} tables from {path} "
                f"in {elapsed:.1f}s."
            )
        )
