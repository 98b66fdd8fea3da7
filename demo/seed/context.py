"""The DemoContext every seeding step builds on: `org.seed_company` or
`org_synthetic.seed_synthetic` makes it, each later step's `seed(ctx)` reads it."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from org.models import Person, Unit


@dataclass
class DemoContext:
    """What app seeders build on. `units` and `people` are keyed by stable names (unit keys
    such as "company", "sales", "sales-east"; people by username)."""

    today: dt.date
    seed: int
    weeks: int
    synthetic: bool
    units: dict[str, Unit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    headcount: int = 0

    def rng(self, salt: str) -> random.Random:
        """A deterministic random generator per seeding step."""
        return random.Random(f"{self.seed}:{salt}")
