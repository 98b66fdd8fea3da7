"""Rebuild the read models (person × cycle, unit × cycle, the alignment findings) from the goals
and report drift.

    python manage.py rebuild_rollups [--check] [--open-only]

Every row is recomputed from scratch (the stored pace brought to today first) and compared
with what is stored: each row that differed is listed. Without `--check` the rows are repaired;
with it nothing is written and the command exits with status 1 when it found drift, so CI and
monitoring can run it."""

from django.core.management.base import BaseCommand

from goals.models import Cycle
from goals.services import alignment_findings, rollups


class Command(BaseCommand):
    help = (
        "Rebuild the person × cycle and unit × cycle rollups and the alignment findings; "
        "report (and repair) drift."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Report drift and write nothing (exit 1 if any)."
        )
        parser.add_argument(
            "--open-only", action="store_true", help="Only cycles not closed (the nightly scope)."
        )

    def handle(self, *args, check: bool = False, open_only: bool = False, **options):
        cycles = Cycle.objects.filter(state__in=rollups.OPEN_CYCLES) if open_only else None
        drift = [
            *rollups.rebuild(fix=not check, cycles=cycles),
            *alignment_findings.rebuild(fix=not check, cycles=cycles),
        ]
        for row in drift[:50]:
            self.stdout.write(f"  {row}")
        if len(drift) > 50:
            self.stdout.write(f"  … and {len(drift) - 50} more")
        verb = "found" if check else "repaired"
        message = f"Rollups: {len(drift)} rows differed ({verb})."
        if drift and check:
            self.stdout.write(self.style.ERROR(message))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(message))
