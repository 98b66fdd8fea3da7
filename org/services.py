"""Writes over the organisation."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from org import tokens
from org.models import HRBPAssignment, Person, ServiceAccount, Unit


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
    """Changes a person (and their user's `email`); `is_active` goes through
    `deactivate_person` / `reactivate_person`."""
    active = fields.pop("is_active", None)
    email = fields.pop("email", None)
    for key, value in fields.items():
        setattr(person, key, value)
    person.full_clean()
    person.save()
    if email is not None and email != person.user.email:
        user = person.user
        user.email = email
        user.full_clean(exclude=["password"])
        user.save(update_fields=["email"])
    if active is False and person.is_active:
        deactivate_person(person=person)
    elif active is True and not person.is_active:
        reactivate_person(person=person)
    return person


def end_sessions(*, user) -> int:
    """Deletes every stored session signed in as `user` (database sessions: each live session
    is decoded, so this is for rare events such as a deactivation); answers how many."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            ended.append(session.pk)
    # Through the session engine, so a cached copy (cached_db on Redis) goes with the row.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in ended:
        store(session_key=key).delete()
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


@transaction.atomic
def deactivate_person(*, person: Person) -> Person:
    """The person leaves: their user can no longer sign in, every session and API token of
    theirs ends at once; their goals, check-ins and history stay."""
    person.is_active = False
    person.save(update_fields=["is_active"])
    user = person.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    tokens.revoke_all(user=user)
    end_sessions(user=user)
    return person


@transaction.atomic
def reactivate_person(*, person: Person) -> Person:
    """An inactive person comes back: they may sign in again (old sessions and tokens stay
    ended)."""
    person.is_active = True
    person.save(update_fields=["is_active"])
    person.user.is_active = True
    person.user.save(update_fields=["is_active"])
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


# Service accounts ---------------------------------------------------------------------


def _require_admin(actor) -> None:
    user = getattr(actor, "user", actor)
    if user is None or not (user.is_active and user.is_staff):
        raise PermissionDenied(_("Only an administrator manages service accounts."))


def _service_username(name: str) -> str:
    User = get_user_model()
    base = "svc-" + (slugify(name)[:100] or "account")
    username, n = base, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{base}-{n}"
    return username


@transaction.atomic
def create_service_account(
    *,
    actor,
    name: str,
    scopes: list[str],
    units=(),
    description: str = "",
    days: int | None = None,
) -> tuple[ServiceAccount, str]:
    """An admin makes an integration identity with `scopes` (narrowed to `units`, none: the
    whole organisation) and its first token; answers the account and the token's key (shown
    once). Its user has no Person and no usable password: it cannot sign in to the pages."""
    _require_admin(actor)
    name = (name or "").strip()
    account = ServiceAccount(
        name=name,
        description=(description or "").strip(),
        scopes=sorted(set(scopes or [])),
        created_by=getattr(actor, "user", actor),
    )
    account.full_clean(exclude=["user"])
    User = get_user_model()
    user = User(username=_service_username(name))
    user.set_unusable_password()
    user.save()
    account.user = user
    account.save()
    account.units.set(units)
    _token, key = tokens.create_service_token(account=account, name=name, days=days)
    return account, key


@transaction.atomic
def update_service_account(
    *, actor, account: ServiceAccount, scopes=None, units=None, description=None
) -> ServiceAccount:
    _require_admin(actor)
    if account.revoked_at is not None:
        raise ValidationError({"account": _("This service account is revoked.")})
    if scopes is not None:
        account.scopes = sorted(set(scopes))
    if description is not None:
        account.description = description.strip()
    account.full_clean(exclude=["user"])
    account.save()
    if units is not None:
        account.units.set(units)
    return account


@transaction.atomic
def issue_service_token(
    *, actor, account: ServiceAccount, name: str = "", days: int | None = None
) -> tuple[object, str]:
    """A further token for the account (to rotate: issue one, switch, revoke the old)."""
    _require_admin(actor)
    return tokens.create_service_token(account=account, name=name, days=days)


@transaction.atomic
def revoke_service_account(*, actor, account: ServiceAccount) -> ServiceAccount:
    """Ends the account and every token of it at once; its history stays."""
    _require_admin(actor)
    if account.revoked_at is None:
        account.revoked_at = timezone.now()
        account.save(update_fields=["revoked_at"])
        account.user.is_active = False
        account.user.save(update_fields=["is_active"])
        tokens.revoke_all(user=account.user)
    return account
