"""Counting calls per key in a fixed window, atomically, in Django's cache (Redis in production).

One counter for every limit and tally the project keeps (the grant check's rate and statistics, the /verify/
page): an atomic increment, never a read and a write back, so concurrent requests cannot slip past a limit.
"""

from __future__ import annotations

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache


def count_up(key: str, timeout: int, *, by: int = 1) -> int:
    """Add one (or `by`) to a cache counter, creating it with `timeout`; atomic. Returns the count.

    On Redis one round trip: INCR and EXPIRE NX in a pipeline (Django's incr() asks EXISTS first,
    and add() is another trip). Elsewhere (locmem: under its lock) incr, or add when missing.
    """
    backend = caches[DEFAULT_CACHE_ALIAS]
    if isinstance(backend, RedisCache):
        full_key = backend.make_and_validate_key(key)
        pipeline = backend._cache.get_client(full_key, write=True).pipeline(transaction=False)
        pipeline.incr(full_key, by)
        pipeline.expire(full_key, timeout, nx=True)
        return int(pipeline.execute()[0])
    try:
        return backend.incr(key, by)
    except ValueError:  # not there yet (or expired): exactly one caller's add creates it
        if backend.add(key, by, timeout):
            return by
        return backend.incr(key, by)


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one call under `key`; False once more than `limit` calls fell in the current window."""
    return count_up(f"ratelimit:{key}", window_seconds) <= limit


class Batch:
    """Several cache reads and counts sent together: on Redis one round trip (a pipeline), elsewhere one by one.

    A hot path that needs a few counters and a stamp pays one network round trip instead of one each:
    queue them with `get` and `count_up` (each returns its position), then `run()` gives the values.
    Values read are integers (counters and stamps); a missing key reads as None.
    """

    def __init__(self) -> None:
        self._ops: list[tuple[str, str, int]] = []

    def get(self, key: str) -> int:
        self._ops.append(("get", key, 0))
        return len(self._ops) - 1

    def count_up(self, key: str, timeout: int) -> int:
        self._ops.append(("count", key, timeout))
        return len(self._ops) - 1

    def run(self) -> list[int | None]:
        backend = caches[DEFAULT_CACHE_ALIAS]
        if not isinstance(backend, RedisCache):
            return [backend.get(key) if op == "get" else count_up(key, timeout) for op, key, timeout in self._ops]
        keys = [backend.make_and_validate_key(key) for _, key, _ in self._ops]
        pipeline = backend._cache.get_client(keys[0] if keys else None, write=True).pipeline(transaction=False)
        for (op, _, timeout), key in zip(self._ops, keys, strict=True):
            if op == "get":
                pipeline.get(key)
            else:
                pipeline.incr(key)
                pipeline.expire(key, timeout, nx=True)
        replies = iter(pipeline.execute())
        values: list[int | None] = []
        for op, _, _ in self._ops:
            reply = next(replies)
            if op == "count":
                next(replies)  # EXPIRE's answer
            values.append(None if reply is None else int(reply))
        return values
