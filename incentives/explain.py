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
        return _("Needs %(rate)s check-ins: %(submitted)s of %(expected)s weeks.") % {
            **reason,
            "rate": percent(reason.get("required")),
        }
    return miss_text(reason)


def miss_text(reason: dict) -> str:
    """Why an eligible person earned nothing."""
    code = reason.get("code")
    numbers = {
        **reason,
        "attainment": percent(reason.get("attainment")),
        "threshold": percent(reason.get("threshold")),
        "short_by": percent(reason.get("short_by")),
    }
    if code == "below_tier":
        return (
            _(
                "Attainment %(attainment)s is below the lowest tier of %(threshold)s, short by "
                "%(short_by)s."
            )
            % numbers
        )
    if code == "below_threshold":
        return _("Attainment %(attainment)s is below %(threshold)s, short by %(short_by)s.") % (
            numbers
        )
    if code == "team_below_tier":
        return (
            _(
                "%(unit_name)s reached %(attainment)s on its goals, below the lowest tier of "
                "%(threshold)s by %(short_by)s."
            )
            % numbers
        )
    if code == "no_team_goals":
        return _("Your unit has no agreed goals of its own in the period.")
    if code == "no_contribution":
        return _("No own attainment to count as a contribution to the team's award.")
    if code == "no_metric":
        return _("No key result with the metric %(metric)s.") % reason
    if code == "nothing_new_above_target":
        return _("Nothing new above target on %(metric)s in this period.") % reason
    if code == "no_new_milestone":
        return _("No milestone reached for the first time in this period.")
    if code == "no_score":
        return _("Nothing to rank by %(metric)s in this period.") % {
            "metric": METRIC_LABELS.get(reason.get("metric"), METRIC_LABELS["attainment"])()
        }
    if code == "not_in_top":
        return _("%(value)s by %(metric)s was not in the top %(top_n)s.") % {
            **reason,
            "metric": METRIC_LABELS.get(reason.get("metric"), METRIC_LABELS["attainment"])(),
            "value": metric_value(reason.get("metric"), reason.get("value")),
        }
    return str(code)


METRIC_LABELS = {
    "attainment": lambda: _("goal attainment"),
    "streak": lambda: _("check-in streak"),
    "progress_gained": lambda: _("progress gained"),
}


SPLIT_LABELS = {
    "equal": lambda: _("equally"),
    "weight": lambda: _("by weight"),
    "contribution": lambda: _("by contribution"),
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
    if kind == "tiered_bonus" and e.get("team"):
        team, split = e["team"], e.get("split") or {}
        return _(
            "%(unit)s reached %(attainment)s on its goals, earning the team %(award)s; split "
            "%(method)s among %(members)s members, this share is %(share)s (basis %(basis)s of "
            "%(total)s)."
        ) % {
            "unit": team.get("unit_name"),
            "attainment": percent(team.get("attainment")),
            "award": team.get("award"),
            "method": SPLIT_LABELS.get(split.get("method"), SPLIT_LABELS["equal"])(),
            "members": team.get("members"),
            "share": split.get("share"),
            "basis": split.get("basis"),
            "total": split.get("total_basis"),
        }
    if kind == "tiered_bonus":
        tier = e.get("tier") or {}
        return _("Weighted attainment %(attainment)s reached the %(threshold)s tier.") % {
            "attainment": percent(e.get("attainment")),
            "threshold": percent(tier.get("threshold")),
        }
    if kind == "commission":
        text = _("%(rate)s of %(above)s above target on %(metric)s.") % {
            "rate": percent(e.get("rate")),
            "above": e.get("above_target"),
            "metric": e.get("metric"),
        }
        rows = e.get("key_results", [])
        if rows and "earned_to_date" in rows[0]:
            earned = sum((Decimal(r["earned_to_date"]) for r in rows), Decimal("0"))
            before = sum((Decimal(r["paid_before"]) for r in rows), Decimal("0"))
            adjustment = sum((Decimal(r["adjustment"]) for r in rows), Decimal("0"))
            text += " " + _(
                "Earned to date %(earned)s, already paid %(before)s: this period pays the "
                "difference (of which %(adjustment)s corrects earlier periods)."
            ) % {"earned": earned, "before": before, "adjustment": adjustment}
        return text
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
