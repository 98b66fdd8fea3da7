"""Support agreements: a goal asks another unit's goal for support; the other side accepts,
declines with a reason or counter-proposes; accepted links show on both goals and the board,
with the supporting key result's health. `supports` sent with a new goal is kept or a 400."""

import datetime as dt
from decimal import Decimal

import pytest

from goals import services
from goals.models import Cycle, Goal, KeyResult, SupportRequest
from notifications.models import Notification
from tests.goals.conftest import kr
from tests.goals.factories import CycleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def leads(make_goal, company):
    """Sales' lead goal (the unit's, its head Bob speaks for it) and Marketing's (Mia's)."""
    sales = make_goal(
        company["sales"],
        title="Win 45 new customers",
        state=Goal.State.AGREED,
        key_results=[kr("45")],
    )
    marketing = make_goal(
        company["marketing"],
        title="Generate qualified leads",
        state=Goal.State.AGREED,
        key_results=[kr("600", name="Qualified leads", metric="leads", unit="leads")],
    )
    return sales, marketing


def _ask(api, bob, sales, marketing, **extra):
    body = {
        "goal": sales.pk,
        "supporting_goal": marketing.pk,
        "key_result": marketing.key_results.get().pk,
        "need": "300 qualified leads by November",
        "amount": "300",
        **extra,
    }
    return api.as_(bob).post("/api/v1/support-requests/", body, format="json")


# --- `supports` on create: kept or 400, never dropped ---------------------------------------


def _new_goal_body(company, quarter, **extra):
    return {
        "level": "person",
        "title": "Call 40 leads a week",
        "owner_person": company["alice"].pk,
        "cycle": quarter.pk,
        "key_results": [{"name": "Calls", "target_value": "40"}],
        **extra,
    }


def test_supports_sent_with_a_new_goal_are_kept(api, company, quarter, make_goal):
    other = make_goal(company["marketing"], title="Brand exposure +30 %")
    res = api.as_(company["alice"]).post(
        "/api/v1/goals/", _new_goal_body(company, quarter, supports=[other.pk]), format="json"
    )
    assert res.status_code == 201, res.data
    assert res.data["supports"] == [other.pk]
    assert list(Goal.objects.get(pk=res.data["id"]).supports.all()) == [other]


def test_supports_of_an_unseen_or_unknown_goal_is_400_and_nothing_saved(
    api, company, quarter, make_goal
):
    hidden = make_goal(company["dave"], title="Dave's private goal", visibility="private")
    for ids in ([hidden.pk], [999999], "x"):
        before = Goal.objects.count()
        res = api.as_(company["alice"]).post(
            "/api/v1/goals/", _new_goal_body(company, quarter, supports=ids), format="json"
        )
        assert res.status_code == 400
        assert "supports" in res.data
        assert Goal.objects.count() == before


def test_supports_of_a_closed_cycle_goal_is_400(api, company, quarter, year, make_goal):
    q3 = CycleFactory(
        name="2026 Q3",
        kind="quarter",
        parent=year,
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    old = make_goal(company["marketing"], title="Old goal", cycle=q3)
    Cycle.objects.filter(pk=q3.pk).update(state=Cycle.State.CLOSED)
    res = api.as_(company["alice"]).post(
        "/api/v1/goals/", _new_goal_body(company, quarter, supports=[old.pk]), format="json"
    )
    assert res.status_code == 400
    assert "supports" in res.data


# --- the agreement ---------------------------------------------------------------------------


def test_sales_asks_marketing_and_marketing_head_accepts(api, company, leads):
    sales, marketing = leads
    bob, mia, dave = company["bob"], company["mia"], company["dave"]
    res = _ask(api, bob, sales, marketing)
    assert res.status_code == 201, res.data
    assert res.data["state"] == "requested"
    assert res.data["amount"] == "300.0000"
    pk = res.data["id"]
    # Marketing's head is asked, with a link to the request; nobody else in Marketing.
    note = Notification.objects.get(recipient=mia, kind="support_requested")
    assert note.url == f"/goals/support/{pk}/"
    assert "300 qualified leads" in note.text
    assert not Notification.objects.filter(recipient=dave).exists()
    # The asking side cannot answer its own request; a member of Marketing cannot either.
    assert api.as_(bob).post(f"/api/v1/support-requests/{pk}/accept/").status_code == 403
    assert api.as_(dave).post(f"/api/v1/support-requests/{pk}/accept/").status_code == 403
    assert res.data["available_actions"] == ["withdraw"]
    res = api.as_(mia).get(f"/api/v1/support-requests/{pk}/")
    assert res.data["available_actions"] == ["accept", "decline", "counter_propose"]
    res = api.as_(mia).post(f"/api/v1/support-requests/{pk}/accept/")
    assert res.status_code == 200, res.data
    assert res.data["state"] == "accepted"
    assert res.data["decided_by_name"] == mia.display_name
    assert list(marketing.supports.all()) == [sales]
    assert Notification.objects.filter(recipient=bob, kind="support_answered").exists()
    # Answered once: a second accept is a 403 (nothing left to do), the link stays single.
    assert api.as_(mia).post(f"/api/v1/support-requests/{pk}/accept/").status_code == 403
    assert SupportRequest.objects.get(pk=pk).history.count() == 2


def test_decline_needs_a_reason(api, company, leads):
    sales, marketing = leads
    pk = _ask(api, company["bob"], sales, marketing).data["id"]
    url = f"/api/v1/support-requests/{pk}/decline/"
    res = api.as_(company["mia"]).post(url, {"reason": "  "}, format="json")
    assert res.status_code == 400 and "reason" in res.data
    assert SupportRequest.objects.get(pk=pk).state == "requested"
    res = api.as_(company["mia"]).post(url, {"reason": "No budget this quarter"}, format="json")
    assert res.status_code == 200
    assert res.data["state"] == "declined" and res.data["answer"] == "No budget this quarter"
    assert not marketing.supports.exists()


def test_counter_proposal_goes_back_to_the_asking_side(api, company, leads):
    sales, marketing = leads
    bob, mia = company["bob"], company["mia"]
    pk = _ask(api, bob, sales, marketing).data["id"]
    res = api.as_(mia).post(
        f"/api/v1/support-requests/{pk}/counter-propose/",
        {"answer": "200 leads, the trade fair is cancelled", "amount": "200"},
        format="json",
    )
    assert res.status_code == 200, res.data
    assert res.data["state"] == "countered"
    assert api.as_(mia).post(f"/api/v1/support-requests/{pk}/accept/").status_code == 403
    res = api.as_(bob).post(f"/api/v1/support-requests/{pk}/accept/")
    assert res.status_code == 200
    assert res.data["state"] == "accepted" and res.data["amount"] == "200.0000"
    assert list(marketing.supports.all()) == [sales]
    assert Notification.objects.filter(recipient=mia, kind="support_answered").exists()


@pytest.mark.parametrize(
    "extra, field",
    [
        ({"need": ""}, "need"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"supporting_goal": 999999}, "supporting_goal"),
        ({"goal": "x"}, "goal"),
    ],
)
def test_invalid_requests_are_400_with_the_field(api, company, leads, extra, field):
    sales, marketing = leads
    res = _ask(api, company["bob"], sales, marketing, **extra)
    assert res.status_code == 400, res.data
    assert field in res.data
    assert not SupportRequest.objects.exists()


def test_domain_refusals(api, company, leads, make_goal):
    sales, marketing = leads
    bob = company["bob"]
    own_unit = make_goal(company["sales"], title="Another sales goal")
    res = _ask(api, bob, sales, own_unit, key_result=None)
    assert res.status_code == 400 and "supporting_goal" in res.data
    res = _ask(api, bob, sales, marketing, key_result=sales.key_results.get().pk)
    assert res.status_code == 400 and "key_result" in res.data
    assert _ask(api, bob, sales, marketing).status_code == 201
    res = _ask(api, bob, sales, marketing)
    assert res.status_code == 400 and "supporting_goal" in res.data
    # A goal Marketing's head cannot see cannot ask them.
    hidden = make_goal(company["sales"], title="Sales secret", visibility="private")
    res = _ask(api, bob, hidden, marketing)
    assert res.status_code == 400 and "goal" in res.data
    # Alice does not speak for Sales' goal.
    res = _ask(api, company["alice"], sales, marketing)
    assert res.status_code == 403
    assert SupportRequest.objects.count() == 1


def test_request_is_seen_only_by_who_sees_both_goals(api, login, company, leads, make_goal):
    sales, marketing = leads
    hidden = make_goal(company["marketing"], title="Marketing internal", visibility="unit")
    request = services.request_support(
        actor=company["bob"], goal=sales, supporting_goal=hidden, need="Leads"
    )
    ids = lambda who: [  # noqa: E731
        row["id"] for row in api.as_(company[who]).get("/api/v1/support-requests/").data["results"]
    ]
    assert request.pk in ids("mia") and request.pk in ids("zed")
    assert request.pk not in ids("alice")
    assert (
        api.as_(company["alice"]).get(f"/api/v1/support-requests/{request.pk}/").status_code == 404
    )
    assert login(company["alice"]).get(f"/goals/support/{request.pk}/").status_code == 404


# --- health and pages -----------------------------------------------------------------------


def _agree(company, sales, marketing, **extra):
    request = services.request_support(
        actor=company["bob"],
        goal=sales,
        supporting_goal=marketing,
        key_result=marketing.key_results.get(),
        need="300 qualified leads",
        amount=Decimal("300"),
        **extra,
    )
    return services.accept_support(actor=company["mia"], request=request)


def _off_track(goal):
    # Mid-November with nothing done since October: far behind the pace.
    KeyResult.objects.filter(goal=goal).update(progress=0.0)


def test_both_goals_show_the_link_and_a_dependency_off_track(login, company, leads):
    sales, marketing = leads
    _agree(company, sales, marketing)
    _off_track(marketing)
    page = login(company["alice"]).get(f"/goals/{sales.pk}/").content.decode()
    assert "Supported by" in page and "Generate qualified leads" in page
    assert "300 qualified leads" in page
    assert 'id="dependency-at-risk"' in page
    page = login(company["mia"]).get(f"/goals/{marketing.pk}/").content.decode()
    assert "Supports" in page and "Win 45 new customers" in page
    assert 'id="dependency-at-risk"' not in page


def test_board_shows_links_and_the_dependency(login, company, leads, quarter):
    sales, marketing = leads
    _agree(company, sales, marketing)
    _off_track(marketing)
    page = login(company["zed"]).get(f"/dashboard/board/?cycle={quarter.pk}").content.decode()
    assert "supported by 1 goal" in page
    assert "supports 1 goal" in page
    assert "dependency off track" in page


def test_ask_page_then_accept_on_the_request_page(login, company, leads):
    sales, marketing = leads
    client = login(company["bob"])
    assert client.get(f"/goals/{sales.pk}/ask-support/").status_code == 200
    res = client.post(
        f"/goals/{sales.pk}/ask-support/",
        {"supporting_goal": marketing.pk, "need": "300 qualified leads", "amount": "300"},
    )
    assert res.status_code == 302
    request = SupportRequest.objects.get()
    res = client.post(f"/goals/{sales.pk}/ask-support/", {"supporting_goal": marketing.pk})
    assert res.status_code == 200 and SupportRequest.objects.count() == 1
    client = login(company["mia"])
    assert "300 qualified leads" in client.get("/goals/support/").content.decode()
    assert client.post(f"/goals/support/{request.pk}/decline/", {"text": ""}).status_code == 400
    res = client.post(f"/goals/support/{request.pk}/accept/")
    assert res.status_code == 302
    assert list(marketing.supports.all()) == [sales]
    # Alice (Sales, not its head) may not ask for Sales' goal.
    assert login(company["alice"]).get(f"/goals/{sales.pk}/ask-support/").status_code == 403


# --- query bounds ------------------------------------------------------------------------------


def _many(company, make_goal, n):
    sales = make_goal(company["sales"], title="Sales goal", state=Goal.State.AGREED)
    for i in range(n):
        other = make_goal(company["marketing"], title=f"Marketing {i}", state=Goal.State.AGREED)
        request = services.request_support(
            actor=company["bob"], goal=sales, supporting_goal=other, need=f"Need {i}"
        )
        if i % 2:
            services.accept_support(actor=company["mia"], request=request)
    return sales


@pytest.mark.parametrize("n", [3, 30])
def test_list_endpoint_bound(api, company, make_goal, n, django_assert_max_num_queries):
    _many(company, make_goal, n)
    client = api.as_(company["mia"])
    with django_assert_max_num_queries(12):
        res = client.get("/api/v1/support-requests/")
    assert res.data["count"] == n


@pytest.mark.parametrize("n", [3, 30])
def test_pages_bound(login, company, make_goal, quarter, n, django_assert_max_num_queries):
    sales = _many(company, make_goal, n)
    client = login(company["bob"])
    with django_assert_max_num_queries(45):
        assert client.get(f"/goals/{sales.pk}/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/goals/support/").status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(f"/dashboard/board/?cycle={quarter.pk}").status_code == 200
