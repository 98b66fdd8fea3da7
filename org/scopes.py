"""People-level scopes: who is asking, what roles they hold, which people they manage or partner.

Every app's `permissions.py` builds on these. A `Viewer` is the signed-in person with their roles
and scope data (headed unit paths, managed people, HRBP unit paths), each computed at most once:
`org.middleware` puts one on `request.viewer` for every request (the API's `ViewerAPIMixin`
for the token user), and while the request runs, `Viewer.of(request.person)` answers that same
object, so a service called with the request's person reuses what the page already computed.
Outside a request (tasks, commands, tests) `Viewer.of(person)` builds a fresh one: a caller
that checks several things normalises once and passes the viewer on.

Roles follow from data: a manager heads a unit (not a task force: its lead stays who they are)
or has active direct reports, an HRBP has unit assignments, an admin is a staff user.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property, reduce
from operator import or_

from django.db.models import Q, QuerySet

from org.models import HRBPAssignment, Person, TaskForceMembership, Unit


class Role:
    EMPLOYEE = "employee"
    MANAGER = "manager"
    HRBP = "hrbp"
    ADMIN = "admin"


_current: ContextVar[Viewer | None] = ContextVar("keel_viewer", default=None)


def person_of(user) -> Person | None:
    """The Person behind a user, or None (anonymous or a user without a person record)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.person
    except Person.DoesNotExist:
        return None


def subtree_q(paths, field: str = "unit__path") -> Q | None:
    """Rows whose `field` (a unit path) lies in any of the subtrees `paths`; None for none."""
    if not paths:
        return None
    return reduce(or_, (Q(**{f"{field}__startswith": path}) for path in paths))


# From each person found, the people reporting to them and everyone in the subtrees of the
# units they head. PostgreSQL runs the step per person found (LATERAL: two index lookups each,
# well under a millisecond for someone who manages nobody); SQLite, without LATERAL, joins the
# found people to every such edge.
_MANAGED_STEP = {
    "postgresql": """
    SELECT edge.dst FROM managed CROSS JOIN LATERAL (
        SELECT p.id AS dst FROM {person} p WHERE p.manager_id = managed.id
        UNION ALL
        SELECT p.id AS dst
        FROM {unit} h
        JOIN {unit} u ON u.path LIKE h.path || '%%'
        JOIN {person} p ON p.unit_id = u.id
        WHERE h.head_id = managed.id
    ) edge""",
    "default": """
    SELECT edge.dst FROM managed JOIN (
        SELECT p.manager_id AS src, p.id AS dst FROM {person} p WHERE p.manager_id IS NOT NULL
        UNION ALL
        SELECT h.head_id AS src, p.id AS dst
        FROM {unit} h
        JOIN {unit} u ON u.path LIKE h.path || '%%'
        JOIN {person} p ON p.unit_id = u.id
        WHERE h.head_id IS NOT NULL
    ) edge ON edge.src = managed.id""",
}
_MANAGED_SQL = """
WITH RECURSIVE managed(id) AS (
    SELECT CAST(%(person)s AS BIGINT)
    UNION
    {step}
)
SELECT id FROM managed WHERE id <> %(person)s
"""
# The same walk, answering each person found with their unit's path, and the paths of the
# units headed by the viewer or anyone found (tagged 1): what `ManagedScope` is built from.
_MANAGED_SCOPE_SQL = """
WITH RECURSIVE managed(id) AS (
    SELECT CAST(%(person)s AS BIGINT)
    UNION
    {step}
)
SELECT m.id, u.path, 0 FROM managed m
JOIN {{person}} p ON p.id = m.id
LEFT JOIN {{unit}} u ON u.id = p.unit_id
WHERE m.id <> %(person)s
UNION ALL
SELECT NULL, h.path, 1 FROM {{unit}} h WHERE h.head_id IN (SELECT id FROM managed)
"""


def _managed_sql(template: str):
    from django.db import connections, router

    connection = connections[router.db_for_read(Person)]
    step = _MANAGED_STEP.get(connection.vendor, _MANAGED_STEP["default"])
    sql = template.format(step=step).format(person=Person._meta.db_table, unit=Unit._meta.db_table)
    return connection, sql


def _managed_ids(person_pk: int) -> frozenset[int]:
    """The people below `person_pk` (see `Viewer.managed_ids`) in one recursive query: from
    each person found, the people reporting to them and everyone in the subtrees of the units
    they head, until nothing new is found (UNION stops at management loops)."""
    connection, sql = _managed_sql(_MANAGED_SQL)
    with connection.cursor() as cursor:
        cursor.execute(sql, {"person": person_pk})
        return frozenset(row[0] for row in cursor.fetchall())


def minimal_paths(paths) -> tuple[str, ...]:
    """The subtree roots among `paths`: a path inside another one's subtree adds nothing."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(root) for root in kept):
            kept.append(path)
    return tuple(sorted(kept))


class ManagedScope:
    """The people a person manages as a filter rather than a list: everyone in the subtrees
    `paths` (the units headed by the person or by anyone they manage: everyone in such a
    subtree is managed, by the definition of `Viewer.managed_ids`), plus the few managed from
    outside those subtrees (`extra`: direct reports in other units, and theirs), never the
    person themself. Small whatever the organisation's size (a head of 10,000 people in one
    unit tree: one path, no extra), so it is kept with the viewer between requests, and a
    query over thousands of managed people is a path range instead of thousands of ids."""

    __slots__ = ("paths", "extra", "viewer_pk")

    def __init__(self, paths: tuple[str, ...], extra: frozenset[int], viewer_pk: int | None):
        self.paths, self.extra, self.viewer_pk = paths, extra, viewer_pk

    def __reduce__(self):
        return (ManagedScope, (self.paths, self.extra, self.viewer_pk))

    def __bool__(self) -> bool:
        return bool(self.paths or self.extra)

    @classmethod
    def of(cls, person_pk: int) -> tuple[ManagedScope, frozenset[int]]:
        """The scope and the ids it stands for, in one recursive query."""
        connection, sql = _managed_sql(_MANAGED_SCOPE_SQL)
        with connection.cursor() as cursor:
            cursor.execute(sql, {"person": person_pk})
            rows = cursor.fetchall()
        paths = minimal_paths(path for _pk, path, headed in rows if headed)
        found = [(pk, path) for pk, path, headed in rows if not headed]
        extra = frozenset(
            pk for pk, path in found if not path or not any(path.startswith(r) for r in paths)
        )
        return cls(paths, extra, person_pk), frozenset(pk for pk, _path in found)

    def q(self, field: str = "", *, path_field: str | None = None) -> Q | None:
        """Rows whose person `field` ("" for Person itself) is managed; None for nobody.
        `path_field` names a column holding that person's unit path on the row itself (a
        goal's `owner_path`), so the subtrees need no join."""
        if not self:
            return None
        prefix = f"{field}__" if field else ""
        q = subtree_q(self.paths, path_field or f"{prefix}unit__path")
        if q is not None and path_field and field:
            q &= Q(**{f"{field}__isnull": False})  # the path is the row's, not a person's
        if self.extra:
            by_id = Q(**{f"{prefix}pk__in": sorted(self.extra)})
            q = by_id if q is None else q | by_id
        if self.viewer_pk is not None and self.paths:
            q &= ~Q(**{f"{prefix}pk": self.viewer_pk})
        return q

    def covers(self, pk: int, unit_path: str | None) -> bool:
        """Whether the person `pk`, whose unit has `unit_path`, is managed."""
        if pk == self.viewer_pk:
            return False
        return pk in self.extra or bool(
            unit_path and any(unit_path.startswith(root) for root in self.paths)
        )


class Viewer:
    """Who is asking (a Person, or nobody), with their roles and people-level scopes. Each
    property is computed on first use and kept for the viewer's life (one request)."""

    def __init__(self, person: Person | None):
        self.person = person

    def __repr__(self) -> str:
        return f"<Viewer {self.person!r}>"

    @classmethod
    def of(cls, who: Viewer | Person | None) -> Viewer:
        """A Viewer for `who`: itself when it is one; the current request's viewer when `who`
        is that request's person; otherwise a new one."""
        if isinstance(who, Viewer):
            return who
        current = _current.get()
        if who is not None and current is not None and current.person is who:
            return current
        return cls(who)

    @property
    def pk(self) -> int | None:
        return self.person.pk if self.person is not None else None

    @property
    def is_authenticated(self) -> bool:
        return self.person is not None

    @cached_property
    def is_admin(self) -> bool:
        return bool(self.person and self.person.user.is_staff)

    @cached_property
    def _headed(self) -> list[tuple[str, str]]:
        """(path, kind) of the units this person heads: one query."""
        if self.person is None:
            return []
        return list(Unit.objects.filter(head=self.person).values_list("path", "kind"))

    @property
    def headed_paths(self) -> list[str]:
        """Paths of the units this person heads (a task force's lead heads it)."""
        return [path for path, _kind in self._headed]

    @property
    def heads_org_unit(self) -> bool:
        """Heads a unit of the organisation: leading a task force makes nobody a manager."""
        return any(kind != Unit.Kind.TASK_FORCE for _path, kind in self._headed)

    @cached_property
    def is_manager(self) -> bool:
        if self.person is None:
            return False
        return (
            self.heads_org_unit
            or Person.objects.filter(manager=self.person, is_active=True).exists()
        )

    @cached_property
    def hrbp_unit_ids(self) -> list[int]:
        if self.person is None:
            return []
        return list(
            HRBPAssignment.objects.filter(person=self.person).values_list("unit_id", flat=True)
        )

    @cached_property
    def hrbp_paths(self) -> list[str]:
        ids = self.hrbp_unit_ids
        if not ids:
            return []
        return list(Unit.objects.filter(pk__in=ids).values_list("path", flat=True))

    @property
    def is_hrbp(self) -> bool:
        return bool(self.hrbp_unit_ids)

    @cached_property
    def roles(self) -> list[str]:
        if self.person is None:
            return []
        result = [Role.EMPLOYEE]
        if self.is_manager:
            result.append(Role.MANAGER)
        if self.is_hrbp:
            result.append(Role.HRBP)
        if self.is_admin:
            result.append(Role.ADMIN)
        return result

    @cached_property
    def unit_paths(self) -> list[str]:
        """Paths of the person's unit and of every unit above it ("/1/", "/1/4/", ...)."""
        person = self.person
        if person is None or not person.unit_id:
            return []
        parts = [p for p in person.unit.path.split("/") if p]
        return ["/" + "/".join(parts[: n + 1]) + "/" for n in range(len(parts))]

    @cached_property
    def unit_ancestor_ids(self) -> list[int]:
        """Ids of the person's unit and every unit above it."""
        person = self.person
        return person.unit.ancestor_ids if person is not None and person.unit_id else []

    @cached_property
    def managed_ids(self) -> frozenset[int]:
        """Everyone below the person: direct reports transitively, and everyone in (the subtree
        of) units they head, and those people's reports in turn. One query whatever the depth
        of the tree (`_managed_ids`). Filters use `managed_scope` (a few paths, no list of
        ids); this set is for code that needs the people one by one."""
        person = self.person
        if person is None:
            return frozenset()
        if "managed_scope" in self.__dict__:
            return _managed_ids(person.pk)
        scope, ids = ManagedScope.of(person.pk)
        self.__dict__["managed_scope"] = scope
        return ids

    @cached_property
    def managed_scope(self) -> ManagedScope:
        """`managed_ids` as subtree paths and a few ids (kept between requests with the
        viewer, org/identity.py)."""
        if self.person is None:
            return ManagedScope((), frozenset(), None)
        scope, ids = ManagedScope.of(self.person.pk)
        self.__dict__["managed_ids"] = ids
        return scope

    def managed_q(self, field: str = "", *, path_field: str | None = None) -> Q | None:
        """Rows whose person `field` ("" for Person itself) the viewer manages, by path (see
        `ManagedScope.q`); None when they manage nobody."""
        return self.managed_scope.q(field, path_field=path_field)

    def manages_pk(self, pk: int | None) -> bool:
        """Whether the viewer manages the person `pk` (one small query when only the scope is
        known: that person's unit path)."""
        if self.person is None or pk is None or pk == self.pk:
            return False
        if "managed_ids" in self.__dict__:
            return pk in self.managed_ids
        path = Person.objects.filter(pk=pk).values_list("unit__path", flat=True).first()
        return self.managed_scope.covers(pk, path)

    @cached_property
    def units_headed_below(self) -> list[int]:
        """Ids of the units headed by people the viewer manages (their goals are the
        viewer's to see and manage, wherever those units sit)."""
        q = self.managed_q("head")
        if q is None:
            return []
        return list(Unit.objects.filter(q).values_list("pk", flat=True))

    @property
    def task_force_paths(self) -> QuerySet:
        """Paths of the task forces the viewer belongs to (lead or member), as a subquery (no
        query of its own): for their goals the viewer counts as one of the unit's people."""
        return TaskForceMembership.objects.filter(person_id=self.pk).values("unit__path")

    @property
    def followed_task_force_paths(self) -> QuerySet | None:
        """Paths of the task forces with a member the viewer follows (someone they manage, a
        person of a unit they partner as HRBP), as a subquery; None when they follow nobody.
        The task force's goals are theirs to see, as their people's own goals are."""
        q = self.managed_q("person")
        sub = subtree_q(self.hrbp_paths, "person__unit__path")
        if sub is not None:
            q = sub if q is None else q | sub
        if q is None:
            return None
        return TaskForceMembership.objects.filter(q).values("unit__path")

    def manages(self, person: Person) -> bool:
        if self.person is None or person.pk == self.pk:
            return False
        if "managed_ids" not in self.__dict__ and "unit" in person._state.fields_cache:
            return self.managed_scope.covers(person.pk, person.unit.path if person.unit else None)
        return person.pk in self.managed_ids

    def partners(self, person: Person) -> bool:
        """The viewer is HRBP for the person's unit (or an ancestor of it)."""
        return self.covers_unit(person.unit)

    def covers_unit(self, unit: Unit) -> bool:
        """The viewer is HRBP for the unit (or an ancestor of it)."""
        return any(unit.path.startswith(path) for path in self.hrbp_paths)

    def heads_subtree_of(self, unit: Unit) -> bool:
        """The viewer heads the unit or a unit above it."""
        return any(unit.path.startswith(path) for path in self.headed_paths)


ViewerLike = Viewer | Person | None
"""What permission functions accept: a Viewer, or a Person (the request's viewer while a
request runs, else a new one), or None (nobody signed in)."""


@contextmanager
def viewing_as(viewer: Viewer) -> Iterator[Viewer]:
    """Within the block (a request), `Viewer.of(viewer.person)` answers `viewer`."""
    token = _current.set(viewer)
    try:
        yield viewer
    finally:
        _current.reset(token)


def adopt(viewer: Viewer) -> None:
    """Make `viewer` the current one for the rest of the request (the API's token user, known
    only after authentication); the middleware's `viewing_as` restores the previous value when
    the request ends."""
    _current.set(viewer)


# Functions over a viewer (a Viewer, a Person or None), for callers that hold a Person.


def is_admin(viewer: Viewer | Person | None) -> bool:
    return Viewer.of(viewer).is_admin


def is_manager(viewer: Viewer | Person | None) -> bool:
    return Viewer.of(viewer).is_manager


def is_hrbp(viewer: Viewer | Person | None) -> bool:
    return Viewer.of(viewer).is_hrbp


def roles(viewer: Viewer | Person | None) -> list[str]:
    return Viewer.of(viewer).roles


def manages(viewer: Viewer | Person | None, person: Person) -> bool:
    return Viewer.of(viewer).manages(person)


def partners(viewer: Viewer | Person | None, person: Person) -> bool:
    return Viewer.of(viewer).partners(person)


def hrbp_covers_unit(viewer: Viewer | Person | None, unit: Unit) -> bool:
    return Viewer.of(viewer).covers_unit(unit)


def managed_people(viewer: Viewer | Person | None) -> QuerySet[Person]:
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return Person.objects.none()
    q = viewer.managed_q()
    return Person.objects.filter(q) if q is not None else Person.objects.none()


def hrbp_people(viewer: Viewer | Person | None) -> QuerySet[Person]:
    q = subtree_q(Viewer.of(viewer).hrbp_paths)
    return Person.objects.filter(q) if q is not None else Person.objects.none()


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


def followed_people_q(viewer: Viewer | Person | None, field: str = "person") -> Q:
    """A Q selecting rows whose `field` (a Person FK; "" for Person itself) the viewer may
    follow: themselves, the people they manage, the people of the units they partner as HRBP;
    everyone for admins. (Check-ins, plans, awards and sensitive fields use it.)"""
    viewer = Viewer.of(viewer)
    if viewer.is_admin:
        return Q()
    prefix = f"{field}__" if field else ""
    q = Q(**{f"{prefix}pk": viewer.pk})
    managed = viewer.managed_q(field)
    if managed is not None:
        q |= managed
    sub = subtree_q(viewer.hrbp_paths, f"{prefix}unit__path")
    return q | sub if sub is not None else q


def may_follow(viewer: Viewer | Person | None, person: Person) -> bool:
    """The viewer is the person, above them, their HRBP or an admin: they may read the person's
    check-ins, plans, awards and sensitive fields."""
    viewer = Viewer.of(viewer)
    if viewer.person is None:
        return False
    return (
        viewer.pk == person.pk
        or viewer.is_admin
        or viewer.manages(person)
        or viewer.partners(person)
    )
