from django.db import migrations

SEEDED = [
    ("not-enough-leads", "Not enough leads"),
    ("low-conversion", "Low conversion"),
    ("skills-gap", "Skills gap"),
    ("competition", "Competition"),
    ("resources", "Resources"),
    ("dependencies", "Dependencies"),
    ("external-change", "External change"),
    ("other", "Other"),
]


def seed(apps, schema_editor):
    CauseTag = apps.get_model("tracking", "CauseTag")
    for position, (slug, label) in enumerate(SEEDED):
        CauseTag.objects.get_or_create(slug=slug, defaults={"label": label, "position": position})


class Migration(migrations.Migration):
    dependencies = [("tracking", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
