"""The authorization matrix: see tests/authz/table_resources.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_resources import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_resources_matrix(world, keys):
    play(world, TABLE, keys)
