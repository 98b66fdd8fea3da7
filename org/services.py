"""Writes over the organisation."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from org.models import HRBPAssignment, Person, Unit


@transaction.atomic
def create_unit(
    *, name: str, kind: str, parent: Unit | None = None, head: Person | None = None
) -> Unit:
    unit = Unit(name=name, kind=kind, parent=parent, head=head)
    unit.full_clean(exclude=["path", "depth"])
    unit.save()
    return unit


@transaction.atomic
def update_unit(*, unit: Unit, **fields) -> Unit:
    for key, value in fields.items():
        setattr(unit, key, value)
    unit.full_clean(exclude=["path", "depth"])
    unit.save()
    return unit


@transaction.atomic
def create_person(
    *,
    username: str,
    display_name: str,
    unit: Unit,
    email: str = "",
    password: str | None = None,
    manager: Person | None = None,
    title: str = "",
    level: str = Person.Level.FRONTLINE,
    hired_on=None,
    timezone: str = "UTC",
    language: str = "en",
    is_staff: bool = False,
) -> Person:
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This username is taken.")})
    user = User(username=username, email=email, is_staff=is_staff, is_superuser=is_staff)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    person = Person(
        user=user,
        display_name=display_name,
        unit=unit,
        manager=manager,
        title=title,
        level=level,
        hired_on=hired_on,
        timezone=timezone,
        language=language,
    )
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def update_person(*, person: Person, **fields) -> Person:
    for key, value in fields.items():
        setattr(person, key, value)
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def set_language(*, person: Person, language: str) -> Person:
    person.language = language
    person.full_clean(validate_unique=False)
    person.save(update_fields=["language"])
    return person


@transaction.atomic
def assign_hrbp(*, person: Person, unit: Unit) -> HRBPAssignment:
    assignment, _created = HRBPAssignment.objects.get_or_create(person=person, unit=unit)
    return assignment
