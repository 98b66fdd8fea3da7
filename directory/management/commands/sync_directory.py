"""`manage.py sync_directory feishu [--dry-run]`: bring the org chart in step with the
platform's contact directory; a dry run prints the changes and makes none."""

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError

from directory.platforms import PlatformError
from directory.sync import sync_directory


class Command(BaseCommand):
    help = "Sync units and people from Feishu, DingTalk or WeCom (a dry run prints the plan)."

    def add_arguments(self, parser):
        parser.add_argument("platform", choices=["feishu", "dingtalk", "wecom"])
        parser.add_argument("--dry-run", action="store_true", help="print the changes only")

    def handle(self, *args, platform: str, dry_run: bool, **options):
        try:
            result = sync_directory(platform=platform, dry_run=dry_run)
        except (ImproperlyConfigured, PlatformError, ValidationError) as exc:
            raise CommandError(str(exc)) from exc
        heading = "Dry run: these changes would be made" if dry_run else "Changes made"
        self.stdout.write(f"{heading} ({platform}): {len(result.changes)}")
        for line in result.changes:
            self.stdout.write(f"  {line}")
        for line in result.problems:
            self.stderr.write(f"  problem: {line}")
