"""Scopes over people. Every function takes the viewing Person (or None for anonymous)."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404

from org.models import HRBPAssignment, Person, Unit


class Role:
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HRBP = "hrbp"
    ADMIN = "admin"


def person_of(user) -> Person | None:
    """The Person behind a user, or None (anonymous or a user without a person record)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def is_admin(viewer: Person | None) -> bool:
    return bool(viewer and viewer.user.is_staff)


def is_manager(viewer: Person | None) -> bool:
    if viewer is None:
        return False
    cache = getattr(viewer, "_is_manager", None)
    if cache is None:
        cache = (
            Unit.objects.filter(head=viewer).exists()
            or Person.objects.filter(manager=viewer, is_active=True).exists()
        )
        viewer._is_manager = cache
    return cache


def is_hrbp(viewer: Person | None) -> bool:
    return bool(viewer) and bool(hrbp_unit_ids(viewer))


def roles(viewer: Person | None) -> list[str]:
    if viewer is None:
        return []
    result = [Role.EMPLOYEE]
    if is_manager(viewer):
        result.append(Role.MANAGER)
    if is_hrbp(viewer):
        result.append(Role.HRBP)
    if is_admin(viewer):
        result.append(Role.ADMIN)
    return result


def _subtree_q(paths: list[str], field: str = "unit__path") -> Q | None:
    if not paths:
        return None
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths))


def _minimal_paths(paths, covered: list[str]) -> list[str]:
    """The subtree roots among `paths` not already inside a covered subtree: a head of nested
    units adds one condition, not one per unit (a 500-unit division stays one LIKE)."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(root) for root in (*covered, *kept)):
            kept.append(path)
    return kept


def _people_in(paths: list[str], manager_ids: set[int] | None = None) -> set[int]:
    """Ids of people in the subtrees `paths` or reporting to `manager_ids`, in chunks small
    enough for any database's expression limits."""
    found: set[int] = set()
    chunk = 100
    for start in range(0, max(len(paths), 1), chunk):
        q = _subtree_q(paths[start : start + chunk])
        if start == 0 and manager_ids:
            q = Q(manager_id__in=manager_ids) if q is None else q | Q(manager_id__in=manager_ids)
        if q is not None:
            found.update(Person.objects.filter(q).values_list("pk", flat=True))
    return found


def _managed_ids(viewer: Person) -> set[int]:
    """Everyone below the viewer: direct reports transitively, and everyone in (the subtree of)
    units they head, and those people's reports in turn. Cached on the viewer object, so one
    request computes it once; the loop runs once per level of the tree."""
    cached = getattr(viewer, "_managed_ids", None)
    if cached is not None:
        return cached
    covered = _minimal_paths(Unit.objects.filter(head=viewer).values_list("path", flat=True), [])
    found: set[int] = set()
    frontier = _people_in(covered, {viewer.pk})
    while frontier:
        frontier -= found | {viewer.pk}
        found |= frontier
        if not frontier:
            break
        # Reports of the people just found, and members of units they head outside the
        # subtrees already covered.
        paths = _minimal_paths(
            Unit.objects.filter(head_id__in=frontier).values_list("path", flat=True), covered
        )
        covered += paths
        frontier = _people_in(paths, frontier)
    found.discard(viewer.pk)
    viewer._managed_ids = found
    return found


def managed_people(viewer: Person | None) -> QuerySet[Person]:
    if viewer is None:
        return Person.objects.none()
    return Person.objects.filter(pk__in=_managed_ids(viewer))


def manager_chain_ids(person: Person) -> set[int]:
    """Everyone above a person: their manager links upward, and the heads of their unit and of
    every ancestor unit (the inverse of `managed_people`)."""
    chain: set[int] = set()
    heads = Unit.objects.filter(pk__in=person.unit.ancestor_ids, head__isnull=False).values_list(
        "head_id", flat=True
    )
    frontier = {pk for pk in heads if pk != person.pk}
    if person.manager_id:
        frontier.add(person.manager_id)
    while frontier:
        frontier -= chain | {person.pk}
        chain |= frontier
        rows = Person.objects.filter(pk__in=frontier).select_related("unit")
        nxt: set[int] = set()
        for row in rows:
            if row.manager_id:
                nxt.add(row.manager_id)
            nxt.update(
                Unit.objects.filter(pk__in=row.unit.ancestor_ids, head__isnull=False)
                .exclude(head_id=row.pk)
                .values_list("head_id", flat=True)
            )
        frontier = nxt
    return chain


def manages(viewer: Person | None, person: Person) -> bool:
    if viewer is None or viewer.pk == person.pk:
        return False
    return person.pk in _managed_ids(viewer)


def hrbp_unit_ids(viewer: Person) -> list[int]:
    cached = getattr(viewer, "_hrbp_unit_ids", None)
    if cached is None:
        cached = list(
            HRBPAssignment.objects.filter(person=viewer).values_list("unit_id", flat=True)
        )
        viewer._hrbp_unit_ids = cached
    return cached


def hrbp_paths(viewer: Person) -> list[str]:
    ids = hrbp_unit_ids(viewer)
    if not ids:
        return []
    cached = getattr(viewer, "_hrbp_paths", None)
    if cached is None:
        cached = list(Unit.objects.filter(pk__in=ids).values_list("path", flat=True))
        viewer._hrbp_paths = cached
    return cached


def hrbp_people(viewer: Person | None) -> QuerySet[Person]:
    if viewer is None:
        return Person.objects.none()
    q = _subtree_q(hrbp_paths(viewer))
    return Person.objects.filter(q) if q is not None else Person.objects.none()


def partners(viewer: Person | None, person: Person) -> bool:
    """The viewer is HRBP for the person's unit (or an ancestor of it)."""
    if viewer is None:
        return False
    return any(person.unit.path.startswith(path) for path in hrbp_paths(viewer))


def hrbp_covers_unit(viewer: Person | None, unit: Unit) -> bool:
    return viewer is not None and any(unit.path.startswith(p) for p in hrbp_paths(viewer))


def visible_people(viewer: Person | None) -> QuerySet[Person]:
    """The company directory: every signed-in person sees every active person."""
    if viewer is None:
        return Person.objects.none()
    return Person.objects.filter(is_active=True)


def can_see_sensitive(viewer: Person | None, person: Person) -> bool:
    """Level and hire date: the person, their manager chain, their HRBP and admins."""
    if viewer is None:
        return False
    return (
        viewer.pk == person.pk
        or is_admin(viewer)
        or manages(viewer, person)
        or partners(viewer, person)
    )


def sensitive_people_q(viewer: Person) -> Q:
    """A Q over Person selecting those whose sensitive fields the viewer may read."""
    if is_admin(viewer):
        return Q()
    q = Q(pk=viewer.pk) | Q(pk__in=_managed_ids(viewer))
    sub = _subtree_q(hrbp_paths(viewer))
    if sub is not None:
        q |= sub
    return q


def get_person_for(viewer: Person | None, pk) -> Person:
    try:
        return visible_people(viewer).select_related("unit", "manager", "user").get(pk=pk)
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
