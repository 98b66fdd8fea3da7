"""The authorization matrix for the organisation and goals (API and pages)."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_goals import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_goals_matrix(world, keys):
    play(world, TABLE, keys)
