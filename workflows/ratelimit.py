"""Counting requests per key in a fixed window, atomically, in Django's cache (Redis in production).

`cache.add` creates the counter with its expiry only if it is absent and `cache.incr` increments it in one
step (Redis INCR; a lock in the local-memory cache), so concurrent requests never read and write a stale
count: at most `limit` calls in a window get through, whatever the concurrency.
"""

from __future__ import annotations

from django.core.cache import cache


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one call under `key`; False once more than `limit` calls fell in the current window."""
    cache_key = f"ratelimit:{key}"
    if cache.add(cache_key, 1, timeout=window_seconds):
        return limit >= 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr: this call opens a new window
        cache.add(cache_key, 1, timeout=window_seconds)
        return limit >= 1
    return count <= limit
