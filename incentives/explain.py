"""Explanations in words. Awards store their explanation as data (codes and numbers); these
functions render it in the reader's language when it is shown."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _


def percent(value) -> str:
    try:
        return f"{(Decimal(str(value)) * 100).quantize(Decimal('0.1'))} %"
    except (InvalidOperation, ValueError, TypeError):
        return "—"


def reason_text(reason: dict) -> str:
    """Why a person was not eligible."""
    code = reason.get("code")
    if code == "no_agreed_goals":
        return _("No agreed goals in the period.")
    if code == "tenure":
        return _("Tenure of %(days)s days is below the required %(required)s days.") % reason
    if code == "tenure_unknown":
        return _("Hire date unknown; the rule requires %(required)s days of tenure.") % reason
    if code == "check_in_rate":
        return _(
            "Submitted %(submitted)s of %(expected)s weekly check-ins; the rule requires %(rate)s."
        ) % {**reason, "rate": percent(reason.get("required"))}
    return str(code)


METRIC_LABELS = {
    "attainment": lambda: _("goal attainment"),
    "streak": lambda: _("check-in streak"),
    "progress_gained": lambda: _("progress gained"),
}


def metric_value(metric: str, value) -> str:
    if metric == "streak":
        return _("%(weeks)s weeks") % {"weeks": value}
    return percent(value)


def describe(kind: str, explanation: dict) -> str:
    """The reason of an award in one sentence."""
    e = explanation or {}
    if kind == "recognition":
        metric = e.get("metric", "attainment")
        label = METRIC_LABELS.get(metric, METRIC_LABELS["attainment"])()
        return _("Ranked #%(rank)s of %(size)s by %(metric)s (%(value)s).") % {
            "rank": e.get("rank"),
            "size": e.get("group_size"),
            "metric": label,
            "value": metric_value(metric, e.get("value")),
        }
    if kind == "tiered_bonus":
        tier = e.get("tier") or {}
        return _("Weighted attainment %(attainment)s reached the %(threshold)s tier.") % {
            "attainment": percent(e.get("attainment")),
            "threshold": percent(tier.get("threshold")),
        }
    if kind == "commission":
        return _("%(rate)s of %(above)s above target on %(metric)s.") % {
            "rate": percent(e.get("rate")),
            "above": e.get("above_target"),
            "metric": e.get("metric"),
        }
    if kind == "milestone":
        names = ", ".join(
            f"{m.get('name')} ≥ {m.get('milestone')}" for m in e.get("milestones", [])
        )
        return _("Milestone reached for the first time: %(names)s.") % {"names": names}
    if kind == "promotion_points":
        return _("Sustained attainment %(attainment)s at or above %(threshold)s.") % {
            "attainment": percent(e.get("attainment")),
            "threshold": percent(e.get("threshold")),
        }
    if kind == "deferred":
        return _(
            "Attainment %(attainment)s at or above %(threshold)s; vests over %(n)s periods."
        ) % {
            "attainment": percent(e.get("attainment")),
            "threshold": percent(e.get("threshold")),
            "n": len(e.get("vesting", [])),
        }
    return ""
