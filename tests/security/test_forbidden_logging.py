"""A refused page (403) is logged as one line on django.request, without a traceback."""

from __future__ import annotations

import logging

import pytest

pytestmark = pytest.mark.django_db


def test_a_403_is_one_line(company, login, caplog):
    client = login(company["alice"])  # not HR: the rule editor is refused
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/incentives/rules/new/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and all(r.exc_info is None for r in records)
    formatted = [logging.Formatter().format(r) for r in records]
    assert all("\n" not in line and "Traceback" not in line for line in formatted), formatted
