"""Ids in the pages' query strings are read by hand; values that `str.isdigit()` lets through
("²", numbers no database column holds) were a 500. They are ignored like any other bad id."""

import pytest

pytestmark = pytest.mark.django_db

ODD_IDS = ["²", "9" * 30, "١٢"]  # a superscript digit, an overflow, Arabic-Indic digits


@pytest.mark.parametrize("raw", ODD_IDS)
@pytest.mark.parametrize(
    ("path", "param"),
    [
        ("/people/", "unit"),
        ("/tracking/history/", "person"),
        ("/tracking/team/", "manager"),
        ("/goals/new/", "parent"),
        ("/retros/", "unit"),
        ("/retros/lessons/new/", "retrospective"),
        ("/incentives/", "cycle"),
    ],
)
def test_odd_ids_in_page_query_strings_are_ignored_not_a_500(login, company, path, param, raw):
    response = login(company["bob"]).get(path, {param: raw})
    assert response.status_code in (200, 302, 404), response.status_code
