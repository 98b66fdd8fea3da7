"""Named reads over the organisation, already scoped and with their joins."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from org import permissions
from org.models import Person, Unit


def directory(*, viewer: Person, search: str = "", unit: Unit | None = None) -> QuerySet[Person]:
    people = permissions.visible_people(viewer).select_related("unit", "manager", "user")
    if search:
        people = people.filter(
            Q(display_name__icontains=search)
            | Q(title__icontains=search)
            | Q(user__username__icontains=search)
            | Q(unit__name__icontains=search)
        )
    if unit is not None:
        people = people.filter(unit__path__startswith=unit.path)
    return people.order_by("display_name", "pk")


def org_chart(*, viewer: Person) -> list[dict]:
    """The unit tree as nested dicts with head and headcount (direct and whole subtree), in
    two queries whatever the size of the tree."""
    if viewer is None:
        return []
    units = list(
        Unit.objects.select_related("head")
        .annotate(direct=Count("members", filter=Q(members__is_active=True)))
        .order_by("path")
    )
    nodes = {u.pk: {"unit": u, "children": [], "headcount": u.direct} for u in units}
    roots = []
    for u in units:
        node = nodes[u.pk]
        if u.parent_id and u.parent_id in nodes:
            nodes[u.parent_id]["children"].append(node)
        else:
            roots.append(node)
    # Subtree headcounts: ancestors come before descendants in path order, so walk backwards.
    for u in reversed(units):
        if u.parent_id in nodes:
            nodes[u.parent_id]["headcount"] += nodes[u.pk]["headcount"]
    for node in nodes.values():
        node["children"].sort(key=lambda n: n["unit"].name)
    return roots


def team_of(*, manager: Person) -> QuerySet[Person]:
    """Direct reports first-class; the wider managed population is `permissions.managed_people`."""
    return (
        Person.objects.filter(manager=manager, is_active=True)
        .select_related("unit", "user")
        .order_by("display_name")
    )
