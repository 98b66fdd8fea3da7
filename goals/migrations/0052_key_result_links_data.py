"""Existing data under the new rules: every measurement's effective time is when it was
recorded; a key result split by a cascade contributes to the one it came from; current values,
rollups and progress recomputed from the measurements."""

from django.db import migrations
from django.db.models import F

ADDITIVE = ("increase", "decrease")


def link_cascaded_key_results(KeyResult):
    """A key result split by a cascade contributes to the one it came from: a child goal's key
    result with the parent goal's key result's metric (or, without one, its name) and
    direction. The key results they contribute to take their value from them (a sum)."""
    parents = {}
    for kr in KeyResult.objects.filter(
        direction__in=ADDITIVE, goal__children__isnull=False
    ).distinct():
        parents.setdefault(kr.goal_id, []).append(kr)
    linked = set()
    children = KeyResult.objects.filter(
        goal__parent_id__in=list(parents), direction__in=ADDITIVE, contributes_to__isnull=True
    ).select_related("goal")
    for kr in children.iterator(chunk_size=2000):
        for parent in parents.get(kr.goal.parent_id, []):
            same = (kr.metric and kr.metric == parent.metric) or (
                not (kr.metric and parent.metric) and kr.name == parent.name
            )
            if same and kr.direction == parent.direction:
                KeyResult.objects.filter(pk=kr.pk).update(contributes_to=parent)
                linked.add(parent.pk)
                break
    KeyResult.objects.filter(pk__in=linked).update(source="rollup", aggregation="sum")


def forward(apps, schema_editor):
    from goals.services.consistency import NumbersCheck

    Measurement = apps.get_model("goals", "Measurement")
    KeyResult = apps.get_model("goals", "KeyResult")
    Goal = apps.get_model("goals", "Goal")
    Measurement.objects.filter(effective_at__isnull=True).update(effective_at=F("recorded_at"))
    link_cascaded_key_results(KeyResult)
    # Current values from the latest measurement (a late value no longer wins), rolled-up
    # values from their contributors, and every progress after them.
    NumbersCheck(KeyResult, Measurement, Goal).run(fix=True)


class Migration(migrations.Migration):
    dependencies = [("goals", "0051_key_result_links_and_cycle_lifecycle")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
