"""Matrix rows: notifications and reminder settings (issue 9), the dashboards, exports and the
import (issue 10), and the home page.

A person's inbox and reminder overrides are theirs alone; organisation defaults and reminder
runs are for admins. The team dashboard is for managers, the company overview for admins and
executives, the alignment review for the unit's HRBP and admins. Boards, timelines and exports
show exactly the goals (and check-ins) the viewer may see; an import sets goals only for
owners the importer may set goals for.
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.authz.rows import (
    ANY_HR,
    HR,
    MANAGER_CHAIN,
    MANAGERS,
    ONLY_ADMIN,
    ONLY_SELF,
    OWNER_AND_ABOVE,
    PRIVATE,
    PUBLIC,
    UNIT_VISIBLE,
    Act,
    Marker,
)
from tests.authz.world import NOTIFICATION_TEXT, PRIVATE_GOAL, UNIT_GOAL, UPDATE_NOTE

GOALS_SHOWN = (
    Marker("Alice public draft goal", PUBLIC),
    Marker(UNIT_GOAL, UNIT_VISIBLE),
    Marker(PRIVATE_GOAL, PRIVATE),
)


def _own_override_shown(response) -> bool:
    return any(row["time"] == "16:30" for row in response.json())


def _import_file(w) -> dict:
    rows = (
        "goal_ref,title,level,kind,owner,owner_unit,parent_id,weight,category,kr_name,kr_metric,"
        "kr_unit,kr_direction,kr_start,kr_target,kr_weight,kr_due\n"
        "g1,Imported goal for Alice,person,objective,alice,,,1,,Visits,visits,visits,increase,"
        "0,10,1,\n"
    )
    upload = SimpleUploadedFile("goals.csv", rows.encode(), content_type="text/csv")
    return {"cycle": w.cycle.pk, "file": upload}


TABLE = {
    "notification-list": [
        Act("inbox", "/api/v1/notifications/", markers=(Marker("@notification", ONLY_SELF),))
    ],
    "notification-detail": [
        Act("read", "/api/v1/notifications/{notification}/", allowed=ONLY_SELF)
    ],
    "notification-read": [
        Act(
            "mark read",
            "/api/v1/notifications/{notification}/read/",
            "post",
            allowed=ONLY_SELF,
            sees=ONLY_SELF,
        )
    ],
    "notification-read-all": [
        Act("mark all mine read", "/api/v1/notifications/read-all/", "post", own=True, effect=False)
    ],
    "reminder-settings-list": [
        Act(
            "my schedule",
            "/api/v1/reminder-settings/",
            reveals=(_own_override_shown, ONLY_SELF),
        )
    ],
    "reminder-settings-detail": [
        Act("my check-in nudge", "/api/v1/reminder-settings/reminder.check_in/"),
        Act(
            "change mine",
            "/api/v1/reminder-settings/reminder.check_in/",
            "patch",
            {"enabled": False},
            own=True,
        ),
        Act(
            "back to the default",
            "/api/v1/reminder-settings/reminder.check_in/",
            "delete",
            own=True,
            effect=False,  # only Alice has an override to remove
        ),
    ],
    "reminder-settings-defaults": [Act("defaults", "/api/v1/reminder-settings/defaults/")],
    "reminder-settings-update-default": [
        Act(
            "change a default",
            "/api/v1/reminder-settings/defaults/reminder.check_in/",
            "patch",
            {"time": "14:00"},
            allowed=ONLY_ADMIN,
        )
    ],
    "notifications:inbox": [
        Act("inbox", "/notifications/", markers=(Marker(NOTIFICATION_TEXT, ONLY_SELF),))
    ],
    "notifications:bell": [Act("bell", "/notifications/bell/", htmx=True)],
    "notifications:read": [
        Act(
            "mark read",
            "/notifications/{notification}/read/",
            "post",
            allowed=ONLY_SELF,
            sees=ONLY_SELF,
        )
    ],
    "notifications:read-all": [
        Act("mark all mine read", "/notifications/read-all/", "post", own=True, effect=False)
    ],
    "notifications:preferences": [
        Act("my settings", "/notifications/preferences/"),
        Act(
            "change my channels",
            "/notifications/preferences/",
            "post",
            {"action": "channels"},
            own=True,
        ),
        Act(
            "change my nudge",
            "/notifications/preferences/",
            "post",
            {
                "action": "schedule",
                "kind": "reminder.check_in",
                "reminder-check_in-weekday": "2",
                "reminder-check_in-time": "11:00",
                "reminder-check_in-enabled": "on",
            },
            own=True,
        ),
    ],
    "notifications:runs": [
        Act("reminder runs", "/notifications/runs/", allowed=ONLY_ADMIN, denied=403)
    ],
    # --- dashboards -----------------------------------------------------------------------
    "home": [Act("home", "/", markers=(Marker("Alice agreed goal", ONLY_SELF, PUBLIC),))],
    "dashboard:manager": [Act("team dashboard", "/dashboard/team/", allowed=MANAGERS, denied=404)],
    # The team dashboard's sections (htmx, or a page without JavaScript): for managers only.
    "dashboard:manager-section": [
        Act(
            f"team dashboard section {name}",
            f"/dashboard/team/{name}/",
            allowed=MANAGERS,
            denied=404,
        )
        for name in ("risks", "missing", "approvals", "resources", "trend", "heatmap", "people")
    ],
    "dashboard:company": [
        Act("company overview", "/dashboard/company/", allowed=ONLY_ADMIN, denied=404)
    ],
    "dashboard:board": [Act("board", "/dashboard/board/?cycle={cycle}", markers=GOALS_SHOWN)],
    "dashboard:timeline": [
        Act("timeline", "/dashboard/timeline/?cycle={cycle}", markers=GOALS_SHOWN)
    ],
    "dashboard:units": [
        # Every HRBP has the page; each sees only the units they partner.
        Act(
            "the HRBP overview",
            "/dashboard/units/?cycle={cycle}",
            allowed=ANY_HR,
            denied=404,
            markers=(Marker(lambda w: f'id="unit-{w.pk("sales")}"', HR),),
        )
    ],
    "dashboard:alignment": [
        Act(
            "Sales review",
            "/dashboard/alignment/?unit={sales}&cycle={cycle}",
            allowed=HR,
            denied=404,
        )
    ],
    "dashboard:alignment-csv": [
        Act(
            "Sales checklist",
            "/dashboard/alignment/checklist.csv?unit={sales}&cycle={cycle}",
            allowed=HR,
            denied=404,
        )
    ],
    "dashboard:exports": [Act("exports", "/dashboard/exports/")],
    "dashboard:export": [
        Act("goals csv", "/dashboard/exports/goals.csv?cycle={cycle}", markers=GOALS_SHOWN),
        Act("goals xlsx", "/dashboard/exports/goals.xlsx?cycle={cycle}"),
        Act(
            "check-ins csv",
            "/dashboard/exports/check-ins.csv?cycle={cycle}",
            markers=(Marker(UPDATE_NOTE, MANAGER_CHAIN),),
        ),
        Act("check-ins xlsx", "/dashboard/exports/check-ins.xlsx?cycle={cycle}"),
    ],
    "dashboard:import": [
        Act("form", "/dashboard/import/"),
        # Rows for owners the importer may not set goals for come back as errors (200).
        Act(
            "import a goal for Alice",
            "/dashboard/import/",
            "post",
            _import_file,
            allowed=OWNER_AND_ABOVE,
            denied=200,
        ),
    ],
    "dashboard:import-errors": [Act("my error report", "/dashboard/import/errors.csv")],
    "dashboard:import-template": [Act("template", "/dashboard/import/template.csv")],
}
