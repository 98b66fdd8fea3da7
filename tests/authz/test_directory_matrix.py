"""The authorization matrix: see tests/authz/table_directory.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_directory import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_directory_matrix(world, keys):
    play(world, TABLE, keys)
