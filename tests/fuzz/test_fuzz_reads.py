"""The API fuzz test (tests/fuzz/fuzzing.py) over every GET operation, as each main role."""

import pytest

from tests.fuzz.fuzzing import cases, fuzz_operation, new_run, report

RUN = new_run()


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    report("reads", RUN)


@pytest.mark.parametrize(("role", "operation"), cases(reads=True))
def test_operation(role, operation, world, wsgi_app):
    fuzz_operation(role, operation, world, wsgi_app, RUN)
