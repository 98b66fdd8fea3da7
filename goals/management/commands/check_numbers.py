"""Recompute every number from the measurements and report what differs; `--fix` repairs it.

    python manage.py check_numbers [--fix]

Current values (the latest measurement by effective time), rolled-up values (from their
contributors), every key result's and goal's progress, and then (when those agree, or once
fixed) the read models (person × cycle and unit × cycle rollups) against a from-scratch
rebuild. Exits with status 1 when it found
differences and did not fix them, so CI can run it."""

from django.core.management.base import BaseCommand

from goals.services import alignment_findings, check_numbers, rollups


class Command(BaseCommand):
    help = "Recompute every value and progress from the measurements; report (and --fix) drift."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Repair what differs.")

    def handle(self, *args, fix: bool = False, **options):
        drift = check_numbers(fix=fix)
        if fix or not drift:
            # The read models against the numbers as they are now (once these are right:
            # against drifted numbers, rows that follow the truth would look wrong).
            drift = [
                *drift,
                *rollups.rebuild(fix=fix),
                *alignment_findings.rebuild(fix=fix),
            ]
        for row in drift[:50]:
            self.stdout.write(f"  {row}")
        if len(drift) > 50:
            self.stdout.write(f"  … and {len(drift) - 50} more")
        verb = "fixed" if fix else "found"
        message = f"Numbers: {len(drift)} differences {verb}."
        if drift and not fix:
            self.stdout.write(self.style.ERROR(message))
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS(message))
