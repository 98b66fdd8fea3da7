"""The default retrospective template. Its sections have no stored questions, so the built-in
(translated) questions apply until an admin writes their own."""

from django.db import migrations


def create(apps, schema_editor):
    RetroTemplate = apps.get_model("retros", "RetroTemplate")
    if not RetroTemplate.objects.filter(is_default=True).exists():
        RetroTemplate.objects.create(name="Standard", questions={}, is_default=True)


class Migration(migrations.Migration):
    dependencies = [("retros", "0002_lesson_search_gin")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
