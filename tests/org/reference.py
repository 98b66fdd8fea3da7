"""The old level-by-level walk of the people a person manages: the reference the tests
compare the recursive query (`org.scopes._managed_ids`) with. Two queries per level of the
tree; kept here, not in production code."""

from __future__ import annotations

from django.db.models import Q

from org.models import Person, Unit
from org.scopes import subtree_q


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
        q = subtree_q(paths[start : start + chunk])
        if start == 0 and manager_ids:
            q = Q(manager_id__in=manager_ids) if q is None else q | Q(manager_id__in=manager_ids)
        if q is not None:
            found.update(Person.objects.filter(q).values_list("pk", flat=True))
    return found


def managed_ids_by_levels(person: Person, headed_paths: list[str]) -> frozenset[int]:
    """`_managed_ids` as a loop of two queries per level of the tree (the reference the tests
    compare the recursive query with)."""
    covered = _minimal_paths(headed_paths, [])
    found: set[int] = set()
    frontier = _people_in(covered, {person.pk})
    while frontier:
        frontier -= found | {person.pk}
        found |= frontier
        if not frontier:
            break
        paths = _minimal_paths(
            Unit.objects.filter(head_id__in=frontier).values_list("path", flat=True), covered
        )
        covered += paths
        frontier = _people_in(paths, frontier)
    found.discard(person.pk)
    return frozenset(found)
