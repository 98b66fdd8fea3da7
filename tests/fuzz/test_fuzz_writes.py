"""The API fuzz test (tests/fuzz/fuzzing.py) over every POST, PUT, PATCH and DELETE operation,
as each main role."""

import pytest

from tests.fuzz.fuzzing import cases, fuzz_operation, new_run, report

RUN = new_run()


@pytest.fixture(scope="module", autouse=True)
def _summary():
    yield
    report("writes", RUN)


@pytest.mark.parametrize(("role", "operation"), cases(reads=False))
def test_operation(role, operation, world, wsgi_app):
    fuzz_operation(role, operation, world, wsgi_app, RUN)
