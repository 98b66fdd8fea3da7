"""What a goal save costs in alignment findings: `python bench/findings_write.py` times saving
the unit goal with the most children (title, weight, state and parent changes, each undone by
a second save), inside the writer's transaction and on commit, with the queries of each."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, Q  # noqa: E402

from goals.models import Cycle, Goal  # noqa: E402


def timed_save(pk: int, **changes) -> tuple[float, int, float, int]:
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        with transaction.atomic():
            goal = Goal.objects.get(pk=pk)
            for field, value in changes.items():
                setattr(goal, field, value)
            goal.save()
            written = time.perf_counter()
            in_tx = count[0]
        done = time.perf_counter()
    return written - started, in_tx, done - written, count[0] - in_tx


def main() -> None:
    open_cycles = Cycle.objects.exclude(state=Cycle.State.CLOSED)
    goal = (
        Goal.objects.filter(level=Goal.Level.UNIT, cycle__in=open_cycles)
        .exclude(state=Goal.State.CLOSED)
        .annotate(n=Count("children", filter=~Q(children__state=Goal.State.CLOSED)))
        .order_by("-n", "pk")
        .first()
    )
    print(f"goal {goal.pk} ({goal.title!r}): {goal.n} children, parent {goal.parent_id}")
    other = Goal.State.PROPOSED if goal.state != Goal.State.PROPOSED else Goal.State.DRAFT
    scenarios = [
        ("title", {"title": goal.title + " ·"}, {"title": goal.title}),
        ("weight", {"weight": goal.weight + 1}, {"weight": goal.weight}),
        ("state", {"state": other}, {"state": goal.state}),
        ("parent", {"parent_id": None}, {"parent_id": goal.parent_id}),
    ]
    for name, change, undo in scenarios:
        for label, fields in ((name, change), (f"{name} undone", undo)):
            in_tx, q_tx, on_commit, q_commit = timed_save(goal.pk, **fields)
            print(
                f"{label:16} in transaction {in_tx:6.2f} s {q_tx:4} queries;"
                f" on commit {on_commit:6.2f} s {q_commit:4} queries"
            )


if __name__ == "__main__":
    main()
