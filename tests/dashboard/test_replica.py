"""The optional read replica (core/db.py): summary pages read from it, a person who has just
written reads from the primary, writes never go to it. The replica is a test mirror of the
primary, so what differs is only which connection answers."""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from core.db import PIN_COOKIE, ReplicaRouter
from goals.models import Goal

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture
def replica(settings):
    settings.KEEL_READ_REPLICA = True
    settings.KEEL_REPLICA_PIN_SECONDS = 5


def _get(client, url):
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as mirror,
    ):
        response = client.get(url)
    assert response.status_code == 200
    return len(primary), len(mirror)


def test_the_board_reads_from_the_replica(company, quarter, login, replica):
    client = login(company["zed"])
    _primary, mirror = _get(client, "/dashboard/board/")
    assert mirror > 0


def test_after_a_write_the_writer_reads_from_the_primary(company, quarter, login, replica):
    client = login(company["zed"])
    response = client.post("/i18n/setlang/", {"language": "en"})
    assert float(response.cookies[PIN_COOKIE].value) > 0
    _primary, mirror = _get(client, "/dashboard/board/")
    assert mirror == 0


def test_pages_that_are_not_summaries_and_a_site_without_replica_use_the_primary(
    company, quarter, login, settings
):
    client = login(company["zed"])
    settings.KEEL_READ_REPLICA = True
    assert _get(client, "/goals/")[1] == 0
    settings.KEEL_READ_REPLICA = False
    assert _get(client, "/dashboard/board/")[1] == 0


def test_rows_read_from_the_replica_are_written_to_the_primary():
    router = ReplicaRouter()
    goal = Goal()
    goal._state.db = "replica"
    assert router.db_for_write(Goal, instance=goal) == "default"
    assert router.allow_migrate("replica", "goals") is False
