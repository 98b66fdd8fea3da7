"""A synthetic organisation at scale (seed_demo --employees N): bulk inserts, deterministic."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from demo.seed.context import DemoContext
from demo.seed.org import FAMILY, GIVEN, PASSWORD
from org import services
from org.models import Person, Unit


@transaction.atomic
def seed_synthetic(*, employees: int, seed: int = 1, weeks: int = 8) -> DemoContext:
    """A deterministic synthetic organisation of `employees` people in about employees/10
    units (company → divisions → departments → teams), built with bulk inserts. Re-running
    with the same arguments finds the existing organisation and does nothing."""
    ctx = DemoContext(today=timezone.localdate(), seed=seed, weeks=weeks, synthetic=True)
    root_name = f"Synthetic Co. {employees}/{seed}"
    root = Unit.objects.filter(name=root_name, parent=None).first()
    if root is not None:
        return _existing(ctx, root)

    rng = ctx.rng("synthetic")
    root = Unit(name=root_name, kind=Unit.Kind.COMPANY)
    root.save()
    divisions, departments, teams = _unit_tree(root, employees)
    all_units = [root, *divisions, *departments, *teams]
    prefix = f"s{seed}-"
    users = _users(prefix, employees)
    # unit pk → index into people: the first people head the units, top down.
    heads: dict[int, int] = {unit.pk: i for i, unit in enumerate(all_units[:employees])}
    people = _people(ctx, rng, users, prefix, all_units, teams, heads)
    _set_heads_and_managers(all_units, people, heads)
    # The last person partners the first division as its HRBP.
    if len(people) > len(heads):
        services.assign_hrbp(person=people[-1], unit=divisions[0])
    ctx.units = {"company": root} | {f"unit-{u.pk}": u for u in all_units[1:]}
    ctx.people = {p.user.username: p for p in people}
    ctx.headcount = len(people)
    return ctx


def _existing(ctx: DemoContext, root: Unit) -> DemoContext:
    """The context of the organisation an earlier run built under `root`."""
    ctx.units = {"company": root}
    ctx.people = {
        p.user.username: p
        for p in Person.objects.filter(unit__path__startswith=root.path).select_related("user")
    }
    ctx.headcount = len(ctx.people)
    return ctx


def _unit_tree(root: Unit, employees: int) -> tuple[list[Unit], list[Unit], list[Unit]]:
    """(divisions, departments, teams) under `root`, about one team per ten employees."""
    # 10,000 people: 5 divisions of ~2,000, 20 departments of ~500, 1,000 teams of ~10.
    n_teams = max(1, employees // 10)
    n_departments = max(1, n_teams // 50)
    n_divisions = max(1, n_departments // 4)
    divisions = _unit_level([root], n_divisions, Unit.Kind.DIVISION, "Division")
    departments = _unit_level(divisions, n_departments, Unit.Kind.DEPARTMENT, "Department")
    teams = _unit_level(departments, n_teams, Unit.Kind.TEAM, "Team")
    return divisions, departments, teams


def _unit_level(parents: list[Unit], count: int, kind: str, label: str) -> list[Unit]:
    """`count` units of `kind` spread over `parents`, inserted in bulk with their paths."""
    rows = [
        Unit(name=f"{label} {i + 1}", kind=kind, parent=parents[i % len(parents)])
        for i in range(count)
    ]
    Unit.objects.bulk_create(rows, batch_size=1000)
    if rows[0].pk is None:  # a backend that does not return ids
        rows = list(Unit.objects.filter(parent__in=parents, kind=kind).order_by("pk"))
    by_id = {p.pk: p for p in parents}
    for unit in rows:
        parent = by_id[unit.parent_id]
        unit.path = f"{parent.path}{unit.pk}/"
        unit.depth = parent.depth + 1
    Unit.objects.bulk_update(rows, ["path", "depth"], batch_size=1000)
    return rows


def _users(prefix: str, employees: int) -> list:
    """`employees` users named prefix + number, in bulk, in the order of their numbers."""
    User = get_user_model()
    password_hash = make_password(PASSWORD)
    users = [
        User(
            username=f"{prefix}{i}",
            email=f"{prefix}{i}@synthetic.example",
            password=password_hash,
        )
        for i in range(employees)
    ]
    User.objects.bulk_create(users, batch_size=2000)
    users = list(User.objects.filter(username__startswith=prefix).order_by("pk"))
    users.sort(key=lambda u: int(u.username[len(prefix) :]))
    return users


def _people(
    ctx: DemoContext,
    rng,
    users: list,
    prefix: str,
    all_units: list[Unit],
    teams: list[Unit],
    heads: dict[int, int],
) -> list[Person]:
    """One person per user: the first ones head the units, the rest spread over the teams."""
    people = []
    for i, user in enumerate(users):
        if i < len(heads):
            unit = all_units[i]
            level = Person.Level.EXECUTIVE if unit.depth <= 1 else Person.Level.MANAGER
        else:
            unit = teams[(i - len(heads)) % len(teams)]
            level = Person.Level.FRONTLINE
        people.append(
            Person(
                user=user,
                display_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {i}",
                unit=unit,
                title="Team member" if level == Person.Level.FRONTLINE else "Unit head",
                level=level,
                hired_on=ctx.today - dt.timedelta(days=rng.randint(20, 3000)),
                timezone="America/New_York" if i % 5 == 0 else "Asia/Shanghai",
                language="zh-hans" if i % 3 == 0 else "en",
            )
        )
    Person.objects.bulk_create(people, batch_size=2000)
    people = list(
        Person.objects.filter(user__username__startswith=prefix).select_related("user", "unit")
    )
    people.sort(key=lambda p: int(p.user.username[len(prefix) :]))
    return people


def _set_heads_and_managers(
    all_units: list[Unit], people: list[Person], heads: dict[int, int]
) -> None:
    """Each unit's head; a member reports to their unit's head, a head to the parent's head."""
    unit_by_pk = {u.pk: u for u in all_units}
    head_person = {unit_pk: people[i] for unit_pk, i in heads.items()}
    for unit in all_units:
        unit.head = head_person.get(unit.pk)
    Unit.objects.bulk_update(all_units, ["head"], batch_size=1000)
    for person in people:
        unit = unit_by_pk[person.unit_id]
        head = head_person.get(unit.pk)
        if head is not None and head.pk != person.pk:
            person.manager_id = head.pk
        elif unit.parent_id and unit.parent_id in head_person:
            person.manager_id = head_person[unit.parent_id].pk
    Person.objects.bulk_update(people, ["manager"], batch_size=2000)
