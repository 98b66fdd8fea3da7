"""Redis that is down must not take pages down with it.

`FailSoftRedisCache` is Django's RedisCache with short socket timeouts where a connection error
or timeout counts as a miss (reads answer the default, writes are dropped). The cache only
holds what can be recomputed (API throttle counters, nothing else today), so a Redis outage
costs speed, never correctness; the price is that throttles do not count while it lasts.

`Outage` is the small breaker both the cache and the task publisher (core/queue.py) use:
after a failure the service is skipped for a few seconds instead of waiting for a timeout on
every call, and the outage is logged once, not once per request."""

from __future__ import annotations

import logging
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

SOCKET_TIMEOUT = 0.5  # seconds; a local or same-zone Redis answers in well under a millisecond
COOLDOWN = 15.0  # seconds a failed service is skipped before it is tried again


class Outage:
    """Per process and service name: `active(name)` while a recent failure's cooldown runs."""

    _until: dict[str, float] = {}
    _lock = threading.Lock()

    @classmethod
    def active(cls, name: str) -> bool:
        return cls._until.get(name, 0.0) > time.monotonic()

    @classmethod
    def trip(cls, name: str, exc: BaseException, *, what: str) -> None:
        with cls._lock:
            first = not cls.active(name)
            cls._until[name] = time.monotonic() + COOLDOWN
        if first:
            logger.warning(
                "%s unreachable (%s: %s); skipped for %ss", what, type(exc).__name__, exc, COOLDOWN
            )

    @classmethod
    def reset(cls) -> None:
        with cls._lock:
            cls._until.clear()


FAILURES = (redis.ConnectionError, redis.TimeoutError)


class FailSoftRedisCache(RedisCache):
    def __init__(self, server, params):
        options = {
            "socket_connect_timeout": SOCKET_TIMEOUT,
            "socket_timeout": SOCKET_TIMEOUT,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._outage_name = f"cache:{server}"

    def _soft(self, fallback, method, *args, **kwargs):
        if Outage.active(self._outage_name):
            return fallback
        try:
            return method(*args, **kwargs)
        except FAILURES as exc:
            Outage.trip(self._outage_name, exc, what="Cache (Redis)")
            return fallback

    def get(self, key, default=None, version=None):
        return self._soft(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._soft({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._soft(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._soft(None, super().delete_many, keys, version)

    def clear(self):
        return self._soft(False, super().clear)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._soft(missing, super().incr, key, delta, version)
        if value is missing:  # as for a key that is not there
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return value
