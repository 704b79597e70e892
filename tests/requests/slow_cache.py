"""A memory cache whose every call takes a network round trip's time, as Redis's does.

The pause (outside the cache's lock) lets other threads run between a read and a write, so a
throttle that reads a count and writes it back loses updates under concurrency, as it did on Redis
in production; an atomic increment does not.
"""

import time

from django.core.cache.backends.locmem import LocMemCache

ROUND_TRIP = 0.003


class SlowLocMemCache(LocMemCache):
    def get(self, *args, **kwargs):
        time.sleep(ROUND_TRIP)
        return super().get(*args, **kwargs)

    def set(self, *args, **kwargs):
        time.sleep(ROUND_TRIP)
        return super().set(*args, **kwargs)

    def add(self, *args, **kwargs):
        time.sleep(ROUND_TRIP)
        return super().add(*args, **kwargs)

    def incr(self, *args, **kwargs):
        time.sleep(ROUND_TRIP)
        return super().incr(*args, **kwargs)
