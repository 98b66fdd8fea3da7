import pytest
from django.core.cache import caches


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """The token endpoint's rate limit counts per process; each test starts from zero."""
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()
