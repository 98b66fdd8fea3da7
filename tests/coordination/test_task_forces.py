"""Cross-unit task forces: an org unit of kind task force (its goals, check-ins and rollups
work as any unit's) with a lead and members from several units who keep their home unit;
counted on each member's home and in the HRBP alignment review; dissolved at the end of its
cycle with a retrospective. Who may create, see and change one."""

import datetime as dt
from decimal import Decimal

import pytest

from coordination import services, tasks
from coordination.models import TaskForce
from goals.models import Goal
from goals.selectors_alignment import alignment_checklist
from goals.services import create_goal
from notifications.models import Notification
from org.models import TaskForceMembership, Unit
from retros.models import Retrospective
from tests.tracking.factories import make_cycle, person_goal, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle():
    return make_cycle()


def _task_force(company, cycle, *, name="Customer onboarding", lead="alice", members=("dave",)):
    return services.create_task_force(
        actor=company["bob"],
        name=name,
        purpose="Onboard new customers within two weeks of signing.",
        cycle=cycle,
        lead=company[lead],
        members=[company[m] for m in members],
    )


def _goal(task_force, cycle, *, visibility="unit", title="Onboard in 14 days"):
    """A goal of the task force whose progress is its children's (its members' goals)."""
    return create_goal(
        actor=None,
        cycle=cycle,
        starts_on=cycle.starts_on,
        title=title,
        level=Goal.Level.UNIT,
        owner_unit=task_force.unit,
        visibility=visibility,
    )


def _body(company, the_cycle, **extra):
    return {
        "name": "Customer onboarding",
        "purpose": "Onboard new customers within two weeks of signing.",
        "cycle": the_cycle.pk,
        "lead": company["alice"].pk,
        "members": [company["dave"].pk],
        **extra,
    }


def test_create_through_the_api(api, company, cycle):
    res = api.as_(company["bob"]).post("/api/v1/task-forces/", _body(company, cycle), format="json")
    assert res.status_code == 201, res.data
    task_force = TaskForce.objects.get(pk=res.data["id"])
    unit = task_force.unit
    # A unit of its own kind, under the lowest unit common to its members, headed by its lead.
    assert unit.kind == Unit.Kind.TASK_FORCE and unit.parent == company["acme"]
    assert unit.head == company["alice"]
    roles = dict(TaskForceMembership.objects.filter(unit=unit).values_list("person", "role"))
    assert roles == {company["alice"].pk: "lead", company["dave"].pk: "member"}
    # Members keep their home unit.
    company["dave"].refresh_from_db()
    assert company["dave"].unit == company["marketing"]
    assert {m["person"] for m in res.data["members"]} == {company["alice"].pk, company["dave"].pk}
    assert {m["home_unit_name"] for m in res.data["members"]} == {"Field team", "Marketing"}
    told = Notification.objects.filter(kind="task_force_joined")
    assert set(told.values_list("recipient", flat=True)) == {
        company["alice"].pk,
        company["dave"].pk,
    }


@pytest.mark.parametrize("who,status", [("bob", 201), ("carol", 201), ("zed", 201)])
def test_heads_hrbps_and_admins_create(api, company, cycle, who, status):
    res = api.as_(company[who]).post("/api/v1/task-forces/", _body(company, cycle), format="json")
    assert res.status_code == status


def test_employees_and_task_force_leads_do_not_create(api, login, company, cycle):
    _task_force(company, cycle)  # alice now heads a task force: still not a unit head
    for who in ("alice", "dave", "erin"):
        res = api.as_(company[who]).post(
            "/api/v1/task-forces/", _body(company, cycle, name=f"By {who}"), format="json"
        )
        assert res.status_code == 403
    assert login(company["alice"]).get("/coordination/task-forces/new/").status_code == 403
    assert TaskForce.objects.count() == 1


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"members": [2_000_000]}, "members"),
        ({"lead": 2_000_000}, "lead"),
        ({"cycle": 2_000_000}, "cycle"),
        ({"name": ""}, "name"),
        ({"purpose": ""}, "purpose"),
        ({"members": []}, "members"),
        ({"members": "x"}, "members"),
    ],
)
def test_invalid_task_forces_are_400_and_nothing_saved(api, company, cycle, extra, field):
    units = Unit.objects.count()
    res = api.as_(company["bob"]).post(
        "/api/v1/task-forces/", _body(company, cycle, **extra), format="json"
    )
    assert res.status_code == 400 and field in res.data
    assert Unit.objects.count() == units and not TaskForce.objects.exists()


def test_members_from_one_unit_or_an_ended_cycle_are_400(api, company, cycle):
    units = Unit.objects.count()
    res = api.as_(company["bob"]).post(
        "/api/v1/task-forces/",
        _body(company, cycle, members=[company["erin"].pk]),
        format="json",
    )
    assert res.status_code == 400 and "members" in res.data
    ended = make_cycle(starts_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 9, 30))
    res = api.as_(company["bob"]).post(
        "/api/v1/task-forces/", _body(company, cycle, cycle=ended.pk), format="json"
    )
    assert res.status_code == 400 and "cycle" in res.data
    assert Unit.objects.count() == units and not TaskForce.objects.exists()


def test_who_sees_the_task_force_and_its_goals(api, company, cycle):
    task_force = _task_force(company, cycle)
    shared = _goal(task_force, cycle)  # visible to the task force's people
    private = _goal(task_force, cycle, visibility="private", title="Lead's own notes")

    def sees(who, goal):
        return api.as_(company[who]).get(f"/api/v1/goals/{goal.pk}/").status_code == 200

    # Members see its unit-visible goals as its people would; not its private ones.
    assert sees("alice", shared) and sees("alice", private)  # alice is its lead (its head)
    assert sees("dave", shared) and not sees("dave", private)
    # Members' managers and HRBP see all of its goals; a colleague who is not in it, none.
    assert sees("mia", shared) and sees("mia", private)  # dave's manager
    assert sees("bob", shared) and sees("bob", private)  # alice's manager
    assert sees("carol", shared)  # HRBP of Sales, alice's home
    assert not sees("erin", shared) and not sees("erin", private)
    # The task force itself: 404 for whoever may not see it.
    url = f"/api/v1/task-forces/{task_force.pk}/"
    for who in ("alice", "dave", "mia", "bob", "carol", "zed"):
        assert api.as_(company[who]).get(url).status_code == 200, who
    assert api.as_(company["erin"]).get(url).status_code == 404
    assert api.as_(company["erin"]).get("/api/v1/task-forces/").data["count"] == 0
    res = api.as_(company["dave"]).get(url)
    assert res.data["goals"] == [shared.pk]


def test_the_task_force_moves_under_its_members_common_unit(company, cycle):
    task_force = _task_force(company, cycle, lead="alice", members=("bob",))  # both in Sales
    assert task_force.unit.parent == company["sales"]
    services.add_task_force_member(
        actor=company["bob"], task_force=task_force, person=company["dave"]
    )
    task_force.unit.refresh_from_db()
    assert task_force.unit.parent == company["acme"]  # Marketing joined
    assert task_force.unit.path.startswith(company["acme"].path)
    services.remove_task_force_member(
        actor=company["bob"], task_force=task_force, person=company["dave"]
    )
    task_force.unit.refresh_from_db()
    assert task_force.unit.parent == company["sales"]


def test_members_are_changed_by_the_lead_the_creator_or_an_admin(api, company, cycle):
    task_force = _task_force(company, cycle)
    url = f"/api/v1/task-forces/{task_force.pk}/members/"
    body = {"person": company["erin"].pk}
    assert api.as_(company["dave"]).post(url, body, format="json").status_code == 403
    assert api.as_(company["erin"]).post(url, body, format="json").status_code == 404
    res = api.as_(company["alice"]).post(url, body, format="json")
    assert res.status_code == 200 and len(res.data["members"]) == 3
    # Still under the lowest unit common to its members (Acme).
    task_force.unit.refresh_from_db()
    assert task_force.unit.parent == company["acme"]
    # Removing the lead, or leaving a single home unit, is refused.
    lead = {"person": company["alice"].pk}
    res = api.as_(company["bob"]).delete(url, lead, format="json")
    assert res.status_code == 400 and "person" in res.data
    res = api.as_(company["zed"]).delete(url, {"person": company["dave"].pk}, format="json")
    assert res.status_code == 400 and "person" in res.data
    res = api.as_(company["bob"]).delete(url, body, format="json")
    assert res.status_code == 200 and len(res.data["members"]) == 2
    res = api.as_(company["bob"]).post(url, {"person": 2_000_000}, format="json")
    assert res.status_code == 400 and "person" in res.data


def test_progress_moves_with_the_members_check_ins_and_shows_on_their_homes(
    api, login, company, cycle
):
    task_force = _task_force(company, cycle)
    shared = _goal(task_force, cycle)
    dave_goal = person_goal(company["dave"], cycle, names=("Customers onboarded",), target=10)
    dave_goal.parent = shared
    dave_goal.save(update_fields=["parent"])
    submitted(company["dave"], {dave_goal.key_results.get(): 5})
    shared.refresh_from_db()
    assert shared.progress == pytest.approx(0.5)
    res = api.as_(company["alice"]).get(f"/api/v1/task-forces/{task_force.pk}/")
    assert res.data["progress"] == pytest.approx(0.5) and res.data["open_goals"] == 1
    for who in ("alice", "dave"):
        page = login(company[who]).get("/").content.decode()
        assert 'id="my-task-forces"' in page and "Customer onboarding" in page
        assert "50%" in page.split('id="my-task-forces"')[1].split("</section>")[0]
    assert 'id="my-task-forces"' not in login(company["erin"]).get("/").content.decode()


def test_the_alignment_review_counts_task_force_goals(login, company, cycle):
    task_force = _task_force(company, cycle)
    shared = _goal(task_force, cycle)
    # Sales' review (alice's home) and Marketing's (dave's) both count its goals.
    for unit in ("sales", "marketing", "acme"):
        scope, _items = alignment_checklist(unit=company[unit], cycle=cycle)
        assert shared.pk in {g.pk for g in scope.goals}, unit
    scope, _items = alignment_checklist(unit=company["hr"], cycle=cycle)
    assert shared.pk not in {g.pk for g in scope.goals}
    page = login(company["carol"]).get(
        f"/dashboard/alignment/?unit={company['sales'].pk}&cycle={cycle.pk}"
    )
    assert page.status_code == 200
    assert "Customer onboarding" in page.content.decode().split('id="alignment-task-forces"')[1]


def test_dissolved_at_the_end_of_its_cycle_with_a_retrospective(company, cycle, _today):
    task_force = _task_force(company, cycle)
    _goal(task_force, cycle)
    assert services.dissolve_ended_task_forces(today=cycle.ends_on) == 0  # its last day
    _today.move_to(dt.datetime(2026, 12, 1, 1, 0, tzinfo=dt.UTC))
    assert tasks.dissolve_ended_task_forces() == 1
    task_force.refresh_from_db()
    assert task_force.state == TaskForce.State.DISSOLVED and task_force.dissolved_at
    retro = task_force.retrospective
    assert retro.unit == task_force.unit and retro.cycle == cycle
    assert retro.facilitator == company["alice"]
    assert set(retro.participants.all()) == {company["alice"], company["dave"]}
    assert [g["title"] for g in retro.results["goals"]] == ["Onboard in 14 days"]
    # Idempotent; a dissolved task force no longer changes.
    assert tasks.dissolve_ended_task_forces() == 0
    assert Retrospective.objects.count() == 1
    with pytest.raises(Exception, match="dissolved"):
        services.add_task_force_member(
            actor=company["alice"], task_force=task_force, person=company["erin"]
        )


def test_dissolve_early_through_the_api(api, login, company, cycle):
    task_force = _task_force(company, cycle)
    url = f"/api/v1/task-forces/{task_force.pk}/dissolve/"
    assert api.as_(company["dave"]).post(url).status_code == 403
    assert api.as_(company["erin"]).post(url).status_code == 404
    res = api.as_(company["alice"]).post(url)
    assert res.status_code == 200 and res.data["state"] == "dissolved"
    assert res.data["retrospective"] and res.data["available_actions"] == []
    res = api.as_(company["alice"]).post(url)  # twice: says why
    assert res.status_code == 400 and "dissolved" in str(res.data)
    # Its retrospective is the lead's to run; the members' homes no longer list it.
    assert Retrospective.objects.get().facilitator == company["alice"]
    page = login(company["dave"]).get("/").content.decode()
    assert 'id="my-task-forces"' not in page


def test_pages(login, company, cycle):
    client = login(company["bob"])
    assert client.get("/coordination/task-forces/new/").status_code == 200
    res = client.post(
        "/coordination/task-forces/new/",
        {
            "name": "Customer onboarding",
            "purpose": "Onboard in two weeks",
            "cycle": cycle.pk,
            "lead": company["alice"].pk,
            "members": [company["dave"].pk],
        },
    )
    assert res.status_code == 302, res.content.decode()[:2000]
    task_force = TaskForce.objects.get()
    res = client.post(
        "/coordination/task-forces/new/",
        {
            "name": "Alone",
            "purpose": "x",
            "cycle": cycle.pk,
            "lead": company["alice"].pk,
            "members": [company["erin"].pk],
        },
    )
    assert res.status_code == 400 and TaskForce.objects.count() == 1
    page = client.get(f"/coordination/task-forces/{task_force.pk}/").content.decode()
    assert "Onboard in two weeks" in page and "Marketing" in page and "Dissolve now" in page
    assert "Customer onboarding" in client.get("/coordination/task-forces/").content.decode()
    client.post(
        f"/coordination/task-forces/{task_force.pk}/members/",
        {"person": company["erin"].pk, "op": "add"},
    )
    assert task_force.unit.task_force_memberships.count() == 3
    client = login(company["dave"])
    page = client.get(f"/coordination/task-forces/{task_force.pk}/").content.decode()
    assert "Dissolve now" not in page
    res = client.post(f"/coordination/task-forces/{task_force.pk}/dissolve/")
    assert res.status_code == 403
    client = login(company["alice"])
    res = client.post(f"/coordination/task-forces/{task_force.pk}/dissolve/")
    assert res.status_code == 302
    task_force.refresh_from_db()
    assert task_force.state == "dissolved"


@pytest.mark.parametrize("n", [1, 6])
def test_task_force_query_bounds(api, login, company, cycle, n, django_assert_max_num_queries):
    for i in range(n):
        task_force = _task_force(company, cycle, name=f"Task force {i}")
        goal = _goal(task_force, cycle)
        child = person_goal(company["alice"], cycle, names=(f"KR {i}",), target=Decimal(4))
        child.parent = goal
        child.save(update_fields=["parent"])
    with django_assert_max_num_queries(12):
        res = api.as_(company["alice"]).get("/api/v1/task-forces/")
    assert res.data["count"] == n
    client = login(company["alice"])
    with django_assert_max_num_queries(12):
        assert client.get("/coordination/task-forces/").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(f"/coordination/task-forces/{task_force.pk}/").status_code == 200
    # The home adds three reads for them (memberships, rollup rows and their day), however many.
    with django_assert_max_num_queries(24):
        page = client.get("/")
    assert page.content.decode().count("/coordination/task-forces/") >= n


def test_the_demo_task_force_shows_on_its_members_homes(client):
    from django.core.management import call_command

    from org.models import Person

    call_command("seed_demo", stdout=None)
    task_force = TaskForce.objects.select_related("unit").get(unit__name="Customer onboarding")
    homes = set(
        TaskForceMembership.objects.filter(unit=task_force.unit).values_list(
            "person__unit__name", flat=True
        )
    )
    assert {"Key Accounts", "Inside Sales", "Customer Support"} <= homes
    employee = Person.objects.get(user__username="employee")
    client.force_login(employee.user)
    card = client.get("/").content.decode().split('id="my-task-forces"')[1].split("</section>")[0]
    assert "Customer onboarding" in card and "44%" in card
