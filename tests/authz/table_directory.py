"""Matrix rows: the people import (issue 24). Admins and HRBPs (any unit: each row is then
checked against the units they partner, tests/directory/test_people_import.py) open it; to
anyone else it does not exist (404)."""

from tests.authz.rows import ANY_HR, Act

TABLE = {
    "directory:import": [
        Act("form", "/directory/import/", allowed=ANY_HR, denied=404),
        # Without a file the form answers with its error: nothing is written.
        Act(
            "check",
            "/directory/import/",
            "post",
            {"dry_run": "on"},
            allowed=ANY_HR,
            denied=404,
            effect=False,
        ),
    ],
    "directory:import-errors": [
        Act("error report", "/directory/import/errors.csv", allowed=ANY_HR, denied=404)
    ],
    "directory:import-template": [
        Act("template", "/directory/import/template.csv", allowed=ANY_HR, denied=404)
    ],
}
