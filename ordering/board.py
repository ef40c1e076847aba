"""A version number per restaurant, in Redis, bumped whenever one of its orders
changes. Open boards poll it twice a second: an unchanged version is answered
from one Redis read, without reading any order."""

from django.core.cache import cache

from . import push


def _key(restaurant_id):
    return f"board-version:{restaurant_id}"


def bump(restaurant_id):
    key = _key(restaurant_id)
    try:
        cache.add(key, 0, timeout=None)
        current = cache.incr(key)
    except ValueError:  # the key vanished between add and incr (eviction): start again
        cache.set(key, 1, timeout=None)
        current = 1
    push.publish(restaurant_id, current)


def version(restaurant_id):
    """The current version, or None when the cache cannot tell (then boards refresh)."""
    key = _key(restaurant_id)
    value = cache.get(key)
    if value is None:
        cache.add(key, 0, timeout=None)
        value = cache.get(key)
    return value
