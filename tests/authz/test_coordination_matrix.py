"""The authorization matrix: see tests/authz/table_coordination.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_coordination import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_coordination_matrix(world, keys):
    play(world, TABLE, keys)
