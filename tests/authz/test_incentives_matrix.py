"""The authorization matrix: see tests/authz/table_incentives.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_incentives import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_incentives_matrix(world, keys):
    play(world, TABLE, keys)
