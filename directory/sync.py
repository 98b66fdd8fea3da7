"""Directory sync: bring the org chart in step with a platform's snapshot (platforms.py).

Departments become units under the organisation's root unit (created, renamed, moved); people
join (a new person, or an existing one matched by an email address exactly one user has),
move (unit, manager, title, name, email) and leave (deactivated through org.services, which
ends their sessions and tokens; their goals and history stay). A unit missing from the
platform is left as it is: it may still hold people and goals. Everything runs in one
transaction through org.services, under the source "sync:<platform>" in the org history; a
dry run rolls it back and answers the same plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from directory import audit
from directory.models import ExternalPerson, ExternalUnit
from directory.platforms import Department, Member, Snapshot
from org import services as org_services
from org.models import Person, Unit


@dataclass
class SyncResult:
    platform: str
    dry_run: bool
    changes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _root_unit() -> Unit:
    roots = list(Unit.objects.filter(parent__isnull=True).order_by("pk")[:2])
    if len(roots) != 1:
        raise ValidationError("The organisation needs exactly one top unit to sync into.")
    return roots[0]


def _ordered(departments: list[Department]) -> list[Department]:
    """Parents before their children (and departments whose parent is unknown last)."""
    by_id = {d.id: d for d in departments}
    done: list[Department] = []
    seen: set[str] = set()

    def visit(department: Department, trail: set[str]) -> None:
        if department.id in seen or department.id in trail:
            return
        parent = by_id.get(department.parent_id or "")
        if parent is not None:
            visit(parent, trail | {department.id})
        seen.add(department.id)
        done.append(department)

    for department in departments:
        visit(department, set())
    return done


class _Sync:
    def __init__(self, platform: str, result: SyncResult):
        self.source = audit.sync_source(platform)
        self.result = result
        self.root = _root_unit()
        self.units = {
            link.external_id: link.unit
            for link in ExternalUnit.objects.filter(source=self.source).select_related("unit")
        }
        self.people = {
            link.external_id: link.person
            for link in ExternalPerson.objects.filter(source=self.source).select_related(
                "person__user", "person__unit", "person__manager"
            )
        }

    def note(self, text: str) -> None:
        self.result.changes.append(text)

    # --- units ------------------------------------------------------------------------------
    def department(self, department: Department) -> None:
        parent = self.units.get(department.parent_id or "", self.root)
        unit = self.units.get(department.id)
        if unit is None:
            unit = org_services.create_unit(
                name=department.name, kind=Unit.Kind.DEPARTMENT, parent=parent
            )
            ExternalUnit.objects.create(source=self.source, external_id=department.id, unit=unit)
            self.units[department.id] = unit
            self.note(f"unit created: {department.name} (under {parent.name})")
            return
        changes = {}
        if unit.name != department.name:
            self.note(f"unit renamed: {unit.name} → {department.name}")
            changes["name"] = department.name
        if unit.parent_id != parent.pk:
            self.note(f"unit moved: {department.name} → under {parent.name}")
            changes["parent"] = parent
        if changes:
            org_services.update_unit(unit=unit, **changes)

    # --- people -----------------------------------------------------------------------------
    def _username(self, member: Member) -> str:
        base = (member.email.split("@")[0] if member.email else "") or slugify(member.id)
        base = base[:140] or "user"
        User = get_user_model()
        candidate, n = base, 1
        while User.objects.filter(username=candidate).exists():
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _match(self, member: Member) -> Person | None:
        if not member.email:
            return None
        found = list(
            Person.objects.filter(user__email__iexact=member.email).select_related("user")[:2]
        )
        return found[0] if len(found) == 1 else None

    def member(self, member: Member) -> None:
        unit = self.units.get(member.department_id or "", self.root)
        person = self.people.get(member.id)
        if person is None:
            if not member.active:
                return
            person = self._match(member)
            if person is not None:
                self.note(f"person linked: {person.display_name} ({member.email})")
            else:
                person = org_services.create_person(
                    username=self._username(member),
                    display_name=member.name,
                    email=member.email,
                    unit=unit,
                    title=member.title,
                )
                self.note(f"person joined: {member.name} in {unit.name}")
            ExternalPerson.objects.create(source=self.source, external_id=member.id, person=person)
            self.people[member.id] = person
        if not member.active:
            if person.is_active:
                org_services.update_person(person=person, is_active=False)
                self.note(f"person left: {person.display_name}")
            return
        changes = {}
        if person.unit_id != unit.pk:
            self.note(f"person moved: {person.display_name}: {person.unit.name} → {unit.name}")
            changes["unit"] = unit
        if member.name and person.display_name != member.name:
            self.note(f"person renamed: {person.display_name} → {member.name}")
            changes["display_name"] = member.name
        if person.title != member.title:
            self.note(
                f"title changed: {member.name}: {person.title or '—'} → {member.title or '—'}"
            )
            changes["title"] = member.title
        if member.email and person.user.email.lower() != member.email.lower():
            self.note(f"email changed: {member.name}: {member.email}")
            changes["email"] = member.email
        if not person.is_active:
            self.note(f"person returned: {member.name}")
            changes["is_active"] = True
        if changes:
            org_services.update_person(person=person, **changes)

    def manager(self, member: Member) -> None:
        person = self.people.get(member.id)
        if person is None or not member.active:
            return
        manager = self.people.get(member.manager_id or "")
        if member.manager_id and manager is None:
            self.result.problems.append(f"{member.name}: manager {member.manager_id} is unknown")
            return
        if person.manager_id != (manager.pk if manager else None) and manager is not None:
            self.note(f"manager changed: {person.display_name} → {manager.display_name}")
            org_services.update_person(person=person, manager=manager)

    def leavers(self, members: list[Member]) -> None:
        present = {m.id for m in members}
        for external_id, person in self.people.items():
            if external_id not in present and person.is_active:
                org_services.update_person(person=person, is_active=False)
                self.note(f"person left: {person.display_name}")


def apply_snapshot(*, platform: str, snapshot: Snapshot, dry_run: bool) -> SyncResult:
    """Apply (or on a dry run, only plan) the changes `snapshot` implies."""
    result = SyncResult(platform=platform, dry_run=dry_run)
    with audit.changes_from(audit.sync_source(platform)), transaction.atomic():
        sync = _Sync(platform, result)
        for department in _ordered(snapshot.departments):
            sync.department(department)
        for member in snapshot.members:
            try:
                with transaction.atomic():
                    sync.member(member)
            except ValidationError as exc:
                result.problems.append(f"{member.name}: {'; '.join(exc.messages)}")
        for member in snapshot.members:
            sync.manager(member)
        sync.leavers(snapshot.members)
        if dry_run:
            transaction.set_rollback(True)
    return result


def sync_directory(*, platform: str, dry_run: bool) -> SyncResult:
    from directory.platforms import client_for

    return apply_snapshot(
        platform=platform, snapshot=client_for(platform).snapshot(), dry_run=dry_run
    )
