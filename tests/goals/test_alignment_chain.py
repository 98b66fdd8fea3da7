"""The alignment review of a sub-unit follows the whole ancestor chain of its goals, support
links included, so it agrees with the review of the unit above it on the same goals (issue 18:
a department review reported "no support" findings that the division review did not)."""

from goals.models import Goal
from goals.selectors_alignment import alignment_checklist
from tests.dashboard.conftest import cascade  # noqa: F401
from tests.goals.conftest import kr


def _cross_unit(unit, cycle):
    _scope, items = alignment_checklist(unit=unit, cycle=cycle)
    return {i.key: i.findings for i in items}["cross_unit"]


def test_department_and_division_reviews_agree_through_a_goal_above_the_department(
    company, year, quarter, make_goal
):
    """Acme's unit goal (one level above Sales) serves the first company goal and supports the
    second; Sales' goal and alice's serve them through it. The division review (Acme) finds
    Sales serving both; the department review (Sales) must find its team serving both too."""
    first = make_goal(
        company["acme"],
        title="Grow market share by 5 %",
        level=Goal.Level.COMPANY,
        cycle=year,
        state=Goal.State.AGREED,
        key_results=[kr("25", name="Market share", metric="market-share", unit="%")],
    )
    second = make_goal(
        company["acme"],
        title="Cut churn to 5 %",
        level=Goal.Level.COMPANY,
        cycle=year,
        state=Goal.State.AGREED,
    )
    acme = make_goal(
        company["acme"],
        title="Win 300 new customers",
        level=Goal.Level.UNIT,
        parent=first,
        state=Goal.State.AGREED,
        key_results=[kr("300")],
    )
    acme.supports.add(second)
    sales = make_goal(
        company["sales"],
        title="Win 200 new customers",
        parent=acme,
        state=Goal.State.AGREED,
        key_results=[kr("200")],
    )
    make_goal(company["alice"], parent=sales, state=Goal.State.AGREED)
    division = _cross_unit(company["acme"], quarter)
    assert company["sales"] not in {f.unit for f in division}
    assert _cross_unit(company["sales"], quarter) == []
    assert _cross_unit(company["field"], quarter) == []
