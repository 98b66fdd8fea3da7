"""The authorization matrix for check-ins, feedback, plans, reviews, requests and budgets."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_tracking import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_tracking_matrix(world, keys):
    play(world, TABLE, keys)
