"""The rows of the matrix: `Act` (one action on one URL pattern, with who may do it) and
`Marker` (an object a list must show or hide), the rule sets they are written with, and how
their paths and bodies name the organisation's objects."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tests.authz import world as W
from tests.authz.world import (
    ADMIN,
    HRBP,
    HRBP_OTHER,
    MANAGER,
    PEER,
    SELF,
    SIGNED_IN,
    SKIP,
)

# --- the product rules, once (issues 3–10 and DESIGN.md) -------------------------------
EVERYONE = frozenset(SIGNED_IN)
# Alice, everyone above her, the HRBP of her unit and admins: who follows her work.
MANAGER_CHAIN = frozenset({SELF, MANAGER, SKIP, HRBP, ADMIN})
# Who decides for her: her manager chain and admins (never herself).
ABOVE = frozenset({MANAGER, SKIP, ADMIN})
# The owner and those who may act as the owner's manager.
OWNER_AND_ABOVE = ABOVE | {SELF}
# Her manager chain and her HRBP: who give feedback (an admin outside her chain does not).
COACHES = frozenset({MANAGER, SKIP, HRBP})
# HR decisions on her (awards): her HRBP and admins.
HR = frozenset({HRBP, ADMIN})
# Anyone with an HRBP assignment, and admins.
ANY_HR = frozenset({HRBP, HRBP_OTHER, ADMIN})
# Goal visibility.
PUBLIC = EVERYONE
UNIT_VISIBLE = MANAGER_CHAIN | {PEER}
PRIVATE = MANAGER_CHAIN
ONLY_SELF = frozenset({SELF})
ONLY_ADMIN = frozenset({ADMIN})
# Heads of her unit or above, and admins (budgets, team pages).
HEADS = frozenset({MANAGER, SKIP, ADMIN})
MANAGERS = frozenset({MANAGER, SKIP})


@dataclass(frozen=True)
class Marker:
    """An object in a list: `value(world)` is an id (API lists: the `id` of a row) or a text
    (pages: found in the HTML). `present` must find it; everyone outside `visible` (default:
    `present`) must not."""

    value: Callable[[W.World], object] | str
    present: frozenset
    visible: frozenset | None = None

    def resolve(self, world) -> object:
        return resolve_value(world, self.value)


@dataclass(frozen=True)
class Act:
    """One action on one URL pattern. `path` and `data` may name fixture objects as `{name}` in
    the path and `"@name"` in the data (their primary keys)."""

    action: str
    path: str | Callable[[W.World], str]
    method: str = "get"
    data: Mapping | Callable[[W.World], Mapping] | None = None
    allowed: frozenset = EVERYONE
    # Who may see the object acted on: refused inside 403, outside 404 (default: reads 404,
    # writes 403).
    sees: frozenset | None = None
    # The status every refused relation gets, when not the rule above (role pages: 403).
    denied: int | None = None
    # Domain-rule refusals with their own status, per relation ({SELF: 400}).
    refused: Mapping[str, int] = field(default_factory=dict)
    markers: tuple[Marker, ...] = ()
    # (predicate(response), relations for which it must hold; false for the other allowed).
    reveals: tuple[Callable, frozenset] | None = None
    # An object named in the body that the caller may not see (outside `sees`) is refused
    # with these words, the same as for an id that does not exist (no existence oracle).
    unknown: str | None = None
    # Acts on the caller's own data: for any caller but Alice her data stays as it was.
    own: bool = False
    htmx: bool = False
    # Statuses an allowed relation may get (default: 2xx, or 3xx not to the login page).
    ok: tuple[int, ...] | None = None
    # An allowed write changes the database (default for every method but GET); False for
    # previews and idempotent no-ops.
    effect: bool | None = None

    @property
    def is_read(self) -> bool:
        return self.method == "get"

    def expected_refusal(self, relation: str) -> int:
        if relation in self.refused:
            return self.refused[relation]
        if self.denied is not None:
            return self.denied
        if self.sees is not None:
            return 403 if relation in self.sees else 404
        return 404 if self.is_read else 403


def unknown_for(visible) -> dict:
    """Refusals of a request naming, in its body, an object the caller may not see: 400 as
    unknown, as DRF answers for any primary key that does not exist."""
    return {relation: 400 for relation in SIGNED_IN if relation not in visible}


def resolve_value(world, value, relation=None):
    """Fixture names to primary keys: "@name" (an object, unit or username), "@me" (the
    caller's person); callables get the world."""
    if callable(value):
        return value(world)
    if value == "@me":
        return world.people[relation].pk if relation in world.people else None
    if isinstance(value, str) and value.startswith("@"):
        return world.pk(value[1:])
    if isinstance(value, dict):
        return {k: resolve_value(world, v, relation) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve_value(world, v, relation) for v in value]
    return value


def build_path(world, path) -> str:
    if callable(path):
        return path(world)
    return path.format_map(_Pks(world))


class _Pks(dict):
    def __init__(self, world):
        super().__init__()
        self.world = world

    def __missing__(self, key):
        return self.world.pk(key)
