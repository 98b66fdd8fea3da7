"""Who sees which retrospective and lesson, through the API and the pages."""

import pytest

from org.models import Person
from retros import services
from tests.factories import PersonFactory, UserFactory
from tests.retros.factories import make_lesson


@pytest.fixture
def unit_retro(company, q3):
    return services.create_retrospective(actor=company["mia"], cycle=q3, unit=company["marketing"])


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("bob", True),  # the goal owner's manager (and the creator/facilitator)
        ("zed", True),  # the admin, also up the chain
        ("alice", True),  # the goal owner
        ("erin", True),  # a participant
        ("carol", True),  # HRBP of Sales
        ("mia", False),  # another unit's manager
        ("dave", False),  # an employee elsewhere
    ],
)
def test_goal_retrospective_visibility(company, retro, api, login, who, sees):
    person = company[who]
    detail = api.as_(person).get(f"/api/v1/retrospectives/{retro.pk}/")
    assert detail.status_code == (200 if sees else 404)
    listed = api.as_(person).get("/api/v1/retrospectives/").json()["results"]
    assert (retro.pk in [r["id"] for r in listed]) is sees
    page = login(person).get(f"/retros/retrospectives/{retro.pk}/")
    assert page.status_code == (200 if sees else 404)
    five_whys = api.as_(person).get("/api/v1/five-whys/").status_code
    assert five_whys == 200


@pytest.mark.parametrize(
    ("who", "sees"),
    [("mia", True), ("dave", False), ("zed", True), ("bob", False), ("carol", False)],
)
def test_unit_retrospective_visibility(company, unit_retro, api, who, sees):
    r = api.as_(company[who]).get(f"/api/v1/retrospectives/{unit_retro.pk}/")
    assert r.status_code == (200 if sees else 404)


def test_unit_head_chain_sees_sub_unit_retros(company, q3, api):
    retro = services.create_retrospective(actor=company["bob"], cycle=q3, unit=company["field"])
    assert api.as_(company["bob"]).get(f"/api/v1/retrospectives/{retro.pk}/").status_code == 200
    assert api.as_(company["carol"]).get(f"/api/v1/retrospectives/{retro.pk}/").status_code == 200
    assert api.as_(company["alice"]).get(f"/api/v1/retrospectives/{retro.pk}/").status_code == 404


def test_a_manager_of_the_unit_head_sees_it(company, q3, api):
    # Sam manages Mia by a reporting line only (he heads no unit).
    sam = PersonFactory(user=UserFactory(username="sam"), unit=company["hr"])
    Person.objects.filter(pk=company["mia"].pk).update(manager=sam)
    retro = services.create_retrospective(actor=company["mia"], cycle=q3, unit=company["marketing"])
    assert api.as_(sam).get(f"/api/v1/retrospectives/{retro.pk}/").status_code == 200


def test_lesson_visibility(company, api, login):
    draft = make_lesson(author=company["alice"], title="My notes", problem="p", publish=False)
    public = make_lesson(author=company["alice"], title="Shared", problem="p")
    for person in (company["bob"], company["zed"], company["dave"]):
        assert api.as_(person).get(f"/api/v1/lessons/{draft.pk}/").status_code == 404
        assert login(person).get(f"/retros/lessons/{draft.pk}/").status_code == 404
        assert api.as_(person).get(f"/api/v1/lessons/{public.pk}/").status_code == 200
        ids = [r["id"] for r in api.as_(person).get("/api/v1/lessons/").json()["results"]]
        assert ids == [public.pk]
    assert api.as_(company["alice"]).get(f"/api/v1/lessons/{draft.pk}/").status_code == 200


def test_actions_of_invisible_retros_are_hidden(company, retro, api, q3):
    item = services.add_improvement(
        actor=company["bob"], retro=retro, description="x", owner=company["bob"]
    )
    assert api.as_(company["dave"]).get(f"/api/v1/retro-actions/{item.pk}/").status_code == 404
    assert api.as_(company["dave"]).get("/api/v1/retro-actions/").json()["count"] == 0
    r = api.as_(company["dave"]).post(
        f"/api/v1/retrospectives/{retro.pk}/improvements/",
        {"description": "y", "owner": company["dave"].pk},
    )
    assert r.status_code == 404


def test_anonymous_gets_nothing(client, retro, api):
    assert client.get("/retros/").status_code == 302
    assert api.as_(None).get("/api/v1/retrospectives/").status_code in (401, 403)
    r = api.as_(None).get(f"/api/v1/lessons/similar/?goal={retro.goal_id}")
    assert r.status_code in (401, 403)
