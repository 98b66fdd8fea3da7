"""Matrix rows: the retrospective and knowledge-base pages. The rules are those of
tests/authz/table_retros.py (EDITORS, MANAGE); forms that refuse answer with the form and the
reason (200), said per row."""

from tests.authz.rows import (
    ANY_HR,
    EVERYONE,
    HEADS,
    MANAGER_CHAIN,
    ONLY_SELF,
    OWNER_AND_ABOVE,
    PRIVATE,
    Act,
    Marker,
)
from tests.authz.table_retros import EDITORS, FIVE_WHY_FORM, MANAGE
from tests.authz.world import (
    HRBP,
    RETRO_TITLE,
    UNIT_RETRO_TITLE,
)

TABLE = {
    "retros:lessons": [
        Act(
            "knowledge base",
            "/retros/",
            markers=(
                Marker("Alice published lesson", EVERYONE),
                Marker(RETRO_TITLE, MANAGER_CHAIN),
            ),
        ),
        Act(
            "search",
            "/retros/?q=lesson",  # titles come back highlighted: look for the links
            markers=(
                Marker(lambda w: f"/retros/lessons/{w.lesson.pk}/", EVERYONE),
                Marker(lambda w: f"/retros/lessons/{w.draft_lesson.pk}/", ONLY_SELF),
            ),
        ),
    ],
    "retros:lesson-create": [
        Act("form", "/retros/lessons/new/"),
        Act(
            "form from her retrospective",
            "/retros/lessons/new/?retrospective={retro}",
            allowed=MANAGER_CHAIN,
        ),
        Act(
            "write mine",
            "/retros/lessons/new/",
            "post",
            {"title": "Mine", "category": "sales"},
            own=True,
        ),
    ],
    "retros:lesson": [
        Act("read published", "/retros/lessons/{lesson}/"),
        Act("read draft", "/retros/lessons/{draft_lesson}/", allowed=ONLY_SELF),
    ],
    "retros:lesson-publish": [
        Act(
            "publish draft",
            "/retros/lessons/{draft_lesson}/publish/",
            "post",
            allowed=ONLY_SELF,
            sees=ONLY_SELF,
        )
    ],
    # The search glossary: kept by every HRBP and the admins; anyone else gets 404.
    "retros:glossary": [
        Act("read", "/retros/glossary/", allowed=ANY_HR),
        Act(
            "add a pair",
            "/retros/glossary/",
            "post",
            {"term": "客户", "translation": "customer"},
            allowed=ANY_HR,
            denied=404,
        ),
    ],
    "retros:similar": [
        Act("for her public goal", "/retros/similar/?goal={goal_agreed}", htmx=True),
        Act(
            "for her private goal",
            "/retros/similar/?goal={goal_private}",
            allowed=PRIVATE,
            htmx=True,
        ),
        Act(
            "for her private key result",
            "/retros/similar/?key_result={kr_private}",
            allowed=PRIVATE,
            htmx=True,
        ),
    ],
    "retros:list": [
        Act(
            "list",
            "/retros/retrospectives/",
            markers=(Marker(RETRO_TITLE, MANAGER_CHAIN), Marker(UNIT_RETRO_TITLE, MANAGER_CHAIN)),
        )
    ],
    "retros:create": [
        Act("form", "/retros/retrospectives/new/"),
        Act(
            "form for her private goal",
            "/retros/retrospectives/new/?goal={goal_private}",
            allowed=PRIVATE,
        ),
        # The form comes back with the reason for her HRBP, who sees the goal.
        Act(
            "start for her private goal",
            "/retros/retrospectives/new/",
            "post",
            lambda w: {"cycle": w.cycle.pk, "goal": w.goal_private.pk, "title": "Look back"},
            allowed=OWNER_AND_ABOVE,
            sees=PRIVATE,
            refused={HRBP: 200},
        ),
        Act(
            "start for her unit",
            "/retros/retrospectives/new/",
            "post",
            lambda w: {"cycle": w.cycle.pk, "unit": w.units["field"].pk, "title": "Look back"},
            allowed=HEADS,
            denied=200,
        ),
    ],
    "retros:detail": [
        Act("read", "/retros/retrospectives/{retro}/", allowed=MANAGER_CHAIN),
        Act("read unit's", "/retros/retrospectives/{unit_retro}/", allowed=MANAGER_CHAIN),
    ],
    "retros:sections": [
        Act(
            "edit sections",
            "/retros/retrospectives/{retro}/sections/",
            "post",
            {"reasons": "Too few leads", "what_worked": "", "improvements": ""},
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        )
    ],
    "retros:hold": [
        Act(
            "hold",
            "/retros/retrospectives/{retro}/hold/",
            "post",
            allowed=MANAGE,
            sees=MANAGER_CHAIN,
        )
    ],
    "retros:publish": [
        Act(
            "publish",
            "/retros/retrospectives/{unit_retro}/publish/",
            "post",
            allowed=MANAGE,
            sees=MANAGER_CHAIN,
        )
    ],
    "retros:improvement-add": [
        Act(
            "add",
            "/retros/retrospectives/{retro}/improvements/",
            "post",
            lambda w: {"description": "Demo day", "owner": w.alice.pk},
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        )
    ],
    "retros:five-why-new": [
        Act(
            "editor",
            "/retros/retrospectives/{retro}/five-whys/new/",
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        ),
        Act(
            "add",
            "/retros/retrospectives/{retro}/five-whys/new/",
            "post",
            FIVE_WHY_FORM,
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        ),
    ],
    "retros:five-why-edit": [
        Act(
            "editor",
            "/retros/retrospectives/{retro}/five-whys/{five_why}/",
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        ),
        Act(
            "update",
            "/retros/retrospectives/{retro}/five-whys/{five_why}/",
            "post",
            FIVE_WHY_FORM,
            allowed=EDITORS,
            sees=MANAGER_CHAIN,
        ),
    ],
    "retros:five-why-level": [
        Act("one more level", "/retros/five-whys/level/?number=6", htmx=True)
    ],
    "retros:follow-through": [
        Act(
            "to a plan",
            "/retros/actions/{retro_action}/follow-through/",
            "post",
            {"to": "plan"},
            allowed=MANAGE,
            sees=MANAGER_CHAIN,
        )
    ],
}
