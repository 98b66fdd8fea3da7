"""The resource pages: request form, my requests, the approver's inbox with inline decisions
(htmx) and the budget page."""

from decimal import Decimal

import pytest
from django.db.models import F
from django.urls import reverse

from resources import services
from resources.models import Budget, ResourceRequest
from tests.resources.factories import BudgetFactory, GoalFactory

State = ResourceRequest.State
HX = {"HTTP_HX_REQUEST": "true"}


def test_nav_links_the_inbox(world, login):
    r = login(world["alice"]).get("/")
    assert reverse("resources:resource-inbox").encode() in r.content


def test_form_prefilled_from_a_key_result(world, login):
    w = world
    r = login(w["alice"]).get(reverse("resources:resource-new"), {"key_result": w["kr"].pk})
    assert r.status_code == 200
    form = r.context["form"]
    assert form.initial["key_result"] == w["kr"].pk
    assert form.initial["goal"] == w["sales_goal"].pk
    # Not Alice's own team (no budget) but the unit whose budget can pay for the goal's cycle.
    assert form.initial["unit"] == w["sales"].pk
    r = login(w["alice"]).get(reverse("resources:resource-new"), {"goal": w["marketing_goal"].pk})
    assert r.context["form"].initial["goal"] == w["marketing_goal"].pk


def test_form_ignores_a_goal_the_person_may_not_serve(world, login):
    private = GoalFactory(
        level="person", owner_person=world["dave"], cycle=world["cycle"], visibility="private"
    )
    r = login(world["alice"]).get(reverse("resources:resource-new"), {"goal": private.pk})
    assert "goal" not in r.context["form"].initial
    assert private not in r.context["form"].fields["goal"].queryset


def test_submit_through_the_form(world, login):
    w = world
    client = login(w["alice"])
    r = client.post(
        reverse("resources:resource-new"),
        {
            "goal": w["sales_goal"].pk,
            "key_result": w["kr"].pk,
            "kind": "budget",
            "category": "promotion",
            "title": "Lead list",
            "amount": "800",
            "currency": "CNY",
            "unit": w["marketing"].pk,
            "justification": "Marketing owns the lead database",
        },
    )
    req = ResourceRequest.objects.get()
    assert r.status_code == 302 and r.url == reverse("resources:resource-detail", args=[req.pk])
    assert req.is_cross_unit and req.approver == w["mia"]
    page = client.get(r.url)
    assert b"Lead list" in page.content and b"Mia" in page.content


def test_form_shows_service_errors_in_place(world, login):
    w = world
    r = login(w["alice"]).post(
        reverse("resources:resource-new"),
        {
            "goal": w["sales_goal"].pk,
            "kind": "budget",
            "title": "No amount",
            "currency": "CNY",
            "unit": w["sales"].pk,
            "justification": "j",
        },
    )
    assert r.status_code == 200
    assert "A budget request needs an amount." in r.context["form"].errors["amount"]
    assert not ResourceRequest.objects.exists()


def test_inbox_sorted_by_priority_and_shows_the_inputs(world, login, make_request):
    w = world
    secondary = GoalFactory(
        owner_unit=w["sales"], cycle=w["cycle"], priority="secondary", progress=0.0
    )
    make_request(goal=secondary, title="Secondary ask")
    make_request(key_result=w["kr"], title="Core ask")
    r = login(w["bob"]).get(reverse("resources:resource-inbox"))
    body = r.content.decode()
    assert body.index("Core ask") < body.index("Secondary ask")
    assert "core goal" in body and "gap 30" in body
    # Alice has nothing to decide; Mia sees neither.
    assert (
        "Core ask"
        not in login(w["alice"]).get(reverse("resources:resource-inbox")).content.decode()
    )
    assert (
        "Core ask" not in login(w["mia"]).get(reverse("resources:resource-inbox")).content.decode()
    )


def test_partly_approve_inline_with_htmx(world, login, make_request):
    w = world
    req = make_request(amount="5000", unit=w["sales"])
    r = login(w["bob"]).post(
        reverse("resources:resource-decide", args=[req.pk]),
        {"action": "approve", "granted_amount": "2000", "comment": "Start small"},
        **HX,
    )
    assert r.status_code == 200
    assert (
        b"Partly approved" in r.content and b"<article" in r.content and b"<html" not in r.content
    )
    req.refresh_from_db()
    assert req.state == State.PARTLY_APPROVED and req.granted_amount == Decimal("2000")
    assert Budget.objects.get(pk=w["sales_budget"].pk).committed == Decimal("2000")


def test_reject_inline_needs_a_comment(world, login, make_request):
    w = world
    req = make_request(unit=w["sales"])
    client = login(w["bob"])
    url = reverse("resources:resource-decide", args=[req.pk])
    r = client.post(url, {"action": "reject", "comment": ""}, **HX)
    assert b"Say why the request is rejected." in r.content
    assert b'name="action" value="approve"' in r.content  # the row comes back to decide
    r = client.post(url, {"action": "reject", "comment": "Not this quarter"}, **HX)
    assert b"Rejected" in r.content
    assert ResourceRequest.objects.get(pk=req.pk).state == State.REJECTED


def test_overspend_message_inline(world, login, make_request):
    w = world
    Budget.objects.filter(pk=w["sales_budget"].pk).update(committed=Decimal("9500"))
    req = make_request(amount="600", unit=w["sales"])
    r = login(w["bob"]).post(
        reverse("resources:resource-decide", args=[req.pk]), {"action": "approve"}, **HX
    )
    assert b"500.00 CNY remain" in r.content
    assert ResourceRequest.objects.get(pk=req.pk).state == State.SUBMITTED
    # The inbox lists the budget as nearly used up.
    page = login(w["bob"]).get(reverse("resources:resource-inbox")).content.decode()
    assert "Budgets nearly used up" in page and "95% committed or spent" in page


def test_fulfil_inline(world, login, make_request):
    w = world
    req = services.approve_request(
        actor=w["bob"], request=make_request(amount="1000", unit=w["sales"])
    )
    client = login(w["bob"])
    assert b"Mark fulfilled" in client.get(reverse("resources:resource-inbox")).content
    r = client.post(
        reverse("resources:resource-decide", args=[req.pk]),
        {"action": "fulfil", "spent_amount": "900"},
        **HX,
    )
    assert b"Fulfilled" in r.content
    budget = Budget.objects.get(pk=w["sales_budget"].pk)
    assert (budget.committed, budget.spent) == (0, Decimal("900"))


def test_decide_without_htmx_redirects_with_a_message(world, login, make_request):
    req = make_request(unit=world["sales"])
    r = login(world["bob"]).post(
        reverse("resources:resource-decide", args=[req.pk]), {"action": "approve"}, follow=True
    )
    assert r.redirect_chain[-1][0] == reverse("resources:resource-inbox")
    assert ResourceRequest.objects.get(pk=req.pk).state == State.APPROVED


def test_pages_answer_404_for_invisible_requests(world, login, make_request):
    req = make_request(unit=world["sales"])
    client = login(world["erin"])
    assert client.get(reverse("resources:resource-detail", args=[req.pk])).status_code == 404
    r = client.post(reverse("resources:resource-decide", args=[req.pk]), {"action": "approve"})
    assert r.status_code == 404
    r = client.post(reverse("resources:resource-withdraw", args=[req.pk]))
    assert r.status_code == 404
    assert ResourceRequest.objects.get(pk=req.pk).state == State.SUBMITTED


def test_my_requests_and_withdraw(world, login, make_request):
    w = world
    mine = make_request(title="Mine")
    make_request(world["erin"], title="Erin's")
    client = login(w["alice"])
    r = client.get(reverse("resources:my-requests"))
    assert b"Mine" in r.content and b"Erin&#x27;s" not in r.content
    r = client.post(reverse("resources:resource-withdraw", args=[mine.pk]), **HX)
    assert b"Withdrawn" in r.content
    r = client.post(reverse("resources:resource-withdraw", args=[mine.pk]), **HX)
    assert b"only a submitted request can be withdrawn" in r.content


def test_budget_page_bars_and_scope(world, login, make_request):
    w = world
    services.approve_request(actor=w["bob"], request=make_request(amount="9200", unit=w["sales"]))
    r = login(w["bob"]).get(reverse("resources:budgets"))
    body = r.content.decode()
    assert r.status_code == 200 and "Sales" in body and "Marketing" not in body.split("<main>")[1]
    assert 'class="committed" x="0.0%" width="92.0%"' in body and "above 90 %" in body
    assert login(w["alice"]).get(reverse("resources:budgets")).context["budgets"] == []


def test_budget_page_form_for_heads(world, login):
    w = world
    client = login(w["mia"])
    r = client.post(
        reverse("resources:budgets"),
        {
            "unit": w["marketing"].pk,
            "cycle": w["cycle"].pk,
            "category": "tools",
            "allocated": "3000",
            "currency": "CNY",
        },
    )
    assert r.status_code == 302
    assert Budget.objects.filter(unit=w["marketing"], category="tools").exists()
    # Alice heads nothing: no form, and a post is refused.
    assert login(w["alice"]).get(reverse("resources:budgets")).context["form"] is None
    assert login(w["alice"]).post(reverse("resources:budgets"), {}).status_code == 403


def _many(world, n):
    w = world
    goals = [GoalFactory(owner_unit=w["sales"], cycle=w["cycle"]) for _ in range(3)]
    for i in range(n):
        req = services.submit_request(
            requester=w["alice"] if i % 2 else w["erin"],
            goal=w["sales_goal"] if i % 5 == 0 else goals[i % 3],
            key_result=w["kr"] if i % 5 == 0 else None,
            kind="budget",
            category="promotion",
            title=f"r{i}",
            justification="j",
            amount="10",
            unit=w["sales"] if i % 3 else w["marketing"],
        )
        if i % 4 == 1 and not req.is_cross_unit:
            services.approve_request(actor=w["zed"], request=req)
    for i, category in enumerate(["tools", "training", "hiring", "other"]):
        BudgetFactory(unit=w["field"] if i % 2 else w["sales"], cycle=w["cycle"], category=category)


@pytest.mark.parametrize("n", [3, 30])
def test_page_query_counts_are_bounded(world, login, django_assert_max_num_queries, n):
    _many(world, n)
    for person in ("bob", "zed"):
        client = login(world[person])
        with django_assert_max_num_queries(22):
            r = client.get(reverse("resources:resource-inbox"))
        assert r.status_code == 200
        with django_assert_max_num_queries(22):
            assert client.get(reverse("resources:budgets")).status_code == 200
        with django_assert_max_num_queries(15):
            assert client.get(reverse("resources:my-requests")).status_code == 200
    inbox = login(world["zed"]).get(reverse("resources:resource-inbox")).context["page"]
    assert len(inbox) == ResourceRequest.objects.filter(state=State.SUBMITTED).count()


def test_pages_and_notifications_in_chinese(world, login, make_request):
    w = world
    w["bob"].language = "zh-hans"
    w["bob"].save()
    req = make_request(amount="9500", unit=w["sales"])
    assert "申请资源" in w["bob"].notifications.get().text
    client = login(w["bob"])
    body = client.get(reverse("resources:resource-inbox")).content.decode()
    assert "等待你的决定" in body and "核心目标" in body
    services.approve_request(actor=w["bob"], request=req)
    assert "预算已承诺 95%" in w["bob"].notifications.get(kind="budget_alert").text
    body = client.get(reverse("resources:budgets")).content.decode()
    assert "超过 90%" in body and "推广" in body


def test_goal_page_links_the_prefilled_form(world, login):
    """The goal page offers a resource request for the goal, and one per key result behind
    pace (the sales goal's key result is 20 % done halfway through the quarter)."""
    goal, kr = world["sales_goal"], world["kr"]
    page = login(world["bob"]).get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert f"{reverse('resources:resource-new')}?goal={goal.pk}" in page
    assert f"{reverse('resources:resource-new')}?key_result={kr.pk}" in page
    kr.current_value, kr.progress = kr.target_value, 1.0
    kr.save()
    page = login(world["bob"]).get(reverse("goals:detail", args=[goal.pk])).content.decode()
    assert f"{reverse('resources:resource-new')}?key_result={kr.pk}" not in page


def test_failed_approval_keeps_the_amount_and_comment_typed(world, login, make_request):
    """A refused approval re-renders the row with its error and what the approver typed."""
    w = world
    req = make_request(amount="5000", unit=w["sales"])
    r = login(w["bob"]).post(
        reverse("resources:resource-decide", args=[req.pk]),
        {"action": "approve", "granted_amount": "6000", "comment": "Go big, <we> agree"},
        **HX,
    )
    html = r.content.decode()
    assert r.status_code == 200 and 'class="errorlist"' in html
    assert 'value="6000"' in html
    assert ">Go big, &lt;we&gt; agree</textarea>" in html
    req.refresh_from_db()
    assert req.state == State.SUBMITTED
    # The inbox itself (no failed decision) starts with empty fields.
    inbox = login(w["bob"]).get(reverse("resources:resource-inbox")).content.decode()
    assert 'value="6000"' not in inbox and "Go big" not in inbox


def test_form_proposes_a_budget_with_money_left_and_warns_when_none_has(world, login):
    w = world
    url = reverse("resources:resource-new")
    r = login(w["alice"]).get(url, {"goal": w["sales_goal"].pk})
    form, html = r.context["form"], r.content.decode()
    budget = w["sales_budget"]
    # Alice sits in the field team, which has no budget: the form proposes Sales' budget.
    assert form.initial["unit"] == w["sales"].pk and form.initial["category"] == budget.category
    assert f"Sales · {budget.get_category_display()}" in html
    assert "no unit has budget left" not in html
    Budget.objects.update(committed=F("allocated"))
    html = login(w["alice"]).get(url, {"goal": w["sales_goal"].pk}).content.decode()
    assert "This quarter: no unit has budget left." in html
    assert f"Sales · {budget.get_category_display()}" not in html
    r = login(w["alice"]).get(url, {"goal": w["sales_goal"].pk})
    assert r.context["form"].initial["unit"] == w["alice"].unit_id
