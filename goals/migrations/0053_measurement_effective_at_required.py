from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("goals", "0052_key_result_links_data")]

    operations = [
        migrations.AlterField(
            model_name="measurement",
            name="effective_at",
            field=models.DateTimeField(verbose_name="effective at"),
        ),
    ]
