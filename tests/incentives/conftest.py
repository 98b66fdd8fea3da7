import pytest

from tests.incentives.factories import make_cycle


@pytest.fixture
def cycle(db):
    return make_cycle()
