"""The authorization matrix: see tests/authz/table_support.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_support import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_support_matrix(world, keys):
    play(world, TABLE, keys)
