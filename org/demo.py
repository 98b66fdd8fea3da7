"""Demo organisations: the believable company `make run` shows, and synthetic ones at scale.

Both return a DemoContext that each app's `demo.seed(ctx)` builds on."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from org import services
from org.models import Person, Unit

PASSWORD = settings.KEEL_DEMO_PASSWORD


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


# key, name, kind, parent key, head username
UNITS = [
    ("company", "Keel Demo Co.", Unit.Kind.COMPANY, None, "admin"),
    ("sales", "Sales", Unit.Kind.DEPARTMENT, "company", "manager"),
    ("sales-inside", "Inside Sales", Unit.Kind.TEAM, "sales", "manager"),
    ("sales-key", "Key Accounts", Unit.Kind.TEAM, "sales", "sun.li"),
    ("marketing", "Marketing", Unit.Kind.DEPARTMENT, "company", "zhou.min"),
    ("marketing-brand", "Brand", Unit.Kind.TEAM, "marketing", "grace.kim"),
    ("marketing-growth", "Growth", Unit.Kind.TEAM, "marketing", "wu.jie"),
    ("product", "Product", Unit.Kind.DEPARTMENT, "company", "olivia.chen"),
    ("rnd", "R&D", Unit.Kind.DEPARTMENT, "company", "zhang.wei"),
    ("rnd-platform", "Platform", Unit.Kind.TEAM, "rnd", "ma.lin"),
    ("rnd-mobile", "Mobile", Unit.Kind.TEAM, "rnd", "noah.park"),
    ("support", "Customer Support", Unit.Kind.DEPARTMENT, "company", "huang.yu"),
    ("hr", "HR", Unit.Kind.DEPARTMENT, "company", "lin.na"),
    ("finance", "Finance", Unit.Kind.DEPARTMENT, "company", "qian.hao"),
]

# username, display name, unit key, manager username, title, level, timezone, language
PEOPLE = [
    (
        "admin",
        "Chen Jing",
        "company",
        None,
        "Chief Executive Officer",
        "executive",
        "Asia/Shanghai",
        "en",
    ),
    ("manager", "Liu Yang", "sales", "admin", "Head of Sales", "manager", "Asia/Shanghai", "en"),
    (
        "employee",
        "Wang Fang",
        "sales-inside",
        "manager",
        "Sales Representative",
        "frontline",
        "Asia/Shanghai",
        "en",
    ),
    (
        "sun.li",
        "Sun Li",
        "sales-key",
        "manager",
        "Key Account Lead",
        "manager",
        "Asia/Shanghai",
        "zh-hans",
    ),
    (
        "zhou.min",
        "Zhou Min",
        "marketing",
        "admin",
        "Head of Marketing",
        "manager",
        "Asia/Shanghai",
        "zh-hans",
    ),
    (
        "grace.kim",
        "Grace Kim",
        "marketing-brand",
        "zhou.min",
        "Brand Lead",
        "manager",
        "America/New_York",
        "en",
    ),
    (
        "wu.jie",
        "Wu Jie",
        "marketing-growth",
        "zhou.min",
        "Growth Lead",
        "manager",
        "Asia/Shanghai",
        "zh-hans",
    ),
    (
        "olivia.chen",
        "Olivia Chen",
        "product",
        "admin",
        "Head of Product",
        "manager",
        "America/New_York",
        "en",
    ),
    ("zhang.wei", "Zhang Wei", "rnd", "admin", "CTO", "executive", "Asia/Shanghai", "zh-hans"),
    (
        "ma.lin",
        "Ma Lin",
        "rnd-platform",
        "zhang.wei",
        "Platform Lead",
        "manager",
        "Asia/Shanghai",
        "zh-hans",
    ),
    (
        "noah.park",
        "Noah Park",
        "rnd-mobile",
        "zhang.wei",
        "Mobile Lead",
        "manager",
        "America/New_York",
        "en",
    ),
    (
        "huang.yu",
        "Huang Yu",
        "support",
        "admin",
        "Head of Support",
        "manager",
        "Asia/Shanghai",
        "zh-hans",
    ),
    ("lin.na", "Lin Na", "hr", "admin", "Head of HR", "manager", "Asia/Shanghai", "zh-hans"),
    (
        "hrbp",
        "Emma Zhao",
        "hr",
        "lin.na",
        "HR Business Partner",
        "frontline",
        "Asia/Shanghai",
        "en",
    ),
    (
        "qian.hao",
        "Qian Hao",
        "finance",
        "admin",
        "Head of Finance",
        "manager",
        "Asia/Shanghai",
        "zh-hans",
    ),
]

GIVEN = [
    "Wei",
    "Fang",
    "Lei",
    "Jing",
    "Tao",
    "Yan",
    "Hui",
    "Ming",
    "Xin",
    "Qiang",
    "Lan",
    "Ping",
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Ella",
    "Felix",
    "Hannah",
    "Ivan",
    "Julia",
    "Kevin",
]
FAMILY = [
    "Li",
    "Wang",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Zhao",
    "Huang",
    "Zhou",
    "Wu",
    "Xu",
    "Sun",
    "Hu",
    "Zhu",
    "Gao",
    "Lin",
    "Smith",
    "Brown",
    "Lee",
    "Garcia",
    "Miller",
]

# unit key → (number of extra members, title)
TEAMS = {
    "sales-inside": (8, "Sales Representative"),
    "sales-key": (5, "Key Account Manager"),
    "marketing-brand": (3, "Brand Specialist"),
    "marketing-growth": (4, "Growth Marketer"),
    "product": (4, "Product Manager"),
    "rnd-platform": (6, "Software Engineer"),
    "rnd-mobile": (5, "Mobile Engineer"),
    "support": (6, "Support Specialist"),
    "hr": (2, "HR Specialist"),
    "finance": (2, "Accountant"),
}

HRBP_UNITS = ["sales", "marketing", "support"]


def _user(username: str, password_hash: str, *, staff: bool = False):
    User = get_user_model()
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={
            "email": f"{username}@keel-demo.example",
            "password": password_hash,
            "is_staff": staff,
            "is_superuser": staff,
        },
    )
    return user


@transaction.atomic
def seed_company(*, seed: int = 1, weeks: int = 8) -> DemoContext:
    """The demo company: about 60 people in departments and teams. Idempotent: running it
    again finds everything by its stable key and changes nothing."""
    ctx = DemoContext(today=timezone.localdate(), seed=seed, weeks=weeks, synthetic=False)
    password_hash = make_password(PASSWORD)
    units: dict[str, Unit] = {}
    for key, name, kind, parent_key, _head in UNITS:
        parent = units.get(parent_key)
        unit = Unit.objects.filter(name=name, parent=parent).first()
        if unit is None:
            unit = Unit(name=name, kind=kind, parent=parent)
            unit.save()
        units[key] = unit
    people: dict[str, Person] = {}
    hired = dt.date(ctx.today.year - 3, 3, 1)
    for username, name, unit_key, manager, title, level, tz, lang in PEOPLE:
        user = _user(username, password_hash, staff=username == "admin")
        person, _created = Person.objects.get_or_create(
            user=user,
            defaults={
                "display_name": name,
                "unit": units[unit_key],
                "manager": people.get(manager) if manager else None,
                "title": title,
                "level": level,
                "hired_on": hired,
                "timezone": tz,
                "language": lang,
            },
        )
        people[username] = person
    rng = ctx.rng("people")
    for unit_key, (count, title) in TEAMS.items():
        head_username = next(u[4] for u in UNITS if u[0] == unit_key)
        for i in range(count):
            family, given = rng.choice(FAMILY), rng.choice(GIVEN)
            username = f"{unit_key}.{i + 1}"
            user = _user(username, password_hash)
            # New hires (under six months) get differentiated targets in the goals demo.
            months = rng.choice([2, 4, 9, 14, 20, 30, 48])
            person, _created = Person.objects.get_or_create(
                user=user,
                defaults={
                    "display_name": f"{given} {family}",
                    "unit": units[unit_key],
                    "manager": people[head_username],
                    "title": title,
                    "level": Person.Level.FRONTLINE,
                    "hired_on": ctx.today - dt.timedelta(days=30 * months),
                    "timezone": "America/New_York" if rng.random() < 0.2 else "Asia/Shanghai",
                    "language": "zh-hans" if rng.random() < 0.4 else "en",
                },
            )
            people[username] = person
    for key, _name, _kind, _parent, head in UNITS:
        unit = units[key]
        if unit.head_id != people[head].pk:
            unit.head = people[head]
            unit.save()
    for key in HRBP_UNITS:
        services.assign_hrbp(person=people["hrbp"], unit=units[key])
    ctx.units, ctx.people = units, people
    ctx.headcount = Person.objects.count()
    return ctx


@transaction.atomic
def seed_synthetic(*, employees: int, seed: int = 1, weeks: int = 8) -> DemoContext:
    """A deterministic synthetic organisation of `employees` people in about employees/10
    units (company → divisions → departments → teams), built with bulk inserts. Re-running
    with the same arguments finds the existing organisation and does nothing."""
    ctx = DemoContext(today=timezone.localdate(), seed=seed, weeks=weeks, synthetic=True)
    root_name = f"Synthetic Co. {employees}/{seed}"
    root = Unit.objects.filter(name=root_name, parent=None).first()
    if root is not None:
        ctx.units = {"company": root}
        ctx.people = {
            p.user.username: p
            for p in Person.objects.filter(unit__path__startswith=root.path).select_related("user")
        }
        ctx.headcount = len(ctx.people)
        return ctx

    rng = ctx.rng("synthetic")
    # 10,000 people: 5 divisions of ~2,000, 20 departments of ~500, 1,000 teams of ~10.
    n_teams = max(1, employees // 10)
    n_departments = max(1, n_teams // 50)
    n_divisions = max(1, n_departments // 4)

    root = Unit(name=root_name, kind=Unit.Kind.COMPANY)
    root.save()

    def level_of(parents: list[Unit], count: int, kind: str, label: str) -> list[Unit]:
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

    divisions = level_of([root], n_divisions, Unit.Kind.DIVISION, "Division")
    departments = level_of(divisions, n_departments, Unit.Kind.DEPARTMENT, "Department")
    teams = level_of(departments, n_teams, Unit.Kind.TEAM, "Team")
    all_units = [root, *divisions, *departments, *teams]

    User = get_user_model()
    password_hash = make_password(PASSWORD)
    prefix = f"s{seed}-"
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

    # One head per unit (the first people), the rest spread over the teams.
    people = []
    # unit pk → index into people: the first people head the units, top down.
    heads: dict[int, int] = {unit.pk: i for i, unit in enumerate(all_units[:employees])}
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
    unit_by_pk = {u.pk: u for u in all_units}
    head_person = {unit_pk: people[i] for unit_pk, i in heads.items()}
    for unit in all_units:
        unit.head = head_person.get(unit.pk)
    Unit.objects.bulk_update(all_units, ["head"], batch_size=1000)
    # Managers: a member reports to their unit's head; a head reports to the parent's head.
    for person in people:
        unit = unit_by_pk[person.unit_id]
        head = head_person.get(unit.pk)
        if head is not None and head.pk != person.pk:
            person.manager_id = head.pk
        elif unit.parent_id and unit.parent_id in head_person:
            person.manager_id = head_person[unit.parent_id].pk
    Person.objects.bulk_update(people, ["manager"], batch_size=2000)
    # The last person partners the first division as its HRBP.
    if len(people) > len(heads):
        services.assign_hrbp(person=people[-1], unit=divisions[0])
    ctx.units = {"company": root} | {f"unit-{u.pk}": u for u in all_units[1:]}
    ctx.people = {p.user.username: p for p in people}
    ctx.headcount = len(people)
    return ctx
