"""Every item of the HRBP alignment checklist on a fixture cascade (Sales subtree, Q4 2026)."""

import datetime as dt
from decimal import Decimal

from goals.models import Goal, GoalSettings, KeyResult
from goals.selectors_alignment import alignment_checklist, weights_add_up
from tests.dashboard.conftest import kr


def _items(company, quarter):
    _scope, items = alignment_checklist(unit=company["sales"], cycle=quarter)
    return {item.key: item.findings for item in items}


def test_a_clean_cascade_has_only_the_gap(company, quarter, cascade):
    items = _items(company, quarter)
    assert [key for key, found in items.items() if found] == ["cascade_gaps"]


def test_cascade_gap_names_target_and_shortfall(company, quarter, cascade):
    (finding,) = _items(company, quarter)["cascade_gaps"]
    assert finding.goal == cascade["sales"]
    assert "200" in finding.message and "90" in finding.message and "110" in finding.message


def test_no_gap_when_children_carry_the_target(company, quarter, cascade):
    KeyResult.objects.filter(goal=cascade["alice"]).update(target_value=Decimal("155"))
    assert _items(company, quarter)["cascade_gaps"] == []


def test_orphan_goal(company, quarter, cascade, make_goal):
    orphan = make_goal(company["alice"], title="Write 12 customer case studies", state="agreed")
    found = _items(company, quarter)["orphans"]
    assert [f.goal for f in found] == [orphan]


def test_goals_not_agreed(company, quarter, cascade):
    Goal.objects.filter(pk=cascade["erin"].pk).update(state=Goal.State.PROPOSED)
    found = _items(company, quarter)["not_agreed"]
    assert [f.goal for f in found] == [cascade["erin"]]


def test_people_without_goals(company, quarter, cascade):
    Goal.objects.filter(pk=cascade["erin"].pk).delete()
    found = _items(company, quarter)["no_goals"]
    # bob heads Sales, which owns a goal; erin lost hers
    assert [f.person for f in found] == [company["erin"]]


def test_too_many_objectives(company, quarter, cascade, make_goal):
    GoalSettings.objects.update_or_create(pk=1, defaults={"max_objectives_per_person": 2})
    for n in range(2):
        make_goal(company["alice"], title=f"Win {n} reference customers", parent=cascade["sales"])
    found = _items(company, quarter)["too_many"]
    assert [f.person for f in found] == [company["alice"]]
    assert "3" in found[0].message


def test_weights_not_adding_up(company, quarter, cascade, make_goal):
    Goal.objects.filter(pk=cascade["alice"].pk).update(weight=Decimal("60"))
    make_goal(
        company["alice"],
        title="Win 10 new partners",
        parent=cascade["sales"],
        weight=Decimal("30"),
        key_results=[kr("10", name="Partners", weight=Decimal("2")), kr("5", name="Other")],
    )
    found = _items(company, quarter)["weights"]
    messages = " ".join(f.message for f in found)
    assert len(found) == 2
    assert "90" in messages and "3" in messages


def test_weights_rule():
    assert weights_add_up([Decimal("1"), Decimal("1")])
    assert weights_add_up([Decimal("60"), Decimal("40")])
    assert weights_add_up([Decimal("0.5"), Decimal("0.5")])
    assert not weights_add_up([Decimal("60"), Decimal("30")])
    assert not weights_add_up([Decimal("0"), Decimal("0")])


def test_child_due_after_parent(company, quarter, cascade):
    KeyResult.objects.filter(goal=cascade["sales"]).update(due_on=dt.date(2026, 11, 30))
    KeyResult.objects.filter(goal=cascade["alice"]).update(due_on=dt.date(2026, 12, 20))
    KeyResult.objects.filter(goal=cascade["erin"]).update(due_on=dt.date(2026, 11, 20))
    found = _items(company, quarter)["late_children"]
    assert [f.goal for f in found] == [cascade["alice"]]


def test_failing_smart_checks(company, quarter, cascade, make_goal):
    vague = make_goal(company["erin"], title="Better", parent=cascade["sales"], key_results=[])
    found = _items(company, quarter)["smart"]
    assert {f.goal for f in found} == {vague}
    assert len(found) == 2  # specific (title) and measurable (no key result)


def test_unit_with_no_one_supporting_a_cross_unit_goal(company, quarter, cascade, make_goal):
    # A second company goal nobody in Sales aligns to or supports.
    other = make_goal(
        company["acme"],
        title="Cut churn to 5 %",
        level=Goal.Level.COMPANY,
        cycle=cascade["company"].cycle,
        state=Goal.State.AGREED,
    )
    found = _items(company, quarter)["cross_unit"]
    assert [(f.goal, f.unit) for f in found] == [(other, company["field"])]
    # alice's goal supports it: covered
    cascade["alice"].supports.add(other)
    assert _items(company, quarter)["cross_unit"] == []


def test_checklist_queries_do_not_grow(company, quarter, cascade, make_goal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PersonFactory

    GoalSettings.load()

    def run():
        with CaptureQueriesContext(connection) as ctx:
            _items(company, quarter)
        return len(ctx)

    small = run()
    for n in range(27):
        person = PersonFactory(unit=company["field"], manager=company["bob"])
        make_goal(person, title=f"Win {n} new accounts", parent=cascade["sales"])
    assert run() == small <= 11


def test_a_sub_unit_review_follows_the_whole_ancestor_chain(company, quarter, cascade):
    """The field team's goals serve the company goal through Sales' goal, which is outside the
    team's review: the chain is followed to the top, so the team review agrees with the Sales
    review (no "no support" finding in either)."""
    sales_review = {
        i.key: i.findings for i in alignment_checklist(unit=company["sales"], cycle=quarter)[1]
    }
    field_review = {
        i.key: i.findings for i in alignment_checklist(unit=company["field"], cycle=quarter)[1]
    }
    assert sales_review["cross_unit"] == []
    assert field_review["cross_unit"] == []
