"""export_data / import_data: every table is exported or excluded for a reason, a whole
organisation round-trips losslessly (export, empty the database, import, export again: the
same file), and an import into a database that holds an organisation is refused."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from goals.models import Goal
from org import dataimport, datatransfer
from org.models import Person, Unit

pytestmark = pytest.mark.django_db

OWN_APPS = {
    "org",
    "goals",
    "tracking",
    "resources",
    "incentives",
    "retros",
    "notifications",
    "dashboard",
}


def body(path: Path) -> str:
    """The file's text with only the export time taken out."""
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw).decode()
    return re.sub(r'"exported_at":"[^"]*"', '"exported_at":""', text, count=1)


def empty_database() -> None:
    """What `manage.py flush` leaves: no rows, content types and permissions recreated."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fire the deferred checks before TRUNCATE
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


def test_every_model_is_exported_or_excluded_with_a_reason():
    exported, skipped = datatransfer.classify()
    labels = {m._meta.label_lower for m in exported}
    for model in apps.get_models():
        label = model._meta.label_lower
        assert (label in labels) != (label in skipped), label
        if label in skipped:
            assert len(skipped[label]) > 20, f"{label} is excluded without a reason"
        if model._meta.app_label in OWN_APPS:
            assert label in labels, f"{label} of Keel's own apps is not exported"
    assert {
        "auth.user",
        "auth.group",
        "authtoken.token",
        "goals.historicalgoal",
        "incentives.historicalaward",
        "resources.historicalbudget",
    } <= labels
    assert {"sessions.session", "admin.logentry", "contenttypes.contenttype"} <= set(skipped)
    assert set(datatransfer.SEEDED_BY_MIGRATIONS) <= labels


def test_tables_come_after_the_tables_they_refer_to():
    order = [m._meta.label_lower for m in datatransfer.exported_models()]
    assert order.index("auth.user") < order.index("org.person")
    assert order.index("org.person") < order.index("goals.goal") < order.index("goals.keyresult")
    assert order.index("goals.keyresult") < order.index("tracking.keyresultupdate")
    assert order.index("incentives.incentiverule") < order.index("incentives.award")


def test_a_freshly_migrated_database_counts_as_empty():
    """Data migrations seed some tables; an import replaces exactly those (a new seeding
    migration must be added to SEEDED_BY_MIGRATIONS)."""
    assert dataimport.nonempty_tables() == []


def test_demo_organisation_round_trips_losslessly(tmp_path, client):
    call_command("seed_demo", verbosity=0)
    goal = Goal.objects.filter(supports__isnull=False).first()
    supports = sorted(goal.supports.values_list("pk", flat=True)) if goal else []
    counts = {m._meta.label_lower: m._base_manager.count() for m in datatransfer.exported_models()}
    first, second = tmp_path / "first.json.gz", tmp_path / "second.json"
    call_command("export_data", str(first), verbosity=0)

    empty_database()
    assert Person.objects.count() == 0 and get_user_model().objects.count() == 0
    call_command("import_data", str(first), verbosity=0)
    call_command("export_data", str(second), verbosity=0)

    assert body(first) == body(second)
    assert {
        m._meta.label_lower: m._base_manager.count() for m in datatransfer.exported_models()
    } == counts
    assert counts["goals.historicalgoal"] > 0 and counts["incentives.award"] > 0
    if goal is not None:
        assert sorted(Goal.objects.get(pk=goal.pk).supports.values_list("pk", flat=True)) == (
            supports
        )
    # Password hashes came along: the demo logins work on the imported database.
    # (through the sign-in page: the lockout backend authenticates with the request)
    response = client.post("/login/", {"username": "employee", "password": "keel-demo"})
    assert response.status_code == 302 and response.url == "/"
    # New rows get fresh ids after the imported ones.
    unit = Unit.objects.create(name="After the import")
    assert unit.pk > max(u for u in Unit.objects.exclude(pk=unit.pk).values_list("pk", flat=True))


def test_import_into_a_database_with_an_organisation_is_refused_and_changes_nothing(
    tmp_path, company
):
    export = tmp_path / "keel.json"
    call_command("export_data", str(export), verbosity=0)
    Unit.objects.filter(pk=company["sales"].pk).update(name="Sales (renamed)")
    with pytest.raises(CommandError, match="The database is not empty: .*org.unit"):
        call_command("import_data", str(export), verbosity=0)
    after = tmp_path / "after.json"
    call_command("export_data", str(after), verbosity=0)
    assert Unit.objects.get(pk=company["sales"].pk).name == "Sales (renamed)"
    # Only the unit's row changed; its history (exported too) still says what it was.
    sales_row = f'{{"model":"org.unit","pk":{company["sales"].pk},"fields":{{"name":"Sales"'
    assert body(export).count(sales_row) == 1
    assert body(after) == body(export).replace(sales_row, sales_row[:-1] + ' (renamed)"')


def test_import_into_a_freshly_migrated_database_replaces_the_seeded_rows(tmp_path, monkeypatch):
    """The seeded cause tags and retro template are in the export and in the new database;
    the import loads the exported ones. Small chunks exercise the batching."""
    monkeypatch.setattr(datatransfer, "CHUNK", 3)
    export, again = tmp_path / "fresh.json", tmp_path / "again.json"
    call_command("export_data", str(export), verbosity=0)
    call_command("import_data", str(export), verbosity=0)
    call_command("export_data", str(again), verbosity=0)
    assert body(export) == body(again)
    assert '"model":"tracking.causetag"' in body(export)


def test_gzip_and_plain_files_hold_the_same_export(tmp_path, company):
    plain, packed = tmp_path / "a.json", tmp_path / "a.json.gz"
    call_command("export_data", str(plain), verbosity=0)
    call_command("export_data", str(packed), verbosity=0)
    assert body(plain) == body(packed)
    document = json.loads(plain.read_text())
    header = document["keel_export"]
    assert (header["format"], header["version"]) == ("keel-export", 1)
    assert header["exported_at"] and "org" in header["migrations"]
    assert {o["model"] for o in document["objects"]} >= {"org.unit", "org.person", "auth.user"}


@pytest.mark.parametrize(
    "content, message",
    [
        ("hello\n", "not a Keel export"),
        ('{"keel_export":{"format":"keel-export","version":99},\n"objects":[\n]}\n', "version 99"),
        (
            '{"keel_export":{"format":"keel-export","version":1,"models":[]},\n"objects":[\n'
            '{"model":"org.unit","pk":1,"fields":{"name":"A"',
            "damaged",
        ),
        (
            '{"keel_export":{"format":"keel-export","version":1,"models":[],'
            '"migrations":{"org":["9999_future"]}},\n"objects":[\n]}\n',
            "newer database schema",
        ),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_data", str(path), verbosity=0)
    with pytest.raises(CommandError, match="No file"):
        call_command("import_data", str(tmp_path / "missing.json"), verbosity=0)
