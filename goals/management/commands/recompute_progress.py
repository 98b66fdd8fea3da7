"""Recompute the progress of every key result and goal and report the drift found.

python manage.py recompute_progress [--dry-run]
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from goals.services import recompute_all


class Command(BaseCommand):
    help = "Recompute every key result's and goal's progress; report rows that had drifted."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report only, write nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        with transaction.atomic():
            drift = recompute_all()
            if dry_run:
                transaction.set_rollback(True)
        for kind, pk, stored, computed in drift[:50]:
            self.stdout.write(f"  {kind} {pk}: {stored:.4f} -> {computed:.4f}")
        verb = "would fix" if dry_run else "fixed"
        self.stdout.write(self.style.SUCCESS(f"Drift: {len(drift)} rows ({verb})."))
