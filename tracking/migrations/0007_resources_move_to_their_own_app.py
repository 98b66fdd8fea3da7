"""Resource requests and budgets now belong to the `resources` app: take them out of tracking's
migration state, and only of its state. Their tables (and their history tables) stay as they
are, under their tracking_* names, which the resources models keep (`db_table`); resources'
0001_initial has already put the same models into its own state."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('tracking', '0006_key_result_update_confidence_follows_numbers'),
        ('resources', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # Those that refer to a budget first.
            state_operations=[
                migrations.DeleteModel(name='HistoricalResourceRequest'),
                migrations.DeleteModel(name='ResourceRequest'),
                migrations.DeleteModel(name='HistoricalBudget'),
                migrations.DeleteModel(name='Budget'),
                migrations.DeleteModel(name='ResourceSettings'),
            ],
            database_operations=[],
        ),
    ]
