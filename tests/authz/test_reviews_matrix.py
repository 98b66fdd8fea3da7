"""The authorization matrix: see tests/authz/table_reviews.py."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_reviews import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_reviews_matrix(world, keys):
    play(world, TABLE, keys)
