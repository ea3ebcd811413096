"""A Redis cache that a stopped Redis cannot take pages down with.

Django's RedisCache raises when Redis does not answer; every page that reads the cache (search
results, the API's throttles) would then fail. This one treats an unreachable Redis as an empty
cache: reads miss, writes are dropped, a WARNING is logged once per outage, and for a few
seconds after a failure Redis is not asked at all (each attempt may cost the socket timeout).
While it is down the API's rate limits are not enforced.
"""

from __future__ import annotations

import logging
import time

import redis.exceptions
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

UNREACHABLE = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class ResilientRedisCache(RedisCache):
    # Seconds during which a cache that just failed is not asked again.
    retry_after = 5.0

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _call(self, name, fallback, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return fallback() if callable(fallback) else fallback
        try:
            result = getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as exc:
            if not self._down_until:
                logger.warning("cache unavailable, serving without it: %s", exc)
            self._down_until = time.monotonic() + self.retry_after
            return fallback() if callable(fallback) else fallback
        if self._down_until:
            logger.warning("cache available again")
            self._down_until = 0.0
        return result

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", dict, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (cache unavailable)")

        return self._call("incr", missing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", lambda: list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)
