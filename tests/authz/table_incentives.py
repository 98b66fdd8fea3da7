"""Matrix rows: incentive rules, awards, recognition and fairness (issue 7).

Rules are the company's published policy: every signed-in person reads them; admins and the
HRBP of a rule's scope unit write and evaluate them (another unit's HRBP may open the editor
but not scope a rule to a unit they do not partner). An award with its amount is seen by the
recipient, their manager chain, their HRBP and admins; the HRBP and admins approve and publish
it, never for themselves. Published recognition is public, its amount is not. The fairness
report is for HRBPs (their units) and admins.
"""

from tests.authz.rows import ANY_HR, EVERYONE, HR, MANAGER_CHAIN, ONLY_SELF, Act, Marker
from tests.authz.world import AWARD_AMOUNT, HRBP_OTHER

TIERS = {"tiers": [{"threshold": 1, "amount": 1000}, {"threshold": 1.2, "amount": 2000}]}
RULE_BODY = {
    "name": "Sales bonus",
    "unit": "@sales",
    "period": "quarter",
    "kind": "tiered_bonus",
    "params": TIERS,
}


def _amount_on_feed(response) -> bool:
    return any(row["amount"] is not None for row in response.json()["results"])


def _sales_in_fairness(response) -> bool:
    return any(row["unit_name"] in ("Sales", "Field team") for row in response.json())


def _rule_form(w) -> dict:
    return {
        "name": "Sales bonus",
        "unit": w.units["sales"].pk,
        "period": "quarter",
        "kind": "tiered_bonus",
        "min_tenure_days": "0",
        "min_check_in_rate": "0",
        "currency": "CNY",
        "is_active": "on",
        "require_agreed_goals": "on",
        "tier_threshold": ["1", "1.2"],
        "tier_amount": ["1000", "2000"],
    }


TABLE = {
    "incentive-rule-list": [
        Act("list", "/api/v1/incentive-rules/", markers=(Marker("@rule", EVERYONE),)),
        Act(
            "define for Sales",
            "/api/v1/incentive-rules/",
            "post",
            RULE_BODY,
            allowed=HR,
            refused={HRBP_OTHER: 400},
        ),
    ],
    "incentive-rule-detail": [
        Act("read", "/api/v1/incentive-rules/{rule}/"),
        Act("update", "/api/v1/incentive-rules/{rule}/", "patch", {"name": "Champion"}, allowed=HR),
    ],
    "incentive-rule-evaluate": [
        Act(
            "evaluate (dry run)",
            "/api/v1/incentive-rules/{rule}/evaluate/",
            "post",
            {"period_start": "2026-11-16", "dry_run": True},
            allowed=HR,
            effect=False,
        ),
        Act(
            "evaluate and save",
            "/api/v1/incentive-rules/{rule}/evaluate/",
            "post",
            {"period_start": "2026-11-09", "dry_run": False},
            allowed=HR,
        ),
    ],
    "award-list": [
        Act(
            "list",
            "/api/v1/awards/",
            markers=(Marker("@award", MANAGER_CHAIN), Marker("@recognition", MANAGER_CHAIN)),
        )
    ],
    "award-detail": [Act("read", "/api/v1/awards/{award}/", allowed=MANAGER_CHAIN)],
    "award-approve": [
        Act(
            "approve",
            "/api/v1/awards/{award}/approve/",
            "post",
            allowed=HR,
            sees=MANAGER_CHAIN,
        )
    ],
    "award-publish": [
        Act(
            "publish",
            "/api/v1/awards/{award_approved}/publish/",
            "post",
            allowed=HR,
            sees=MANAGER_CHAIN,
        )
    ],
    "recognition-list": [
        Act(
            "feed",
            "/api/v1/recognitions/",
            markers=(Marker("@recognition", EVERYONE),),
            reveals=(_amount_on_feed, MANAGER_CHAIN),
        )
    ],
    "incentives-fairness": [
        Act(
            "report",
            "/api/v1/incentives/fairness/",
            allowed=ANY_HR,
            denied=403,
            reveals=(_sales_in_fairness, HR),
        )
    ],
    # --- pages ----------------------------------------------------------------------------
    "incentives:recognitions": [
        Act(
            "feed",
            "/incentives/",
            markers=(Marker("Weekly champion", EVERYONE), Marker(AWARD_AMOUNT, MANAGER_CHAIN)),
        )
    ],
    "incentives:my-awards": [
        Act("mine", "/incentives/mine/", markers=(Marker(AWARD_AMOUNT, ONLY_SELF),))
    ],
    "incentives:person-awards": [Act("hers", "/incentives/people/{alice}/", allowed=MANAGER_CHAIN)],
    "incentives:award": [Act("read", "/incentives/awards/{award}/", allowed=MANAGER_CHAIN)],
    "incentives:approve": [
        Act(
            "approve",
            "/incentives/awards/{award}/approve/",
            "post",
            allowed=HR,
            sees=MANAGER_CHAIN,
        )
    ],
    "incentives:publish": [
        Act(
            "publish",
            "/incentives/awards/{award_approved}/publish/",
            "post",
            allowed=HR,
            sees=MANAGER_CHAIN,
        )
    ],
    "incentives:approvals": [
        Act(
            "queue",
            "/incentives/approvals/",
            allowed=ANY_HR,
            denied=403,
            markers=(Marker(AWARD_AMOUNT, HR),),
        )
    ],
    "incentives:rules": [
        Act("list", "/incentives/rules/", markers=(Marker("Sales weekly champion", EVERYONE),))
    ],
    "incentives:rule-new": [
        Act("editor", "/incentives/rules/new/", allowed=ANY_HR, denied=403),
        # Another unit's HRBP gets the form back: Sales is not among the units they may choose.
        Act(
            "define for Sales",
            "/incentives/rules/new/",
            "post",
            _rule_form,
            allowed=HR,
            denied=403,
            refused={HRBP_OTHER: 200},
        ),
    ],
    "incentives:tier-row": [
        Act("one more tier", "/incentives/rules/tier-row/", allowed=ANY_HR, denied=403, htmx=True)
    ],
    "incentives:rule-edit": [
        Act("editor", "/incentives/rules/{rule}/edit/", allowed=HR, denied=403),
        Act(
            "update",
            "/incentives/rules/{rule}/edit/",
            "post",
            lambda w: {
                **_rule_form(w),
                "name": "Champion",
                "kind": "recognition",
                "recognition_metric": "attainment",
                "top_n": "1",
                "title": "Weekly champion",
                "period": "week",
            },
            allowed=HR,
            denied=403,
        ),
    ],
    "incentives:rule-evaluate": [
        Act("preview page", "/incentives/rules/{rule}/evaluate/", allowed=HR, denied=403),
        Act(
            "preview",
            "/incentives/rules/{rule}/evaluate/",
            "post",
            {"period_start": "2026-11-16"},
            allowed=HR,
            denied=403,
            effect=False,
        ),
        Act(
            "save",
            "/incentives/rules/{rule}/evaluate/",
            "post",
            {"period_start": "2026-11-09", "save": "1"},
            allowed=HR,
            denied=403,
        ),
    ],
    "incentives:fairness": [Act("report", "/incentives/fairness/", allowed=ANY_HR, denied=403)],
    "incentives:payroll-export": [
        Act(
            "payroll CSV",
            "/incentives/payroll.csv?start=2026-11-01&end=2026-11-30",
            allowed=ANY_HR,
            denied=403,
        ),
        Act(
            "payroll XLSX",
            "/incentives/payroll.xlsx?start=2026-11-01&end=2026-11-30",
            allowed=ANY_HR,
            denied=403,
        ),
    ],
}
