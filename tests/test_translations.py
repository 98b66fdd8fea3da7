"""The Chinese catalogs are complete: every msgid in the code has a translation.

Extraction runs `makemessages` on a copy of the sources (the real catalogs stay untouched) and
checks that it adds no untranslated or fuzzy entry to any zh_Hans catalog."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = [
    "core",
    "org",
    "goals",
    "tracking",
    "incentives",
    "retros",
    "reviews",
    "notifications",
    "resources",
    "coordination",
    "reminders",
    "integrations",
    "dashboard",
    "demo",
]
IGNORE = shutil.ignore_patterns(
    ".venv", "__pycache__", "*.mo", "db.sqlite3*", "test-output", ".git"
)


def catalogs(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("zh_Hans/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def untranslated(po_path: Path) -> list[str]:
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale="zh_Hans")
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def test_every_catalog_is_fully_translated():
    found = catalogs(ROOT)
    assert found, "no zh_Hans catalogs"
    problems = {str(p.relative_to(ROOT)): untranslated(p) for p in found}
    assert not {k: v for k, v in problems.items() if v}


@pytest.mark.skipif(not shutil.which("xgettext"), reason="makemessages needs GNU gettext")
def test_makemessages_finds_no_new_untranslated_strings(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(ROOT, copy, ignore=IGNORE, symlinks=True)
    manage = [sys.executable, str(copy / "manage.py"), "makemessages", "-l", "zh_Hans", "-v", "0"]
    for app in APPS:
        app_dir = copy / app
        if (app_dir / "locale").is_dir():
            subprocess.run(manage, cwd=app_dir, check=True)
    ignores = [f"--ignore={name}/*" for name in [*APPS, "tests", ".venv", "scripts"]]
    subprocess.run([*manage, *ignores], cwd=copy, check=True)
    problems = {str(p.relative_to(copy)): untranslated(p) for p in catalogs(copy)}
    assert not {k: v for k, v in problems.items() if v}
