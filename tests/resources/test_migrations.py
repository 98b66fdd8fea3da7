"""The move of the resource models from tracking to this app: state only, same tables, and the
content types (what notifications, permissions and the admin log point at) follow the models
with their ids, both ways."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from resources.models import Budget, ResourceRequest, ResourceSettings

MOVED = (
    ResourceSettings,
    Budget,
    ResourceRequest,
    Budget.history.model,
    ResourceRequest.history.model,
)


def _labels(ids: dict[str, int]) -> dict[str, str]:
    rows = ContentType.objects.filter(pk__in=ids.values()).values_list("model", "app_label")
    return dict(rows)


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    ContentType.objects.clear_cache()


def test_the_models_keep_their_tables():
    assert {m._meta.db_table for m in MOVED} == {
        "tracking_resourcesettings",
        "tracking_budget",
        "tracking_resourcerequest",
        "tracking_historicalbudget",
        "tracking_historicalresourcerequest",
    }
    assert {m._meta.app_label for m in MOVED} == {"resources"}


@pytest.mark.django_db(transaction=True)
def test_content_types_follow_the_models_with_their_ids():
    ContentType.objects.clear_cache()
    ids = {m._meta.model_name: ContentType.objects.get_for_model(m).pk for m in MOVED}
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        _migrate([("resources", None)])  # back to before the move (tracking 0007 goes too)
        assert _labels(ids) == dict.fromkeys(ids, "tracking")
        _migrate(leaves)
        assert _labels(ids) == dict.fromkeys(ids, "resources")
        assert {m._meta.model_name: ContentType.objects.get_for_model(m).pk for m in MOVED} == ids
    finally:
        _migrate(leaves)
