"""Explanations in words. Awards store their explanation as data (codes and numbers); these
functions render it in the reader's language when it is shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core import humanize


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
    if code == "no_rating":
        return (
            _(
                "No released performance rating for the period; the rule asks for at least "
                "%(required)s."
            )
            % reason
        )
    if code == "rating":
        return _("Needs a performance rating of at least %(required)s: rated %(rating)s.") % reason
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


VESTING_STATUS = {
    "pending": lambda: _("pending"),
    "vested": lambda: _("vested"),
    "forfeited": lambda: _("forfeited"),
}


def _day(value) -> str:
    try:
        return humanize.day(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _eligibility_lines(facts: dict) -> list[str]:
    lines = []
    if "agreed_goals" in facts:
        lines.append(_("Agreed goals in the period: %(n)s.") % {"n": facts["agreed_goals"]})
    check_ins = facts.get("check_ins") or {}
    if check_ins:
        text = _("Weekly check-ins: %(submitted)s of %(expected)s.") % check_ins
        if facts.get("min_check_in_rate"):
            text += " " + _("The rule asks for %(rate)s.") % {
                "rate": percent(facts["min_check_in_rate"])
            }
        if check_ins.get("until"):
            text += " " + _("Counted until %(day)s.") % {"day": _day(check_ins["until"])}
        lines.append(text)
    if facts.get("min_rating"):
        lines.append(
            _("Performance rating: %(rating)s; the rule asks for at least %(required)s.")
            % {"rating": facts.get("rating"), "required": facts["min_rating"]}
        )
    if "tenure_days" in facts:
        text = _("Tenure: %(days)s days.") % {"days": facts["tenure_days"]}
        if facts.get("min_tenure_days"):
            text += " " + _("The rule asks for %(days)s.") % {"days": facts["min_tenure_days"]}
        lines.append(text)
    return lines


def _amount_lines(e: dict, currency: str) -> list[str]:
    lines = []
    tier = e.get("tier") or (e.get("team") or {}).get("tier")
    if tier and tier.get("threshold") is not None:
        lines.append(
            _("Tier %(threshold)s reached: %(attainment)s of target, %(amount)s %(currency)s.")
            % {
                "threshold": percent(tier.get("threshold")),
                "attainment": percent(
                    e.get("attainment") or (e.get("team") or {}).get("attainment")
                ),
                "amount": humanize.number(tier.get("amount")),
                "currency": currency,
            }
        )
    cap = e.get("cap") or {}
    if cap.get("applied"):
        lines.append(
            _("Capped at %(cap)s %(currency)s (%(before)s %(currency)s before the cap).")
            % {
                "cap": humanize.number(cap.get("cap")),
                "before": humanize.number(cap.get("before_cap")),
                "currency": currency,
            }
        )
    if e.get("forfeit_rule") == "inactive_at_vesting":
        lines.append(_("A tranche is forfeited if its person has left by its vesting day."))
    return lines


def breakdown(kind: str, explanation: dict, currency: str = "") -> dict:
    """An award's explanation for reading: the sentence, the facts it rested on, the goals and
    key results with their attainment, commission lines and vesting, every value formatted in
    the reader's language. The stored explanation (codes and numbers) stays in the API."""
    e = explanation or {}
    currency = currency or e.get("currency", "")
    goals = [
        {
            "title": goal.get("title", ""),
            "unit": goal.get("unit_name", ""),
            "weight": humanize.number(goal.get("weight")),
            "attainment": percent(goal.get("attainment")),
            "key_results": [
                {
                    "name": kr.get("name", ""),
                    "value": humanize.number(kr.get("value")),
                    "target": humanize.number(kr.get("target")),
                    "attainment": percent(kr.get("attainment")),
                }
                for kr in goal.get("key_results", [])
            ],
        }
        for goal in e.get("goals", [])
    ]
    commission = [
        {
            "name": row.get("name", ""),
            "value": humanize.number(row.get("value")),
            "target": humanize.number(row.get("target")),
            "above_target": humanize.number(row.get("above_target")),
            "earned_to_date": humanize.number(row.get("earned_to_date")),
            "paid_before": humanize.number(row.get("paid_before")),
            "amount": humanize.number(row.get("amount")),
        }
        for row in e.get("key_results", [])
        if "earned_to_date" in row
    ]
    vesting = [
        {
            "day": _day(tranche.get("vests_on")),
            "amount": humanize.number(tranche.get("amount")),
            "status": VESTING_STATUS.get(tranche.get("status"), lambda t=tranche: t["status"])(),
        }
        for tranche in e.get("vesting", [])
    ]
    return {
        "summary": describe(kind, e),
        "facts": _eligibility_lines(e.get("eligibility") or {}) + _amount_lines(e, currency),
        "goals": goals,
        "commission": commission,
        "vesting": vesting,
        "currency": currency,
    }
