import pytest
from django.core.exceptions import ValidationError

from org import services
from org.models import Unit
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def test_path_and_depth_follow_the_tree():
    root = UnitFactory(name="Root", kind=Unit.Kind.COMPANY)
    child = UnitFactory(parent=root)
    grandchild = UnitFactory(parent=child)
    assert root.path == f"/{root.pk}/"
    assert grandchild.path == f"/{root.pk}/{child.pk}/{grandchild.pk}/"
    assert (root.depth, child.depth, grandchild.depth) == (0, 1, 2)
    assert grandchild.ancestor_ids == [root.pk, child.pk, grandchild.pk]


def test_subtree_query_excludes_siblings_with_similar_ids():
    root = UnitFactory()
    a = UnitFactory(parent=root)
    b = UnitFactory(parent=root)
    a1 = UnitFactory(parent=a)
    assert set(a.subtree()) == {a, a1}
    assert b not in a.subtree()
    assert set(root.subtree()) == {root, a, b, a1}


def test_moving_a_unit_rewrites_the_whole_subtree():
    root = UnitFactory()
    left = UnitFactory(parent=root)
    right = UnitFactory(parent=root)
    team = UnitFactory(parent=left)
    squad = UnitFactory(parent=team)

    services.update_unit(unit=team, parent=right)

    team.refresh_from_db()
    squad.refresh_from_db()
    assert team.path == f"{right.path}{team.pk}/"
    assert squad.path == f"{right.path}{team.pk}/{squad.pk}/"
    assert (team.depth, squad.depth) == (2, 3)
    assert set(right.subtree()) == {right, team, squad}
    assert set(left.subtree()) == {left}


def test_moving_to_the_top_level_shortens_paths():
    root = UnitFactory()
    mid = UnitFactory(parent=root)
    leaf = UnitFactory(parent=mid)
    services.update_unit(unit=mid, parent=None)
    leaf.refresh_from_db()
    assert leaf.path == f"/{mid.pk}/{leaf.pk}/"
    assert leaf.depth == 1


def test_a_unit_cannot_move_under_its_own_subtree():
    root = UnitFactory()
    child = UnitFactory(parent=root)
    with pytest.raises(ValidationError) as exc:
        services.update_unit(unit=root, parent=child)
    assert "parent" in exc.value.message_dict
    root.refresh_from_db()
    assert root.parent_id is None


def test_unit_save_writes_every_field_and_respects_update_fields(company):
    """Unit.save recomputes the path and otherwise saves what the caller asks: all fields by
    default (a field added later is saved too), only `update_fields` when given."""
    sales = company["sales"]
    stale = Unit.objects.get(pk=sales.pk)
    Unit.objects.filter(pk=sales.pk).update(head=company["alice"])
    stale.name = "Sales & Service"
    stale.save(update_fields=["name"])
    row = Unit.objects.get(pk=sales.pk)
    assert (row.name, row.head_id) == ("Sales & Service", company["alice"].pk)  # head kept
    stale.name, stale.kind = "Revenue", Unit.Kind.TEAM
    stale.parent = company["marketing"]
    stale.save()
    row = Unit.objects.get(pk=sales.pk)
    assert (row.name, row.kind, row.head_id) == ("Revenue", Unit.Kind.TEAM, company["bob"].pk)
    assert row.path == f"{company['marketing'].path}{sales.pk}/" and row.depth == 2
    assert Unit.objects.get(pk=company["field"].pk).path.startswith(row.path)
