"""Who made a change: the actor of a service call, recorded on every history row it writes.

django-simple-history takes the user of a history row from the instance's `_history_user`, or
else from the request `HistoryRequestMiddleware` saw (browser sessions, and API calls: DRF sets
the token's user on the underlying request when it authenticates). Services also run without
a request, from Celery tasks, management commands, admin actions and the demo seeding, but
they always know their actor. Two pieces connect the two:

- `records_actor` decorates a service that takes its actor as a keyword argument: every
  history row written during the call (by `save()`, `delete()`, or simple-history's
  `bulk_create_with_history` / `bulk_update_with_history` without a `default_user`) names
  that actor. An explicit actor wins over the request; nested services each record their own.
- `history_user` is the `get_user` of every audited model's `HistoricalRecords`.

    history = HistoricalRecords(get_user=history_user, excluded_fields=[...])

    @records_actor
    @transaction.atomic
    def approve_award(*, actor: Person, award: Award) -> Award: ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.contrib.auth import get_user_model

F = TypeVar("F", bound=Callable[..., Any])

_actor_user: ContextVar[Any] = ContextVar("keel_history_actor", default=None)


def _user_of(actor) -> Any:
    """The auth user behind a Person (or a user given directly), without a query."""
    if actor is None:
        return None
    if isinstance(actor, get_user_model()):
        return actor
    user_field = type(actor)._meta.get_field("user")
    if user_field.is_cached(actor):
        return actor.user
    return get_user_model()(pk=actor.user_id)


@contextmanager
def acting_as(actor) -> Iterator[None]:
    """Within the block, history rows name `actor` (a Person or a user). `None` leaves the
    surrounding actor (or the request's user) in place: a periodic task has no actor."""
    if actor is None:
        yield
        return
    token = _actor_user.set(_user_of(actor))
    try:
        yield
    finally:
        _actor_user.reset(token)


def records_actor(func: F | None = None, *, param: str = "actor") -> F:
    """Decorate a service so the history rows it writes name its `param` keyword argument
    (`actor` unless the service calls it otherwise, e.g. `requester`)."""

    def decorate(service: F) -> F:
        @functools.wraps(service)
        def wrapper(*args, **kwargs):
            with acting_as(kwargs.get(param)):
                return service(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate  # type: ignore[return-value]


def history_user(instance=None, request=None, **kwargs):
    """`HistoricalRecords(get_user=...)`: the service's actor, else the request's user."""
    user = _actor_user.get()
    if user is not None:
        return user
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None
