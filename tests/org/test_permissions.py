"""Every scope function on a deep tree:

company (head ceo)
  division (head vp)
    dept (head dir)
      team (head lead)    rep1, rep2 (manager: lead)
    dept2 (no head)       loner (manager: vp)
  other division (head ovp)  outsider
hr unit: hrbp covers `dept`
"""

import pytest

from org import permissions as org_permissions
from org import scopes
from org.models import HRBPAssignment
from tests.factories import PersonFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    company = UnitFactory(name="Company")
    division = UnitFactory(name="Division", parent=company)
    dept = UnitFactory(name="Dept", parent=division)
    team = UnitFactory(name="Team", parent=dept)
    dept2 = UnitFactory(name="Dept 2", parent=division)
    other = UnitFactory(name="Other division", parent=company)
    hr = UnitFactory(name="HR", parent=company)
    ceo = PersonFactory(unit=company, user=UserFactory(username="ceo", is_staff=False))
    vp = PersonFactory(unit=division)
    director = PersonFactory(unit=dept)
    lead = PersonFactory(unit=team)
    rep1 = PersonFactory(unit=team, manager=lead)
    rep2 = PersonFactory(unit=team, manager=lead)
    loner = PersonFactory(unit=dept2, manager=vp)
    ovp = PersonFactory(unit=other)
    outsider = PersonFactory(unit=other)
    hrbp = PersonFactory(unit=hr)
    admin = PersonFactory(unit=hr, user=UserFactory(username="root", is_staff=True))
    for unit, head in [
        (company, ceo),
        (division, vp),
        (dept, director),
        (team, lead),
        (other, ovp),
    ]:
        unit.head = head
        unit.save()
    HRBPAssignment.objects.create(person=hrbp, unit=dept)
    return locals()


def test_managed_people_is_transitive_through_units_and_manager_links(tree):
    t = tree
    assert set(scopes.managed_people(t["lead"])) == {t["rep1"], t["rep2"]}
    assert set(scopes.managed_people(t["director"])) == {t["lead"], t["rep1"], t["rep2"]}
    assert set(scopes.managed_people(t["vp"])) == {
        t["director"],
        t["lead"],
        t["rep1"],
        t["rep2"],
        t["loner"],
    }
    everyone_but_ceo = {p for k, p in t.items() if hasattr(p, "display_name") and k != "ceo"}
    assert set(scopes.managed_people(t["ceo"])) == everyone_but_ceo
    assert not scopes.managed_people(t["rep1"]).exists()
    assert not scopes.managed_people(None).exists()


def test_manager_chain_is_the_inverse_of_managed_people(tree):
    t = tree
    assert scopes.manager_chain_ids(t["rep1"]) == {
        t["lead"].pk,
        t["director"].pk,
        t["vp"].pk,
        t["ceo"].pk,
    }
    assert scopes.manager_chain_ids(t["loner"]) == {t["vp"].pk, t["ceo"].pk}
    for person in (t["rep1"], t["loner"], t["lead"]):
        for boss_id in scopes.manager_chain_ids(person):
            boss = type(person).objects.get(pk=boss_id)
            assert scopes.manages(boss, person)


def test_hrbp_people_cover_the_assigned_subtree_only(tree):
    t = tree
    assert set(scopes.hrbp_people(t["hrbp"])) == {
        t["director"],
        t["lead"],
        t["rep1"],
        t["rep2"],
    }
    assert scopes.partners(t["hrbp"], t["rep1"])
    assert not scopes.partners(t["hrbp"], t["loner"])
    assert not scopes.hrbp_people(t["rep1"]).exists()


def test_roles_derive_from_data(tree):
    t = tree
    assert scopes.roles(t["rep1"]) == ["employee"]
    assert scopes.roles(t["lead"]) == ["employee", "manager"]
    assert scopes.roles(t["loner"]) == ["employee"]
    assert scopes.roles(t["hrbp"]) == ["employee", "hrbp"]
    assert scopes.roles(t["admin"]) == ["employee", "admin"]


def test_sensitive_fields_visibility(tree):
    t = tree
    assert org_permissions.can_see_sensitive(t["rep1"], t["rep1"])
    assert org_permissions.can_see_sensitive(t["lead"], t["rep1"])
    assert org_permissions.can_see_sensitive(t["ceo"], t["rep1"])
    assert org_permissions.can_see_sensitive(t["hrbp"], t["rep1"])
    assert org_permissions.can_see_sensitive(t["admin"], t["outsider"])
    assert not org_permissions.can_see_sensitive(t["rep2"], t["rep1"])
    assert not org_permissions.can_see_sensitive(t["ovp"], t["rep1"])
    assert not org_permissions.can_see_sensitive(t["hrbp"], t["loner"])


def test_directory_is_everyone_active(tree):
    t = tree
    t["outsider"].is_active = False
    t["outsider"].save()
    visible = set(org_permissions.visible_people(t["rep1"]))
    assert t["ovp"] in visible and t["outsider"] not in visible
