"""The authorization matrix for integrations (API and pages)."""

import pytest

from tests.authz.engine import groups, play
from tests.authz.table_integrations import TABLE


@pytest.mark.parametrize("keys", groups(TABLE))
def test_integrations_matrix(world, keys):
    play(world, TABLE, keys)
