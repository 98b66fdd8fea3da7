"""The content types of the moved models follow them from the tracking app to this one.

Content types are rows: without this, a database migrated from before the move would keep
`tracking.budget` & co., migrate would add new `resources.*` ones, and whatever refers to the
old rows would be left pointing at models that no longer exist: the subject of every
notification about a request or a budget (a generic relation), the model permissions given to
users and groups, the admin's log. Renaming the rows keeps all of them. A fresh database has
no content types yet at this point (migrate creates them afterwards), so nothing happens there.
"""

from django.db import migrations

MOVED = (
    "resourcesettings",
    "budget",
    "historicalbudget",
    "resourcerequest",
    "historicalresourcerequest",
)


def _relabel(apps, schema_editor, source: str, target: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    rows = ContentType.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if rows.filter(app_label=target, model=model).exists():
            # Already there (created by a migrate that stopped between the two migrations):
            # leave both, as Django does when a renamed model's content type exists already.
            continue
        rows.filter(app_label=source, model=model).update(app_label=target)
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    _relabel(apps, schema_editor, "tracking", "resources")


def backwards(apps, schema_editor):
    _relabel(apps, schema_editor, "resources", "tracking")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('resources', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
