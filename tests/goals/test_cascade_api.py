"""`POST /api/v1/goals/{id}/cascade/` beyond the weights split: cascading to units, and the
"equal" and "history" splits through the API (children's targets add up to the parent's)."""

from decimal import Decimal

from goals.models import Goal
from tests.goals.conftest import kr
from tests.goals.factories import GoalFactory, KeyResultFactory, MeasurementFactory

D = Decimal


def _cascade(client, goal, **body):
    return client.post(f"/api/v1/goals/{goal.pk}/cascade/", body, format="json")


def test_cascade_to_units_equally(api, company, make_goal, year):
    zed = company["zed"]
    top = make_goal(
        company["acme"],
        title="Win 301 new customers",
        level=Goal.Level.COMPANY,
        cycle=year,
        key_results=[kr("301", name="New customers")],
    )
    key_result = top.key_results.get()
    children = [
        {"owner_unit": company["sales"].pk},
        {"owner_unit": company["marketing"].pk},
    ]
    client = api.as_(zed)
    preview = _cascade(
        client, top, key_result=key_result.pk, split="equal", children=children, dry_run=True
    )
    assert preview.status_code == 200, preview.data
    rows = preview.data["children"]
    assert [(r["owner_unit"], r["owner_person"]) for r in rows] == [
        (company["sales"].pk, None),
        (company["marketing"].pk, None),
    ]
    assert [r["owner_name"] for r in rows] == ["Sales", "Marketing"]
    # 301 does not split evenly: the last child takes the remainder, the sum is exact
    assert [D(r["target_value"]) for r in rows] == [D("150"), D("151")]
    assert D(preview.data["total"]) == D(preview.data["parent_target"]) == D("301")
    assert not Goal.objects.filter(parent=top).exists()
    created = _cascade(client, top, key_result=key_result.pk, split="equal", children=children)
    assert created.status_code == 201, created.data
    goals = Goal.objects.filter(parent=top).order_by("pk")
    assert [(g.owner_unit, g.level, g.state) for g in goals] == [
        (company["sales"], Goal.Level.UNIT, Goal.State.PROPOSED),
        (company["marketing"], Goal.Level.UNIT, Goal.State.PROPOSED),
    ]
    assert [g.key_results.get().target_value for g in goals] == [D("150"), D("151")]
    assert [c["goal"] for c in created.data["children"]] == [g.pk for g in goals]


def test_unit_cascade_is_limited_to_units_the_actor_heads(api, company, make_goal):
    sales_goal = make_goal(company["sales"], title="Win 200 new customers")
    key_result = sales_goal.key_results.get()
    client = api.as_(company["bob"])
    mine = _cascade(
        client,
        sales_goal,
        key_result=key_result.pk,
        split="equal",
        children=[{"owner_unit": company["field"].pk}],
        dry_run=True,
    )
    assert mine.status_code == 200, mine.data
    others = _cascade(
        client,
        sales_goal,
        key_result=key_result.pk,
        split="equal",
        children=[{"owner_unit": company["marketing"].pk}],
    )
    assert others.status_code == 403
    unknown = _cascade(
        client,
        sales_goal,
        key_result=key_result.pk,
        split="equal",
        children=[{"owner_unit": 99999}],
    )
    assert unknown.status_code == 400 and "children" in unknown.data
    assert not Goal.objects.filter(parent=sales_goal).exists()


def test_cascade_split_by_history_through_the_api(api, company, make_goal, past_quarter):
    alice, erin = company["alice"], company["erin"]
    sales_goal = make_goal(company["sales"], title="Win 200 new customers", key_results=[kr("200")])
    key_result = sales_goal.key_results.get()
    children = [{"owner_person": alice.pk}, {"owner_person": erin.pk}]
    client = api.as_(company["bob"])
    # nobody has history yet: an equal split, and the response says why
    fallback = _cascade(
        client, sales_goal, key_result=key_result.pk, split="history", children=children,
        dry_run=True,
    )  # fmt: skip
    assert fallback.status_code == 200, fallback.data
    assert fallback.data["fallback"]
    assert [D(r["target_value"]) for r in fallback.data["children"]] == [D("100"), D("100")]
    # last quarter alice's best was 30 new customers, erin's 10: 3 to 1
    for person, best in [(alice, "30"), (erin, "10")]:
        old = KeyResultFactory(
            goal=GoalFactory(cycle=past_quarter, owner_person=person), metric="new-customers"
        )
        MeasurementFactory(key_result=old, value=D(best))
        MeasurementFactory(key_result=old, value=D("1"))
    res = _cascade(client, sales_goal, key_result=key_result.pk, split="history", children=children)
    assert res.status_code == 201, res.data
    assert res.data["split"] == "history" and not res.data["fallback"]
    assert [D(r["target_value"]) for r in res.data["children"]] == [D("150"), D("50")]
    assert D(res.data["total"]) == D("200")
    targets = {
        g.owner_person_id: g.key_results.get().target_value
        for g in Goal.objects.filter(parent=sales_goal)
    }
    assert targets == {alice.pk: D("150"), erin.pk: D("50")}


def test_history_split_needs_a_metric(api, company, make_goal):
    goal = make_goal(company["sales"], key_results=[kr("200", metric="")])
    res = _cascade(
        api.as_(company["bob"]),
        goal,
        key_result=goal.key_results.get().pk,
        split="history",
        children=[{"owner_person": company["alice"].pk}],
    )
    assert res.status_code == 400 and "key_result" in res.data
