"""A version number per restaurant, in Redis, bumped whenever one of its orders
or stocks changes (ordering.receivers, on the signals of ordering.signals).
Each new version is pushed to the open kitchen boards (ordering.receivers
publishes it, ordering.push; the board stream relays it); boards without the
stream, and the delivery screen, poll it: an unchanged version is answered from
one Redis read, without reading any order."""

from django.core.cache import cache


def _key(restaurant_id):
    return f"board-version:{restaurant_id}"


def bump(restaurant_id):
    """Returns the new version (None when the cache cannot tell)."""
    key = _key(restaurant_id)
    try:
        cache.add(key, 0, timeout=None)
        current = cache.incr(key)
    except ValueError:  # the key vanished between add and incr (eviction): start again
        cache.set(key, 1, timeout=None)
        current = 1
    return current


def current(restaurant_id):
    """The current version, or None when the cache cannot tell (then boards refresh)."""
    key = _key(restaurant_id)
    value = cache.get(key)
    if value is None:
        cache.add(key, 0, timeout=None)
        value = cache.get(key)
    return value
