"""Version counters in the cache (Redis in production): what a cached page or
fragment was made from. A change bumps its counter once committed; whatever
was stamped with the old value is then never served again.

A counter that Redis evicts (or loses in a restart) must never come back at a
value an old page carries: a missing counter starts again from the current time
in microseconds, not from 0. Counters only grow by one per change, so a counter
started earlier can never have caught up with one started now (that would take
a change every microsecond since it started).
"""

import time

from django.core.cache import cache
from django.db import transaction


def _key(name):
    return f"version:{name}"


def _seed():
    return time.time_ns() // 1000


def bump(name, timeout=None):
    """Returns the new value (None when the cache cannot tell). timeout: a counter
    for something short-lived may expire (it then starts again later than any old value)."""
    key = _key(name)
    try:
        cache.add(key, _seed(), timeout=timeout)
        return cache.incr(key)
    except ValueError:  # evicted between add and incr: start again, later than any old value
        value = _seed()
        cache.set(key, value, timeout=timeout)
        return value


def bump_on_commit(name):
    """Bumps now and once the current transaction commits (once, at once, outside
    one). The bump after the commit is the one that matters: a page rendered before
    the commit (with the old data, whichever value it read) is never served after
    it. The bump now makes the change seen at once by the transaction's own
    requests (and by tests, whose transactions never commit)."""
    bump(name)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: bump(name))


def current(name, timeout=None):
    return current_many([name], timeout)[name]


def current_many(names, timeout=None):
    """{name: value} in one round trip (two when a counter has to be started)."""
    names = list(names)
    keys = {_key(name): name for name in names}
    found = cache.get_many(list(keys))
    values = {keys[key]: value for key, value in found.items()}
    for name in names:
        if values.get(name) is None:
            cache.add(_key(name), _seed(), timeout=timeout)
            values[name] = cache.get(_key(name))
    return values
