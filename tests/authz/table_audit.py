"""Matrix rows: the audit trail (issue 12, part 7).

Admins see every change; an HRBP sees the changes to objects in the units they partner (Carol,
HRBP of Sales, sees Alice's goals change; Hank, HRBP of Marketing only, does not); nobody else
has an audit trail to open (404, page and API alike). The export carries what the page shows.
"""

from tests.authz.rows import ANY_HR, HR, Act, Marker

# Alice's goals were created and agreed through the services: their history rows name them.
ALICE_CHANGED = (Marker("Alice agreed goal", HR),)


TABLE = {
    "dashboard:audit": [
        Act("audit trail", "/dashboard/audit/", allowed=ANY_HR, denied=404, markers=ALICE_CHANGED)
    ],
    "dashboard:audit-export": [
        Act(
            "audit csv",
            "/dashboard/audit/export.csv",
            allowed=ANY_HR,
            denied=404,
            markers=ALICE_CHANGED,
        ),
        Act("audit xlsx", "/dashboard/audit/export.xlsx", allowed=ANY_HR, denied=404),
    ],
    "audit-list": [
        Act(
            "audit list",
            "/api/v1/audit/?page_size=500",
            allowed=ANY_HR,
            denied=404,
            reveals=(
                lambda response: "Alice agreed goal" in response.content.decode(),
                HR,
            ),
        )
    ],
}
