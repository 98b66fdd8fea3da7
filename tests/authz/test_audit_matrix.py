"""The authorization matrix: see tests/authz/table_audit.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_audit import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_audit_matrix(world, keys):
    play(world, TABLE, keys)
