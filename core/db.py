"""An optional read replica for the pages that summarise many rows.

With `DATABASE_REPLICA_URL` set, the views wrapped in `replica_reads` (company overview, OKR
board, timeline, exports, audit trail) read from the `replica` alias. Everything else, every
write and every read inside a transaction stays on the primary. A person who has just written
(any POST, PUT, PATCH or DELETE) reads from the primary for `KEEL_REPLICA_PIN_SECONDS`
(a cookie holding the moment the pin ends), so their own change never seems lost to replication
lag. Without a replica the alias is the primary under another name and nothing is routed."""

from __future__ import annotations

import functools
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import connections

REPLICA = "replica"
PIN_COOKIE = "keel_primary_until"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_replica_reads: ContextVar[bool] = ContextVar("keel_replica_reads", default=False)


def enabled() -> bool:
    return bool(getattr(settings, "KEEL_READ_REPLICA", False))


def pinned(request) -> bool:
    """The person wrote a moment ago: their reads stay on the primary."""
    try:
        until = float(request.COOKIES.get(PIN_COOKIE, "0"))
    except ValueError:
        return False
    return until > time.time()


def replica_reads(view):
    """Let a page's reads go to the replica (safe methods, not pinned, replica configured)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not enabled() or request.method not in SAFE_METHODS or pinned(request):
            return view(request, *args, **kwargs)
        token = _replica_reads.set(True)
        try:
            return view(request, *args, **kwargs)
        finally:
            _replica_reads.reset(token)

    return wrapper


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get() and enabled() and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"  # also for rows read from the replica

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the same data under two names

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class PinAfterWriteMiddleware:
    """After a write, the writer's reads stay on the primary for a few seconds."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if enabled() and request.method not in SAFE_METHODS:
            seconds = settings.KEEL_REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                f"{time.time() + seconds:.3f}",
                max_age=seconds,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
