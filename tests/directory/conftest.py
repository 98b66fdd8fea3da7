"""Directory fixtures: the goal fixtures (cycles, make_goal, a fixed today) to show that a
person moved by an import, SCIM or a sync keeps their goals and the rollups follow."""

from tests.goals.conftest import (  # noqa: F401
    _fast_passwords,
    _today,
    kr,
    make_goal,
    past_quarter,
    quarter,
    year,
)
