"""The SMART check: a verdict (pass | warn | fail) per letter, with a message a person can act on.

`smart_check(...)` works on a goal being written (unsaved form data) and `check_goal(goal)` on a
saved one; both answer {"specific": Verdict, "measurable": ..., "achievable": ...,
"relevant": ..., "time_bound": ...}. A handful of queries: one for the owner's history.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Max, Min
from django.utils.translation import gettext as _

from goals.models import Cycle, Goal, GoalSettings, KeyResult, Measurement, fmt_number

PASS, WARN, FAIL = "pass", "warn", "fail"
LETTERS = ("specific", "measurable", "achievable", "relevant", "time_bound")

# Words that on their own say nothing measurable (English and Chinese).
VAGUE = {
    "improve",
    "better",
    "more",
    "increase",
    "enhance",
    "optimize",
    "optimise",
    "strengthen",
    "support",
    "best",
    "good",
    "great",
    "excellent",
    "world-class",
    "努力",
    "提高",
    "提升",
    "加强",
    "改善",
    "优化",
    "更好",
    "尽量",
    "争取",
}
MIN_TITLE = 8
_WORD = re.compile(r"[\w\-]+", re.UNICODE)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Verdict:
    status: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


def _number(raw) -> Decimal | None:
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _date(raw) -> dt.date | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        return None


# The FAIL conditions of the checks below, without wording a verdict: the alignment findings
# (goals.selectors_alignment.failing_letters) test every goal of a cycle with these and word
# only the letters that fail (tests/goals/test_smart.py holds each equal to its check).


def title_too_short(title: str) -> bool:
    """`check_specific` fails."""
    title = (title or "").strip()
    return len(title) < MIN_TITLE and not (_CJK.search(title) and len(title) >= 4)


def unmeasurable(targets: list) -> bool:
    """`check_measurable` fails (given each key result's target value)."""
    # A Decimal (a saved key result's target) is a number when finite: `_number` would parse
    # its text back to the same value.
    return not targets or any(
        not (t.is_finite() if isinstance(t, Decimal) else _number(t) is not None) for t in targets
    )


def misaligned(*, level: str, parent: Goal | None, cycle: Cycle | None) -> bool:
    """`check_relevant` fails."""
    if level == Goal.Level.COMPANY:
        return False
    return parent is None or (cycle is not None and not parent.cycle.covers(cycle))


def due_outside(dues: list, *, cycle: Cycle | None) -> bool:
    """`check_time_bound` fails (given each key result's due date)."""
    if cycle is None:
        return True
    for raw in dues:
        if raw in (None, ""):
            continue
        due = _date(raw)
        if due is None or not cycle.contains(due):
            return True
    return False


def check_specific(title: str) -> Verdict:
    title = (title or "").strip()
    if title_too_short(title):
        return Verdict(
            FAIL,
            _("Write a title that says what will be achieved, e.g. “Win 45 new customers in Q3”."),
        )
    words = [w.lower() for w in _WORD.findall(title)]
    vague = [w for w in words if w in VAGUE] + [w for w in VAGUE if _CJK.search(w) and w in title]
    has_number = any(ch.isdigit() for ch in title)
    if vague and not has_number:
        return Verdict(
            WARN,
            _(
                "“%(word)s” alone is vague: name the result, e.g. which customers, "
                "product or number."
            )
            % {"word": vague[0]},
        )
    return Verdict(PASS, _("The title names a concrete result."))


def check_measurable(key_results: list[dict]) -> Verdict:
    if not key_results:
        return Verdict(FAIL, _("Add at least one key result with a numeric target."))
    for kr in key_results:
        if _number(kr.get("target_value")) is None:
            return Verdict(
                FAIL,
                _("Key result “%(name)s” needs a numeric target.")
                % {"name": kr.get("name") or "?"},
            )
    missing_unit = [
        kr.get("name") or "?" for kr in key_results if not (kr.get("unit") or "").strip()
    ]
    if missing_unit:
        return Verdict(
            WARN,
            _("Say what “%(name)s” is measured in (customers, %%, points…).")
            % {"name": missing_unit[0]},
        )
    return Verdict(PASS, _("Every key result has a numeric target and a unit."))


def owner_best(
    *,
    owner_person_id: int | None,
    owner_unit_id: int | None,
    cycle: Cycle,
    pairs: set[tuple[str, str]],
) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    """(metric, unit) → (highest, lowest) value the owner reached in cycles that ended before
    this one started. One query."""
    if not pairs or not (owner_person_id or owner_unit_id):
        return {}
    owner = (
        {"key_result__goal__owner_person_id": owner_person_id}
        if owner_person_id
        else {"key_result__goal__owner_unit_id": owner_unit_id}
    )
    rows = (
        Measurement.objects.filter(
            key_result__metric__in={m for m, _u in pairs},
            key_result__goal__cycle__ends_on__lt=cycle.starts_on,
            **owner,
        )
        .values("key_result__metric", "key_result__unit")
        .annotate(high=Max("value"), low=Min("value"))
    )
    return {
        (r["key_result__metric"], r["key_result__unit"]): (r["high"], r["low"])
        for r in rows
        if (r["key_result__metric"], r["key_result__unit"]) in pairs
    }


def check_achievable(
    key_results: list[dict], *, owner_person_id, owner_unit_id, cycle: Cycle | None, stretch: float
) -> Verdict:
    pairs = {
        (kr.get("metric") or "", kr.get("unit") or "")
        for kr in key_results
        if kr.get("metric") and _number(kr.get("target_value")) is not None
    }
    if cycle is None or not pairs:
        return Verdict(
            PASS,
            _(
                "No history to compare with: give key results a metric to check them "
                "against past results."
            ),
        )
    best = owner_best(
        owner_person_id=owner_person_id, owner_unit_id=owner_unit_id, cycle=cycle, pairs=pairs
    )
    if not best:
        return Verdict(PASS, _("No past results for these metrics yet; nothing to compare."))
    limit = Decimal(str(stretch))
    for kr in key_results:
        key = (kr.get("metric") or "", kr.get("unit") or "")
        if key not in best:
            continue
        target = _number(kr.get("target_value"))
        high, low = best[key]
        direction = kr.get("direction") or KeyResult.Direction.INCREASE
        if direction in (KeyResult.Direction.DECREASE, KeyResult.Direction.STAY_BELOW):
            if low > 0 and target < low * (1 - limit):
                return Verdict(
                    WARN,
                    _(
                        "“%(name)s”: %(target)s is more than %(pct)s%% below the best past result "
                        "(%(best)s). Check that it is reachable or plan the help needed."
                    )
                    % {
                        "name": kr.get("name"),
                        "target": fmt_number(target),
                        "pct": round(stretch * 100),
                        "best": fmt_number(low),
                    },
                )
        elif target > high * (1 + limit) and high >= 0:
            return Verdict(
                WARN,
                _(
                    "“%(name)s”: %(target)s is more than %(pct)s%% above the best past result "
                    "(%(best)s). Check that it is reachable or plan the help needed."
                )
                % {
                    "name": kr.get("name"),
                    "target": fmt_number(target),
                    "pct": round(stretch * 100),
                    "best": fmt_number(high),
                },
            )
    return Verdict(PASS, _("The targets are within reach of past results."))


def check_relevant(*, level: str, parent: Goal | None, cycle: Cycle | None) -> Verdict:
    if level == Goal.Level.COMPANY:
        return Verdict(PASS, _("A company goal sets the direction itself."))
    if parent is None:
        return Verdict(
            FAIL, _("Align this goal to a goal above it, so it is clear what it serves.")
        )
    if cycle is not None and not parent.cycle.covers(cycle):
        return Verdict(
            FAIL,
            _("The parent goal belongs to %(cycle)s, which does not cover this goal's cycle.")
            % {"cycle": parent.cycle.name},
        )
    return Verdict(PASS, _("Aligned to “%(parent)s”.") % {"parent": parent.title})


def check_time_bound(key_results: list[dict], *, cycle: Cycle | None) -> Verdict:
    if cycle is None:
        return Verdict(FAIL, _("Choose the cycle this goal belongs to."))
    for kr in key_results:
        raw = kr.get("due_on")
        if raw in (None, ""):
            continue
        due = _date(raw)
        if due is None or not cycle.contains(due):
            return Verdict(
                FAIL,
                _("“%(name)s” is due outside %(cycle)s (%(start)s – %(end)s): move the date.")
                % {
                    "name": kr.get("name") or "?",
                    "cycle": cycle.name,
                    "start": cycle.starts_on,
                    "end": cycle.ends_on,
                },
            )
    if key_results and all(kr.get("due_on") in (None, "") for kr in key_results):
        return Verdict(
            PASS,
            _("Due at the end of %(cycle)s (%(end)s).")
            % {"cycle": cycle.name, "end": cycle.ends_on},
        )
    return Verdict(PASS, _("Every key result is due within %(cycle)s.") % {"cycle": cycle.name})


def smart_check(
    *,
    title: str,
    level: str,
    cycle: Cycle | None,
    parent: Goal | None,
    key_results: list[dict],
    owner_person_id: int | None = None,
    owner_unit_id: int | None = None,
    settings: GoalSettings | None = None,
) -> dict[str, Verdict]:
    settings = settings or GoalSettings.load()
    return {
        "specific": check_specific(title),
        "measurable": check_measurable(key_results),
        "achievable": check_achievable(
            key_results,
            owner_person_id=owner_person_id,
            owner_unit_id=owner_unit_id,
            cycle=cycle,
            stretch=settings.stretch_limit,
        ),
        "relevant": check_relevant(level=level, parent=parent, cycle=cycle),
        "time_bound": check_time_bound(key_results, cycle=cycle),
    }


def check_goal(goal: Goal) -> dict[str, Verdict]:
    key_results = [
        {
            "name": kr.name,
            "metric": kr.metric,
            "unit": kr.unit,
            "direction": kr.direction,
            "target_value": kr.target_value,
            "due_on": kr.due_on,
        }
        for kr in goal.key_results.all()
    ]
    return smart_check(
        title=goal.title,
        level=goal.level,
        cycle=goal.cycle,
        parent=goal.parent,
        key_results=key_results,
        owner_person_id=goal.owner_person_id,
        owner_unit_id=goal.owner_unit_id,
    )
