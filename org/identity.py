"""The signed-in viewer, remembered across requests.

Every signed-in request needs the person behind the user and, for the navigation and most
scopes, their roles (admin, unit head, manager, HRBP) and the paths of the units they head or
partner: four or five queries before any work. With a shared cache (Redis, `KEEL_VIEWER_CACHE`,
on whenever `REDIS_URL` is set) these are kept per user under the organisation's *version*, a
stamp changed by every write to a unit, person, HRBP assignment or user (and again when that
write's transaction commits, so a request that read the old rows in between cannot keep them).
A changed organisation is therefore seen on the next request by every process; nothing waits
for a timeout. Without a shared cache (the embedded default, a per-process memory cache that
other processes' writes cannot reach) every request reads the database, as before.

The user row is kept in the same entry, so a signed-in request reads the session, the stamp
and the entry from Redis and no row from the database (`session_user`, installed as
`org.middleware.SessionUserMiddleware` in place of Django's AuthenticationMiddleware, checks the
session against it as Django checks it against the database row). Redis therefore holds the
users' password hashes, as the database does: it must be as private as the database.

Only small, bounded values are kept (the person row with its unit, booleans, a few paths). The
people a manager manages are kept as their `ManagedScope` (the subtrees they head, directly or
through the people they manage, and the few managed from outside those: a head of 10,000 in
one tree is one path), not as a list of ids, and only while it stays small (`SCOPE_LIMIT`)."""

from __future__ import annotations

import copy
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save

from org.models import HRBPAssignment, Person, Unit
from org.scopes import Viewer, person_of

ROLE_FIELDS = (
    "is_admin",
    "_headed",
    "is_manager",
    "hrbp_unit_ids",
    "hrbp_paths",
    "managed_scope",
)
SCOPE_LIMIT = 1000  # paths and ids; a scope beyond it (a company run on direct reports only) is
# recomputed per request rather than carried around
TTL = 3600  # seconds; a stamp that never changes still lets entries go after an hour


def _scope() -> str:
    """Keys name the database, so databases sharing one Redis (test workers, staging beside
    production) never read each other's people."""
    return f"keel:{connection.settings_dict['NAME']}"


def _version_key() -> str:
    return f"{_scope()}:org-version"


def enabled() -> bool:
    return bool(getattr(settings, "KEEL_VIEWER_CACHE", False))


def org_version() -> int | None:
    """The current stamp (set when missing); None when the cache cannot answer."""
    key = _version_key()
    version = cache.get(key)
    if version is None:
        cache.add(key, time.time_ns(), None)
        version = cache.get(key)
    return version


def bump_org_version() -> None:
    """A new stamp now and another when the current transaction commits."""
    if not enabled():
        return
    key = _version_key()
    cache.set(key, time.time_ns(), None)
    transaction.on_commit(lambda: cache.set(key, time.time_ns(), None))


def _key(user_id: int) -> str:
    return f"{_scope()}:viewer:{user_id}"


def _read(user_id, prefetched=None) -> tuple[int | None, dict | None]:
    """The current stamp and this user's entry when it was made under it (one round trip;
    none when `prefetched` holds what the sign-in read)."""
    version_key, key = _version_key(), _key(user_id)
    found = prefetched if prefetched is not None else cache.get_many([version_key, key])
    version = found.get(version_key)
    entry = found.get(key)
    if version is None or entry is None or entry.get("version") != version:
        entry = None
    return version, entry


def viewer_for(user, prefetched: dict | None = None) -> Viewer:
    """The Viewer for an authenticated (or anonymous) user, from the cache when it holds one
    for the current stamp. The stamp and the entry (which names the stamp it was made under)
    are read in one round trip, or taken from `prefetched` (what `session_user` read)."""
    if not enabled() or user is None or not user.is_authenticated:
        return Viewer(person_of(user))
    version, snapshot = _read(user.pk, prefetched)
    if version is None:
        version = org_version()  # set when missing
        if version is None:  # the cache is down: read the database
            return Viewer(person_of(user))
    key = _key(user.pk)
    if snapshot is None:
        person = Person.objects.select_related("unit").filter(user=user).first()
        viewer = Viewer(person)
        viewer._identity = (key, version, None)
    else:
        person = snapshot["person"]
        viewer = Viewer(person)
        viewer.__dict__.update(snapshot["roles"])
        known = frozenset(snapshot["roles"]) | ({"user"} if "user" in snapshot else set())
        viewer._identity = (key, version, known)
    user = getattr(user, "_wrapped", user)  # request.user is a lazy object
    viewer._user = user
    if person is not None:
        person.user = user
        Person.user.field.remote_field.set_cached_value(user, person)
    return viewer


def session_user(request):
    """`request.user` from the session, as `django.contrib.auth.get_user` finds it, with the
    user row taken from the viewer's entry when it is current (a signed-in request then reads
    no row at all): for sessions of the model backend, checked as Django checks them (the user
    may sign in, the session's password hash matches, or a fallback secret's does and the
    session moves to the current one; otherwise the session ends). What was read is kept on
    the request for `viewer_for`. Any other case is Django's own `get_user`."""
    from django.contrib import auth
    from django.contrib.auth.backends import ModelBackend
    from django.contrib.auth.models import AnonymousUser
    from django.utils.crypto import constant_time_compare

    if not enabled():
        return auth.get_user(request)
    session = request.session
    try:
        user_id = get_user_model()._meta.pk.to_python(session[auth.SESSION_KEY])
        backend_path = session[auth.BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return auth.get_user(request)
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return auth.get_user(request)
    backend = auth.load_backend(backend_path)
    if type(backend).get_user is not ModelBackend.get_user:
        return auth.get_user(request)
    found = cache.get_many([_version_key(), _key(user_id)])
    request._keel_identity = found
    _version, entry = _read(user_id, found)
    user = entry.get("user") if entry is not None else None
    if user is None:
        return auth.get_user(request)
    user = copy.copy(user)
    if not backend.user_can_authenticate(user):
        return AnonymousUser()
    session_hash = session.get(auth.HASH_SESSION_KEY)
    current = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, current):
        return user
    if session_hash and any(
        constant_time_compare(session_hash, fallback)
        for fallback in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[auth.HASH_SESSION_KEY] = current
        return user
    session.flush()
    return AnonymousUser()


def remember(viewer: Viewer) -> None:
    """Keep what this request learnt about its viewer (after the response, once), under the
    stamp its rows were read at: a change since makes the entry stale for the next reader."""
    key, version, known = getattr(viewer, "_identity", (None, None, None))
    if key is None:
        return
    roles = {name: viewer.__dict__[name] for name in ROLE_FIELDS if name in viewer.__dict__}
    scope = roles.get("managed_scope")
    if scope is not None and len(scope.paths) + len(scope.extra) > SCOPE_LIMIT:
        del roles["managed_scope"]
    user = getattr(viewer, "_user", None)
    if not isinstance(user, get_user_model()):
        user = None
    if known is not None and known >= set(roles) | ({"user"} if user else set()):
        return
    person = viewer.person
    if person is not None:
        person = copy.copy(person)
        person._state = copy.copy(person._state)
        person._state.fields_cache = {
            name: value for name, value in person._state.fields_cache.items() if name != "user"
        }
    entry = {"version": version, "person": person, "roles": roles}
    if user is not None:
        # The row only: no related objects or permission caches of this request.
        user = copy.copy(user)
        user._state = copy.copy(user._state)
        user._state.fields_cache = {}
        for name in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
            user.__dict__.pop(name, None)
        entry["user"] = user
    cache.set(key, entry, TTL)


def _changed(sender, update_fields=None, **kwargs) -> None:
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in, not a change of the organisation
    bump_org_version()


def connect() -> None:
    """Every write to the rows a viewer is computed from changes the stamp (OrgConfig.ready)."""
    for model in (Unit, Person, HRBPAssignment, get_user_model()):
        uid = f"keel-org-version-{model._meta.label_lower}"
        post_save.connect(_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"{uid}-delete")
