"""The tests run against the real PostgreSQL and Redis, as production does."""

import uuid
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.db import connection
from django_redis import get_redis_connection


def test_database_is_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 13


def test_cache_is_redis():
    key = f"probe-{uuid.uuid4()}"
    cache.set(key, {"pizza": "reine"}, 30)
    assert cache.get(key) == {"pizza": "reine"}
    raw = get_redis_connection("default")
    assert raw.ping()
    assert raw.exists(cache.make_key(key))  # the value really sits in Redis
    cache.delete(key)


def test_sessions_are_stored_in_redis_and_kept_in_the_database(db):
    from django.contrib.sessions.models import Session

    engine = import_module(settings.SESSION_ENGINE)
    session: SessionBase = engine.SessionStore()
    session["cart"] = {"restaurant": 1}
    session.save()
    raw = get_redis_connection("default")
    assert any(raw.scan_iter(match=f"*{session.session_key}*"))
    assert engine.SessionStore(session_key=session.session_key)["cart"] == {"restaurant": 1}
    assert Session.objects.filter(session_key=session.session_key).exists()  # survives a Redis outage
    session.delete()
