"""Matrix rows: integrations (issue 23): the bulk push of measurements, service accounts and
outbound webhooks.

A bulk push answers every signed-in caller row by row: a row for a key result the caller may
not measure is an error with the same words as one that does not exist, and writes nothing;
only the owner and those above them create values.
"""

from tests.authz.rows import EVERYONE, OWNER_AND_ABOVE, Act


def _created(response) -> bool:
    return response.json()["created"] == 1


def _bulk(name: str) -> dict:
    return {"rows": [{"key_result": f"@{name}", "value": "4", "external_id": "crm-1"}]}


TABLE = {
    "measurement-bulk-list": [
        Act(
            "push",
            "/api/v1/measurements/bulk/",
            "post",
            _bulk("kr"),
            allowed=EVERYONE,
            reveals=(_created, OWNER_AND_ABOVE),
            effect=False,
        ),
        Act(
            "push private",
            "/api/v1/measurements/bulk/",
            "post",
            _bulk("kr_private"),
            allowed=EVERYONE,
            reveals=(_created, OWNER_AND_ABOVE),
            effect=False,
        ),
    ],
}
