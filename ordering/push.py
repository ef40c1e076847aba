"""Board versions pushed to open kitchen boards: each bump of a restaurant's
version (ordering.board_version, bumped by ordering.receivers on the signals of
ordering.signals, after the commit of any order or stock change) is published on a
Redis pub/sub channel; the board stream process (ordering.staff.stream) relays
it to the restaurant's open boards as a Server-Sent Event whose id is the version.

Redis pub/sub channels are shared by every database of a server, so a channel's
name carries the cache's key prefix and the database number."""

import logging

from django.conf import settings
from django.core.cache import cache
from django_redis import get_redis_connection
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "board-events:"


def _database():
    return get_redis_connection("default").connection_pool.connection_kwargs.get("db", 0)


def channel_pattern():
    """The pattern of every restaurant's channel (one subscription per stream process)."""
    return f"{cache.make_key(CHANNEL_PREFIX)}@{_database()}:*"


def channel(restaurant_id):
    return f"{cache.make_key(CHANNEL_PREFIX)}@{_database()}:{restaurant_id}"


def restaurant_of(channel_name):
    """The restaurant id a channel's name ends with."""
    return int(channel_name.rsplit(":", 1)[1])


def enabled():
    """Push needs Redis (without REDIS_URL, local development polls)."""
    return bool(getattr(settings, "REDIS_URL", None))


def publish(restaurant_id, version):
    """Tells the restaurant's open boards that its version is now `version`.
    Never fails the caller: boards also poll slowly, and resynchronise on reconnection."""
    if not enabled() or version is None:
        return
    try:
        get_redis_connection("default").publish(channel(restaurant_id), str(version))
    except RedisError:
        logger.warning("board version %s of restaurant %s not pushed", version, restaurant_id, exc_info=True)
