"""Matrix rows: the cycle pages (issue 17). Everyone reads the cycles and the scoring page (as
`cycle-list` in tests/authz/table_goals.py); creating, editing, moving a cycle and carrying
goals over are for admins, and to anyone else they do not exist (404). A manager scores the
goals of the people below him in one form and the owner gives her own self score; a goal
outside the caller's team (or not her own) answers 404. The world's cycle is active, not in
scoring: the allowed scorers get the page back with the service's reason, nothing written."""

from tests.authz.rows import EVERYONE, MANAGERS, ONLY_ADMIN, ONLY_SELF, Act, Marker

NEXT_QUARTER = {
    "name": "2027 Q1",
    "kind": "quarter",
    "starts_on": "2027-01-01",
    "ends_on": "2027-03-31",
}


def _manager_scores(w) -> dict:
    goal = w.pk("goal_agreed")
    return {"goal": goal, f"manager-{goal}": "0.5"}


TABLE = {
    "goals:cycles": [
        Act("list", "/goals/cycles/", markers=(Marker("2026 Q4", EVERYONE),)),
    ],
    "goals:cycle-create": [
        Act("form", "/goals/cycles/new/", allowed=ONLY_ADMIN, denied=404),
        Act("create", "/goals/cycles/new/", "post", NEXT_QUARTER, allowed=ONLY_ADMIN, denied=404),
    ],
    "goals:cycle-edit": [
        Act("form", "/goals/cycles/{cycle}/edit/", allowed=ONLY_ADMIN, denied=404),
        Act(
            "rename",
            "/goals/cycles/{cycle}/edit/",
            "post",
            {"name": "Q4", "kind": "quarter", "starts_on": "2026-10-01", "ends_on": "2026-12-31"},
            allowed=ONLY_ADMIN,
            denied=404,
        ),
    ],
    "goals:cycle-transition": [
        Act(
            "move to scoring",
            "/goals/cycles/{cycle}/transition/",
            "post",
            {"to": "scoring"},
            allowed=ONLY_ADMIN,
            denied=404,
            htmx=True,
        ),
    ],
    "goals:cycle-scoring": [
        Act("read", "/goals/cycles/{cycle}/scoring/"),
        Act(
            "score the team (not in scoring: the reason comes back)",
            "/goals/cycles/{cycle}/scoring/",
            "post",
            _manager_scores,
            allowed=MANAGERS,
            denied=404,
            ok=(200,),
            effect=False,
        ),
    ],
    "goals:cycle-self-score": [
        Act(
            "self score (not in scoring: the reason comes back)",
            "/goals/cycles/{cycle}/scoring/{goal_agreed}/",
            "post",
            {"self_score": "0.5", "comment": "Close"},
            allowed=ONLY_SELF,
            denied=404,
            htmx=True,
            ok=(200,),
            effect=False,
        ),
    ],
    "goals:cycle-carry-over": [
        Act("page", "/goals/cycles/{cycle}/carry-over/", allowed=ONLY_ADMIN, denied=404),
        Act(
            "preview (an active cycle: refused with the reason)",
            "/goals/cycles/{cycle}/carry-over/",
            "post",
            {"goal": "@goal_agreed", "preview": "1"},
            allowed=ONLY_ADMIN,
            denied=404,
            htmx=True,
            effect=False,
        ),
    ],
}
