"""The authorization matrix: see tests/authz/table_goal_pages.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_goal_pages import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_goal_pages_matrix(world, keys):
    play(world, TABLE, keys)
