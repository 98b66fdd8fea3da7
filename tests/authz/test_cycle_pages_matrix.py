"""The authorization matrix: see tests/authz/table_cycle_pages.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_cycle_pages import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_cycle_pages_matrix(world, keys):
    play(world, TABLE, keys)
