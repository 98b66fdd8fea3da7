"""The authorization matrix: see tests/authz/table_notifications.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_notifications import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_notifications_matrix(world, keys):
    play(world, TABLE, keys)
