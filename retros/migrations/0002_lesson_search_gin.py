"""GIN index over the lessons' search vector, on PostgreSQL only (SQLite has no tsvector and
searches the segmented document instead; see retros.search).

fastupdate is off: lessons are written rarely and read on every keystroke of the search box, so
each insert goes straight into the index instead of a pending list every query must scan."""

from django.db import migrations

INDEX = "retros_lesson_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON retros_lesson USING gin (search_vector) "
            "WITH (fastupdate = off)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("retros", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
