"""The authorization matrix: see tests/authz/table_retros.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_retros import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_retros_matrix(world, keys):
    play(world, TABLE, keys)
