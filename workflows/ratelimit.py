"""Counting calls per key in a fixed window, atomically, in Django's cache (Redis in production).

One counter for every limit and tally the project keeps (the grant check's rate and statistics, the /verify/
page): an atomic increment, never a read and a write back, so concurrent requests cannot slip past a limit.
"""

from __future__ import annotations

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache


def count_up(key: str, timeout: int) -> int:
    """Add one to a cache counter, creating it with `timeout`; atomic. Returns the count.

    On Redis one round trip: INCR and EXPIRE NX in a pipeline (Django's incr() asks EXISTS first,
    and add() is another trip). Elsewhere (locmem: under its lock) incr, or add when missing.
    """
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
        pipeline.incr(full_key)
        pipeline.expire(full_key, timeout, nx=True)
        return int(pipeline.execute()[0])
    try:
        return backend.incr(key)
    except ValueError:  # not there yet (or expired): exactly one caller's add creates it
        if backend.add(key, 1, timeout):
            return 1
        return backend.incr(key)


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one call under `key`; False once more than `limit` calls fell in the current window."""
    return count_up(f"ratelimit:{key}", window_seconds) <= limit
