"""Build the demo company (idempotent) or a synthetic organisation of N people.

    python manage.py seed_demo                       # the demo company, ~60 people
    python manage.py seed_demo --employees 10000 --seed 1 [--weeks 12]

The organisation comes first (`demo.seed.org` or `demo.seed.org_synthetic`), then each app's
demo data from `demo/seed/` through its `seed(ctx)`, in the dependency order of STEPS; every
step is idempotent."""

import contextlib
import time

from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings

from demo.seed import (
    coordination,
    goals,
    incentives,
    integrations,
    notifications,
    org,
    org_synthetic,
    retros,
    reviews,
    tracking,
)
from goals.services import rollups
from org.identity import bump_org_version

# (name printed with its time, module with `seed(ctx)`), in dependency order. The tracking
# step seeds the resources too (`demo.seed.resources`).
STEPS = [
    ("goals", goals),
    ("tracking", tracking),
    ("incentives", incentives),
    ("retros", retros),
    ("reviews", reviews),
    ("notifications", notifications),
    ("integrations", integrations),
    ("coordination", coordination),
]


class Command(BaseCommand):
    help = "Seed the demo company (idempotent), or a synthetic organisation with --employees."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=0, help="Synthetic org size.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (deterministic).")
        parser.add_argument("--weeks", type=int, default=8, help="Weeks of check-in history.")

    def handle(self, *args, employees: int, seed: int, weeks: int, **options):
        started = time.perf_counter()
        # The synthetic people's addresses are made up (@synthetic.example): whatever mail the
        # seeding sends on their behalf (resource requests notify approvers) is discarded, even
        # where a real mail server is configured.
        # Nor is every statement of a bulk load kept in connection.queries as DEBUG would:
        # quoting the parameters of hundreds of thousands of rows costs seconds and memory.
        quiet = (
            override_settings(
                EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend", DEBUG=False
            )
            if employees
            else contextlib.nullcontext()
        )
        with quiet:
            if employees:
                ctx = org_synthetic.seed_synthetic(employees=employees, seed=seed, weeks=weeks)
            else:
                ctx = org.seed_company(seed=seed, weeks=weeks)
            self.stdout.write(f"  org: {time.perf_counter() - started:.1f}s")
            for name, module in STEPS:
                step = time.perf_counter()
                module.seed(ctx)
                self.stdout.write(f"  {name}: {time.perf_counter() - step:.1f}s")
            # The loaders write in bulk (no signals): the read models from scratch, once.
            step = time.perf_counter()
            rollups.rebuild_all()
            self.stdout.write(f"  read models: {time.perf_counter() - step:.1f}s")
        bump_org_version()  # bulk inserts send no signals: cached viewers start afresh
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Fresh planner statistics after a bulk load (what autovacuum would do minutes
            # later): without them the first pages on the new data pick nested-loop plans
            # that are 20x slower.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"Seeded {ctx.headcount} people in {elapsed:.1f}s."))
        if not employees:
            self.stdout.write("Demo logins (password: keel-demo): admin, hrbp, manager, employee")
