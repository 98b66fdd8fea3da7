"""Export the whole organisation to one JSON file (gzip-compressed when FILE ends in .gz).

    python manage.py export_data keel-2026-11-30.json.gz

`import_data` loads it into an empty database. What is exported and why: `org.datatransfer`."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from org import datatransfer


class Command(BaseCommand):
    help = "Export every row of the organisation (users, history included) to FILE."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write; FILE.gz is gzip-compressed.")

    def handle(self, *args, file: str, **options):
        path = Path(file)
        if not path.parent.is_dir():
            raise CommandError(f"No directory {path.parent} to write {path.name} into.")
        started = time.perf_counter()

        def progress(label: str, count: int) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  {label}: {count}")

        try:
            counts = datatransfer.export_data(path, progress=progress)
        except (datatransfer.TransferError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        size = path.stat().st_size
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported {sum(counts.values())} rows of {len(counts)} tables to {path} "
                f"({size / 1_000_000:.1f} MB) in {elapsed:.1f}s."
            )
        )
