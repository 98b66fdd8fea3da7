from decimal import Decimal

import pytest
from django.urls import reverse

from goals import services
from goals.models import Goal, KeyResult, TargetAdjustment
from goals.selectors_lists import TREE_CHILDREN_PAGE
from tests.factories import PersonFactory, UserFactory


def test_goal_list_tabs(login, company, make_goal, quarter):
    alice = company["alice"]
    mine = make_goal(alice, title="Win 45 new qualified customers")
    make_goal(company["acme"], level=Goal.Level.COMPANY, title="Grow market share by 5 %")
    client = login(alice)
    page = client.get(reverse("goals:list"))
    assert page.status_code == 200
    assert mine.title in page.content.decode()
    assert "Grow market share" not in page.content.decode()
    part = client.get(reverse("goals:list") + "?tab=company", HTTP_HX_REQUEST="true")
    assert "Grow market share" in part.content.decode() and "<html" not in part.content.decode()
    team = login(company["bob"]).get(reverse("goals:list") + "?tab=team").content.decode()
    assert mine.title in team


@pytest.mark.parametrize("n", [3, 30])
def test_goal_list_page_query_count(login, company, quarter, n, django_assert_max_num_queries):
    for i in range(n):
        person = PersonFactory(
            user=UserFactory(username=f"v{n}-{i}"), unit=company["field"], manager=company["bob"]
        )
        services.create_goal(
            actor=None,
            cycle=quarter,
            title=f"Win {i} customers",
            level="person",
            owner_person=person,
            key_results=[{"name": "a", "target_value": "5"}],
        )
    client = login(company["bob"])
    client.get(reverse("goals:list"))  # warm the session
    with django_assert_max_num_queries(20):
        res = client.get(reverse("goals:list") + "?tab=team")
    assert res.content.decode().count('class="progress"') == n


def test_invisible_goal_pages_are_404(login, company, make_goal):
    goal = make_goal(company["alice"], visibility=Goal.Visibility.PRIVATE)
    client = login(company["dave"])
    for name in ("goals:detail", "goals:tree", "goals:edit", "goals:cascade", "goals:adjust"):
        assert client.get(reverse(name, args=[goal.pk])).status_code == 404
    assert client.post(reverse("goals:transition", args=[goal.pk, "agree"])).status_code == 404
    kr = goal.key_results.get()
    assert client.post(reverse("goals:measure", args=[kr.pk]), {"value": "3"}).status_code == 404
    listing = client.get(reverse("goals:list") + "?tab=unit").content.decode()
    assert goal.title not in listing


def test_detail_page_shows_key_results_smart_history_and_plugin_blocks(login, company, make_goal):
    alice = company["alice"]
    top = make_goal(company["sales"], title="Win 200 new customers")
    goal = make_goal(alice, parent=top)
    services.record_measurement(key_result=goal.key_results.get(), value="9", source="manual")
    other = make_goal(company["marketing"], title="Brand exposure +30 %")
    goal.supports.add(other)
    page = login(alice).get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert "Brand exposure +30 %" in page
    assert "New qualified customers" in page
    assert "Win 200 new customers" in page  # alignment above
    assert "badge pass" in page or "badge warn" in page
    assert "20 %" in page
    assert "History" in page


def test_measure_htmx_updates_the_row(login, company, make_goal):
    goal = make_goal(company["alice"])
    kr = goal.key_results.get()
    client = login(company["alice"])
    res = client.post(
        reverse("goals:measure", args=[kr.pk]), {"value": "45"}, HTTP_HX_REQUEST="true"
    )
    assert res.status_code == 200 and f'id="kr-{kr.pk}"' in res.content.decode()
    assert "<html" not in res.content.decode()
    assert KeyResult.objects.get(pk=kr.pk).progress == 1.0
    bad = client.post(
        reverse("goals:measure", args=[kr.pk]), {"value": "x"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert (
        login(company["erin"])
        .post(reverse("goals:measure", args=[kr.pk]), {"value": "1"})
        .status_code
        == 403
    )


def _form(quarter, **extra):
    data = {
        "title": "Win 45 new qualified customers",
        "kind": "objective",
        "level": "person",
        "cycle": quarter.pk,
        "priority": "core",
        "commitment": "committed",
        "visibility": "public",
        "weight": "1",
        "kr-TOTAL_FORMS": "1",
        "kr-INITIAL_FORMS": "0",
        "kr-MIN_NUM_FORMS": "0",
        "kr-MAX_NUM_FORMS": "12",
        "kr-0-name": "New customers",
        "kr-0-unit": "customers",
        "kr-0-direction": "increase",
        "kr-0-start_value": "0",
        "kr-0-target_value": "45",
        "kr-0-weight": "1",
        "kr-0-due_on": "2026-12-15",
    }
    data.update(extra)
    return data


def test_create_form_and_live_smart_check(login, company, quarter):
    client = login(company["alice"])
    assert client.get(reverse("goals:create")).status_code == 200
    smart = client.post(
        reverse("goals:smart-preview"), _form(quarter, title="Improve"), HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "badge fail" in smart and "<html" not in smart
    bad = client.post(reverse("goals:create"), _form(quarter, **{"kr-0-due_on": "2027-03-01"}))
    assert bad.status_code == 200 and "errorlist" in bad.content.decode()
    assert not Goal.objects.exists()
    res = client.post(reverse("goals:create"), _form(quarter))
    goal = Goal.objects.get()
    assert res.status_code == 302 and goal.owner_person == company["alice"]
    assert goal.key_results.get().target_value == Decimal("45")


def test_smart_preview_in_chinese(login, company, quarter):
    alice = company["alice"]
    alice.language = "zh-hans"
    alice.save()
    html = (
        login(alice)
        .post(
            reverse("goals:smart-preview"), _form(quarter, title="Improve"), HTTP_HX_REQUEST="true"
        )
        .content.decode()
    )
    assert "请将此目标对齐到上级目标" in html


def test_edit_form_with_stale_version(login, company, make_goal, quarter):
    goal = make_goal(company["alice"])
    kr = goal.key_results.get()
    client = login(company["alice"])
    assert client.get(reverse("goals:edit", args=[goal.pk])).status_code == 200
    data = _form(
        quarter,
        title="Win 50 new qualified customers",
        version="1",
        **{"kr-INITIAL_FORMS": "1", "kr-0-id": str(kr.pk)},
    )
    assert client.post(reverse("goals:edit", args=[goal.pk]), data).status_code == 302
    stale = client.post(reverse("goals:edit", args=[goal.pk]), {**data, "title": "Other"})
    assert "changed by" in stale.content.decode()
    assert Goal.objects.get(pk=goal.pk).title == "Win 50 new qualified customers"


def test_transitions_from_the_page(login, company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice)
    login(alice).post(reverse("goals:transition", args=[goal.pk, "propose"]))
    assert Goal.objects.get(pk=goal.pk).state == "proposed"
    res = login(bob).post(
        reverse("goals:transition", args=[goal.pk, "return"]), {"comment": ""}, follow=True
    )
    assert Goal.objects.get(pk=goal.pk).state == "proposed"
    assert "Say what should change" in res.content.decode()
    login(bob).post(reverse("goals:transition", args=[goal.pk, "return"]), {"comment": "More"})
    assert Goal.objects.get(pk=goal.pk).state == "returned"


def test_cascade_wizard_preview_and_create(login, company, make_goal):
    goal = make_goal(
        company["sales"],
        title="Win 200 new customers",
        key_results=[{"name": "New customers", "unit": "c", "target_value": "200"}],
    )
    kr = goal.key_results.get()
    client = login(company["bob"])
    page = client.get(reverse("goals:cascade", args=[goal.pk])).content.decode()
    assert company["alice"].display_name in page
    data = {
        "key_result": kr.pk,
        "split": "equal",
        "person": [company["alice"].pk, company["erin"].pk],
    }
    preview = client.post(reverse("goals:cascade", args=[goal.pk]), data, HTTP_HX_REQUEST="true")
    html = preview.content.decode()
    assert "100" in html and "badge ok" in html and "<html" not in html
    assert not Goal.objects.filter(parent=goal).exists()
    res = client.post(reverse("goals:cascade", args=[goal.pk]), {**data, "create": "1"})
    assert res.status_code == 302
    assert Goal.objects.filter(parent=goal).count() == 2
    tree = client.get(reverse("goals:tree", args=[goal.pk])).content.decode()
    assert company["alice"].display_name in tree


def test_tree_page_query_count_is_bounded(
    login, company, make_goal, quarter, django_assert_max_num_queries
):
    top = make_goal(company["acme"], level=Goal.Level.COMPANY, title="Grow market share by 5 %")
    Goal.objects.bulk_create(
        [
            Goal(
                level="person",
                title=f"g{i}",
                owner_person=company["alice"],
                cycle=quarter,
                parent=top,
            )
            for i in range(300)
        ]
    )
    client = login(company["bob"])
    client.get(reverse("goals:list"))
    with django_assert_max_num_queries(20):
        res = client.get(reverse("goals:tree", args=[top.pk]))
    # a page of the 300 children (tests/goals/test_tree_page.py pages through them)
    assert res.content.decode().count("<details") == 1 + TREE_CHILDREN_PAGE


def test_adjustment_request_and_decision_pages(login, company, make_goal):
    alice, bob = company["alice"], company["bob"]
    goal = make_goal(alice, state=Goal.State.AGREED)
    kr = goal.key_results.get()
    client = login(alice)
    res = client.post(
        reverse("goals:adjust", args=[goal.pk]),
        {"key_result": kr.pk, "new_target": "40", "reason": "market", "evidence": "Cut"},
    )
    assert res.status_code == 302
    adj = TargetAdjustment.objects.get()
    inbox = login(bob).get(reverse("goals:adjustments")).content.decode()
    assert "Cut" in inbox
    assert "Cut" not in login(company["erin"]).get(reverse("goals:adjustments")).content.decode()
    login(bob).post(reverse("goals:adjustment-decide", args=[adj.pk]), {"decision": "approve"})
    assert KeyResult.objects.get(pk=kr.pk).target_value == Decimal("40")


def test_goal_page_offers_lessons_and_resources(company, login):
    from goals.models import Cycle
    from goals.services import create_goal

    cycle = Cycle.objects.create(
        name="Q",
        kind=Cycle.Kind.QUARTER,
        starts_on="2026-10-01",
        ends_on="2026-12-31",
        state=Cycle.State.ACTIVE,
    )
    goal = create_goal(
        actor=company["alice"],
        cycle=cycle,
        title="Win 15 customers",
        level="person",
        owner_person=company["alice"],
        key_results=[{"name": "Customers", "target_value": 15}],
    )
    page = login(company["alice"]).get(f"/goals/{goal.pk}/").content.decode()
    assert f"/retros/similar/?goal={goal.pk}" in page or f"similar/?goal={goal.pk}" in page
    assert f"?goal={goal.pk}" in page and "/tracking/" in page


def test_tree_page_opens_two_levels_and_loads_deeper_ones_on_demand(
    login, company, make_goal, quarter
):
    top = make_goal(company["acme"], level=Goal.Level.COMPANY, title="Grow market share by 5 %")
    unit = Goal.objects.create(
        level="unit", title="Unit goal", owner_unit=company["sales"], cycle=quarter, parent=top
    )
    person = Goal.objects.create(
        level="person",
        title="Person goal",
        owner_person=company["alice"],
        cycle=quarter,
        parent=unit,
    )
    Goal.objects.create(
        level="person",
        title="Deep goal",
        owner_person=company["alice"],
        cycle=quarter,
        parent=person,
    )
    client = login(company["bob"])
    page = client.get(reverse("goals:tree", args=[top.pk])).content.decode()
    assert "Person goal" in page and "Deep goal" not in page
    assert f"/goals/{person.pk}/tree/?children=1" in page
    deeper = client.get(
        reverse("goals:tree", args=[person.pk]) + "?children=1", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Deep goal" in deeper and "<html" not in deeper
