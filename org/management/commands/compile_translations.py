"""Compile every .po catalog of the project into .mo files, in pure Python (Babel), so a fresh
machine needs no GNU gettext. (`makemessages`, for translators, still needs xgettext.)"""

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand

SKIP_PARTS = {".venv", "node_modules", "site-packages"}


class Command(BaseCommand):
    help = "Compile the project's .po catalogs to .mo with Babel (no gettext needed)."

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR)
        compiled = 0
        for po_path in sorted(root.rglob("*.po")):
            if SKIP_PARTS & set(po_path.relative_to(root).parts):
                continue
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file, locale=po_path.parent.parent.name)
            with mo_path.open("wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            compiled += 1
        self.stdout.write(f"Compiled {compiled} catalog(s).")
