"""What a rule's parameters mean: per-kind validation and the calendar of periods.

Pure functions, no database: the model's `clean()`, the services and the evaluation engine use
them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

RECOGNITION_METRICS = ("attainment", "streak", "progress_gained")
MAX_NUMBER = Decimal("1e12")


# ---------------------------------------------------------------------------------------------
# Periods: [start, end) — end is exclusive.


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_bounds(period: str, day: dt.date, cycle=None) -> tuple[dt.date, dt.date]:
    """The period of kind `period` containing `day`: ISO weeks start on Monday, months and
    quarters on the calendar, a cycle from its first day to the day after its last."""
    if period == "week":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=7)
    if period == "month":
        start = _month_start(day)
        return start, _add_months(start, 1)
    if period == "quarter":
        start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        return start, _add_months(start, 3)
    if period == "cycle":
        if cycle is None:
            raise ValidationError({"cycle": _("A rule evaluated per cycle needs a cycle.")})
        return cycle.starts_on, cycle.ends_on + dt.timedelta(days=1)
    raise ValidationError({"period": _("Unknown period.")})


def last_completed_period(period: str, today: dt.date, cycle=None) -> tuple[dt.date, dt.date]:
    """The most recent period that ended on or before `today` (for a cycle: the cycle, once
    it is over)."""
    if period == "cycle":
        start, end = period_bounds(period, today, cycle)
        return start, end
    current_start, _end = period_bounds(period, today)
    return period_bounds(period, current_start - dt.timedelta(days=1))


def following_periods(period: str, end: dt.date, count: int) -> list[tuple[dt.date, dt.date]]:
    """`count` consecutive periods after one ending at `end` (a cycle rule vests by
    quarters)."""
    kind = "quarter" if period == "cycle" else period
    result = []
    day = end
    for _i in range(count):
        start, stop = period_bounds(kind, day)
        if start < day:  # `end` is mid-quarter for a cycle: the next full quarter
            start, stop = period_bounds(kind, stop)
        result.append((start, stop))
        day = stop
    return result


def mondays(start: dt.date, end: dt.date) -> list[dt.date]:
    first = start + dt.timedelta(days=(7 - start.weekday()) % 7)
    return [first + dt.timedelta(weeks=i) for i in range(max(0, (end - first).days + 6) // 7)]


# ---------------------------------------------------------------------------------------------
# Parameters per kind.


def _number(params: dict, key: str, errors: dict, *, default=None, label: str = "") -> Decimal:
    raw = params.get(key, default)
    field = f"params.{label or key}"
    if raw is None or raw == "":
        errors.setdefault(field, []).append(_("This value is required."))
        return Decimal("0")
    if isinstance(raw, bool):
        errors.setdefault(field, []).append(_("Enter a number."))
        return Decimal("0")
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("Enter a number."))
        return Decimal("0")
    if not value.is_finite() or abs(value) >= MAX_NUMBER:
        errors.setdefault(field, []).append(_("Enter a finite number of reasonable size."))
        return Decimal("0")
    return value


def _integer(params: dict, key: str, errors: dict, *, default=None) -> int:
    value = _number(params, key, errors, default=default)
    if value != value.to_integral_value():
        errors.setdefault(f"params.{key}", []).append(_("Enter a whole number."))
    return int(value)


def json_number(value: Decimal):
    """A Decimal as a plain JSON number (int when whole)."""
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def _tiers(params: dict, errors: dict) -> list[dict]:
    tiers = params.get("tiers")
    if not isinstance(tiers, list) or not tiers:
        errors["params.tiers"] = [_("Add at least one tier.")]
        return []
    cleaned = []
    for index, tier in enumerate(tiers):
        if not isinstance(tier, dict):
            errors["params.tiers"] = [_("Each tier needs a threshold and an amount.")]
            return []
        sub: dict = {}
        threshold = _number(tier, "threshold", sub)
        amount = _number(tier, "amount", sub)
        for key, msgs in sub.items():
            name = key.removeprefix("params.")
            errors.setdefault(f"params.tiers.{index}.{name}", []).extend(msgs)
        if threshold < 0:
            errors.setdefault(f"params.tiers.{index}.threshold", []).append(
                _("A threshold cannot be negative.")
            )
        if amount < 0:
            errors.setdefault(f"params.tiers.{index}.amount", []).append(
                _("An amount cannot be negative.")
            )
        cleaned.append({"threshold": threshold, "amount": amount})
    if any(key.startswith("params.tiers") for key in errors):
        return []
    for before, after in zip(cleaned, cleaned[1:], strict=False):
        if after["threshold"] <= before["threshold"]:
            errors.setdefault("params.tiers", []).append(
                _("Tiers must be in ascending order of threshold, each higher than the last.")
            )
            break
    for before, after in zip(cleaned, cleaned[1:], strict=False):
        if after["amount"] <= before["amount"]:
            errors.setdefault("params.tiers", []).append(
                _("A higher tier must pay more than the tier below it.")
            )
            break
    return [
        {"threshold": json_number(t["threshold"]), "amount": json_number(t["amount"])}
        for t in cleaned
    ]


def _positive(value: Decimal, key: str, errors: dict, message: str) -> None:
    """Refuse a value at or below zero, unless `params.<key>` already has an error."""
    if not errors.get(f"params.{key}") and value <= 0:
        errors[f"params.{key}"] = [message]


def _not_negative(value: Decimal, key: str, errors: dict, message: str) -> None:
    """Refuse a negative value, unless `params.<key>` already has an error."""
    if not errors.get(f"params.{key}") and value < 0:
        errors[f"params.{key}"] = [message]


TEAM_SPLITS = ("equal", "weight", "contribution")
LEVELS = ("frontline", "manager", "executive")


def _tiered_bonus_params(params: dict, errors: dict) -> dict:
    """A tiered bonus: ascending tiers of threshold and amount. With `team_split` it is a team
    award: each unit's own goals reach a tier and the amount is split among the unit's
    members equally, by weight (`weights` per level) or by contribution (their own
    attainment)."""
    cleaned: dict = {"tiers": _tiers(params, errors)}
    split = params.get("team_split") or ""
    if split:
        if split not in TEAM_SPLITS:
            errors["params.team_split"] = [
                _("Split a team award equally, by weight or by contribution.")
            ]
        cleaned["team_split"] = split
    weights = params.get("weights")
    if weights not in (None, {}, ""):
        if not isinstance(weights, dict) or set(weights) - set(LEVELS):
            errors["params.weights"] = [
                _("Give a weight per level: frontline, manager, executive.")
            ]
        else:
            sub: dict = {}
            cleaned["weights"] = {
                level: json_number(_number(weights, level, sub)) for level in sorted(weights)
            }
            if sub or any(Decimal(str(v)) <= 0 for v in cleaned["weights"].values()):
                errors["params.weights"] = [_("Each weight must be a positive number.")]
    return cleaned


def _commission_params(params: dict, errors: dict) -> dict:
    """A commission: a rate of the value of a key result metric."""
    metric = str(params.get("metric") or "").strip()
    if not metric:
        errors["params.metric"] = [_("Name the key result metric, e.g. new-customers.")]
    rate = _number(params, "rate", errors)
    if not errors.get("params.rate") and not (0 < rate <= 1):
        errors["params.rate"] = [_("The rate must be above 0 and at most 1 (e.g. 0.03).")]
    per_unit = _number(params, "value_per_unit", errors, default=1)
    _positive(per_unit, "value_per_unit", errors, _("The value per unit must be positive."))
    return {
        "metric": metric,
        "rate": json_number(rate),
        "value_per_unit": json_number(per_unit),
    }


def _milestone_params(params: dict, errors: dict) -> dict:
    """A milestone: a reward for reaching a key result's target."""
    amount = _number(params, "amount", errors)
    _positive(amount, "amount", errors, _("The reward must be positive."))
    return {
        "amount": json_number(amount),
        "metric": str(params.get("metric") or "").strip(),
        "include_target": bool(params.get("include_target", True)),
    }


def _recognition_params(params: dict, errors: dict) -> dict:
    """A recognition: the top N by a metric, with a title and an optional amount."""
    metric = params.get("metric", "attainment")
    if metric not in RECOGNITION_METRICS:
        errors["params.metric"] = [
            _("Rank by attainment, streak or progress_gained."),
        ]
    top_n = _integer(params, "top_n", errors, default=1)
    if not errors.get("params.top_n") and top_n < 1:
        errors["params.top_n"] = [_("N must be at least 1.")]
    amount = _number(params, "amount", errors, default=0)
    _not_negative(amount, "amount", errors, _("An amount cannot be negative."))
    title = str(params.get("title") or "").strip()
    if not title:
        errors["params.title"] = [_("Give the recognition a title, e.g. Weekly champion.")]
    elif len(title) > 200:
        errors["params.title"] = [_("Keep the title under 200 characters.")]
    return {
        "metric": metric,
        "top_n": top_n,
        "amount": json_number(amount),
        "title": title,
        "per_unit": bool(params.get("per_unit", False)),
    }


def _promotion_points_params(params: dict, errors: dict) -> dict:
    """Promotion points: points for reaching a threshold."""
    threshold = _number(params, "threshold", errors, default=1)
    _not_negative(threshold, "threshold", errors, _("A threshold cannot be negative."))
    points = _number(params, "points", errors)
    _positive(points, "points", errors, _("Points must be positive."))
    return {"threshold": json_number(threshold), "points": json_number(points)}


def _deferred_params(params: dict, errors: dict) -> dict:
    """A deferred award: an amount for reaching a threshold, vested over periods."""
    threshold = _number(params, "threshold", errors, default=1)
    _not_negative(threshold, "threshold", errors, _("A threshold cannot be negative."))
    amount = _number(params, "amount", errors)
    _positive(amount, "amount", errors, _("The award must be positive."))
    periods = _integer(params, "vesting_periods", errors, default=4)
    if not errors.get("params.vesting_periods") and not (1 <= periods <= 40):
        errors["params.vesting_periods"] = [_("Vest over 1 to 40 periods.")]
    return {
        "threshold": json_number(threshold),
        "amount": json_number(amount),
        "vesting_periods": periods,
    }


# kind → its validator: (params, errors) → the cleaned parameters, adding to `errors`
PARAM_VALIDATORS = {
    "tiered_bonus": _tiered_bonus_params,
    "commission": _commission_params,
    "milestone": _milestone_params,
    "recognition": _recognition_params,
    "promotion_points": _promotion_points_params,
    "deferred": _deferred_params,
}


RATINGS = range(1, 6)  # the performance review's scale (reviews.models.Rating)


def _min_rating(params: dict, errors: dict) -> int | None:
    """Any kind may ask for a released performance rating of at least N (1–5) for the
    period; empty: ratings do not count."""
    if params.get("min_rating") in (None, ""):
        return None
    value = _integer(params, "min_rating", errors)
    if not errors.get("params.min_rating") and value not in RATINGS:
        errors["params.min_rating"] = [_("Choose a rating from 1 to 5, or leave it empty.")]
    return value


def validate_params(kind: str, params) -> dict:
    """The cleaned parameters of a rule of `kind`, or a ValidationError whose keys name the
    parameter (`params.rate`, `params.tiers.1.amount` ...)."""
    if not isinstance(params, dict):
        raise ValidationError({"params": [_("Parameters must be an object.")]})
    errors: dict[str, list] = {}
    cleaned: dict = {}
    validator = PARAM_VALIDATORS.get(kind)
    if validator is None:
        errors["kind"] = [_("Unknown kind of rule.")]
    else:
        cleaned = validator(params, errors)
        min_rating = _min_rating(params, errors)
        if min_rating is not None:
            cleaned["min_rating"] = min_rating
    if errors:
        raise ValidationError(errors)
    return cleaned
