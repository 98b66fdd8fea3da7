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


def unit_children(*, viewer: Person, parent: Unit | None = None) -> list[dict]:
    """One level of the org chart: the units under `parent` (the top level when None), each with
    its head, its whole-subtree headcount and whether it has children. Three queries whatever
    the size of the tree, so the chart opens level by level (htmx) even for 1,000 units."""
    if viewer is None:
        return []
    units = list(Unit.objects.filter(parent=parent).select_related("head").order_by("name"))
    if not units:
        return []
    scope = Person.objects.filter(is_active=True)
    if parent is not None:
        scope = scope.filter(unit__path__startswith=parent.path)
    per_path = scope.values_list("unit__path").annotate(n=Count("pk")).order_by()
    headcount = dict.fromkeys((u.pk for u in units), 0)
    level = units[0].depth  # every child sits at the same depth: its id is that path segment
    for path, n in per_path:
        parts = path.strip("/").split("/")
        if len(parts) > level:
            child = int(parts[level])
            if child in headcount:
                headcount[child] += n
    with_children = set(
        Unit.objects.filter(parent__in=units).values_list("parent_id", flat=True).distinct()
    )
    return [
        {"unit": u, "headcount": headcount[u.pk], "has_children": u.pk in with_children}
        for u in units
    ]


def unit_tree_top(*, viewer: Person) -> list[dict]:
    """The org chart as the directory opens it: the top level (as `unit_children`), each
    node's `children` the level below (deeper levels load on expand). Three queries whatever
    the number of units."""
    if viewer is None:
        return []
    units = list(
        Unit.objects.filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
        .select_related("head")
        .order_by("name")
    )
    top = [u for u in units if u.parent_id is None]
    if not top:
        return []
    second = [u for u in units if u.parent_id is not None]
    headcount = dict.fromkeys((u.pk for u in units), 0)
    for path, n in (
        Person.objects.filter(is_active=True)
        .values_list("unit__path")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        # Each unit of the first two levels counts its whole subtree: its id is a segment of
        # the member's unit path (at the unit's depth).
        for part in path.strip("/").split("/")[:2]:
            if int(part) in headcount:
                headcount[int(part)] += n
    with_children = {u.parent_id for u in second} | set(
        Unit.objects.filter(parent__in=second).values_list("parent_id", flat=True).distinct()
    )

    def node(u: Unit) -> dict:
        return {"unit": u, "headcount": headcount[u.pk], "has_children": u.pk in with_children}

    nodes = []
    for u in top:
        entry = node(u)
        entry["children"] = [node(c) for c in second if c.parent_id == u.pk]
        nodes.append(entry)
    return nodes


def team_of(*, manager: Person) -> QuerySet[Person]:
    """Direct reports first-class; the wider managed population is `scopes.managed_people`."""
    return (
        Person.objects.filter(manager=manager, is_active=True)
        .select_related("unit", "user")
        .order_by("display_name")
    )
