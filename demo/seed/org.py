"""The demo company `make run` shows: about 60 people in departments and teams, the demo
logins among them. (Synthetic organisations at scale: `org_synthetic`.)

Returns the DemoContext that each later step's `seed(ctx)` builds on."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from demo.seed.context import DemoContext
from org import services
from org.models import Person, Unit

PASSWORD = settings.KEEL_DEMO_PASSWORD

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
