"""The shared cache (PERF-1): Django's Redis cache, made safe to share a Redis database with Celery.

Two differences from ``django.core.cache.backends.redis.RedisCache``, both because the cache lives
next to the broker's queues (settings.py puts it on the broker's Redis when CACHE_URL is unset):

- ``clear()`` deletes this cache's keys (its KEY_PREFIX), not the whole Redis database: Django's
  clears with FLUSHDB, which would also drop the broker's queued and unacknowledged messages.
- Redis out of reach is a miss, not an error, for reads and writes that only save work: a read
  answers "not cached" (the sessions fall back to the database, a throttle counts from zero) and
  a write is skipped with a warning. Today's pages then keep working through a Redis outage, as
  they did with the per-process cache. Deletes are not softened: a sign-out whose cached session
  could not be removed must fail loudly rather than leave the session alive in the cache.
"""
from __future__ import annotations

import logging

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_UNREACHABLE = (RedisConnectionError, RedisTimeoutError)


class RedisCache(DjangoRedisCache):
    def _unreachable(self, operation: str, exc: Exception) -> None:
        logger.warning("cache %s skipped: Redis unreachable (%s)", operation, exc)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except _UNREACHABLE as exc:
            self._unreachable("get", exc)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except _UNREACHABLE as exc:
            self._unreachable("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except _UNREACHABLE as exc:
            self._unreachable("has_key", exc)
            return False

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            super().set(key, value, timeout, version)
        except _UNREACHABLE as exc:
            self._unreachable("set", exc)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except _UNREACHABLE as exc:
            self._unreachable("add", exc)
            return False

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except _UNREACHABLE as exc:
            self._unreachable("set_many", exc)
            return list(data)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except _UNREACHABLE as exc:
            self._unreachable("touch", exc)
            return False

    def clear(self):
        """Delete the keys of this cache only (see the module's docstring), in batches."""
        client = self._cache.get_client(None, write=True)
        # Django's keys are "<KEY_PREFIX>:<version>:<key>"; the prefix is escaped for the glob.
        prefix = "".join("\\" + c if c in "*?[]\\" else c for c in self.key_prefix)
        pattern = prefix + ":*"
        batch = []
        for key in client.scan_iter(match=pattern, count=1000):
            batch.append(key)
            if len(batch) >= 1000:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True
