"""Counting calls per key in a fixed window, atomically, in Django's cache (Redis in production).

One counter for every limit and tally the project keeps (the grant check's rate and statistics, the /verify/
page): an atomic increment, never a read and a write back, so concurrent requests cannot slip past a limit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache

if TYPE_CHECKING:
    from redis import Redis
    from redis.commands.core import Script


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
    """Several cache reads and counts sent together: on Redis one command (a script), elsewhere one by one.

    A hot path that needs a few counters and a stamp pays one network round trip instead of one each:
    queue them with `get` and `count_up` (each returns its position), then `run()` gives the values.
    Values read are integers (counters and stamps); a missing key reads as None. On Redis the reads and
    counts run as one script (EVALSHA of `_BATCH_SCRIPT`): one command and one reply, where a pipeline sent
    two commands a counter and parsed a reply for each.
    """

    def __init__(self) -> None:
        self._ops: list[tuple[str, int]] = []  # (key, timeout): timeout 0 reads, above 0 counts up

    def get(self, key: str) -> int:
        self._ops.append((key, 0))
        return len(self._ops) - 1

    def count_up(self, key: str, timeout: int) -> int:
        assert timeout > 0
        self._ops.append((key, timeout))
        return len(self._ops) - 1

    def run(self) -> list[int | None]:
        backend = caches[DEFAULT_CACHE_ALIAS]
        if not isinstance(backend, RedisCache):
            return [backend.get(key) if not timeout else count_up(key, timeout) for key, timeout in self._ops]
        keys = [backend.make_and_validate_key(key) for key, _ in self._ops]
        client = backend._cache.get_client(keys[0] if keys else None, write=True)
        replies = _batch_script(client)(keys=keys, args=[timeout for _, timeout in self._ops], client=client)
        return [None if reply is None else int(reply) for reply in replies]


# KEYS: the keys; ARGV: for each, 0 to read it, or the expiry of a counter to add one to (INCR, EXPIRE NX:
# the expiry is set when the counter is made, as count_up does). A missing key reads as nil (Lua's false).
_BATCH_SCRIPT = """
local values = {}
for i, key in ipairs(KEYS) do
  local timeout = tonumber(ARGV[i])
  if timeout == 0 then
    values[i] = redis.call('GET', key)
  else
    values[i] = redis.call('INCR', key)
    redis.call('EXPIRE', key, timeout, 'NX')
  end
end
return values
"""
_script: Script | None = None


def _batch_script(client: Redis) -> Script:
    """The script (it knows its SHA1, and loads itself into a server that lacks it), made once per process."""
    global _script
    if _script is None:
        _script = client.register_script(_BATCH_SCRIPT)
    return _script
