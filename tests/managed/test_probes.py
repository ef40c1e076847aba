"""/readyz keeps a node in rotation when only Redis is down; /metrics answers
only to allowed networks or with the bearer token."""

import pytest
from django.test import override_settings

REDIS_DOWN = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {
            "CLIENT_CLASS": "django_redis.client.DefaultClient",
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
}


@pytest.mark.django_db
def test_readyz_reports_redis_down_as_degraded_not_unready(client):
    assert client.get("/readyz").json() == {"ready": True, "database": "ok", "cache": "ok"}
    with override_settings(CACHES=REDIS_DOWN):
        response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["ready"] is True and body["database"] == "ok" and body["degraded"] == ["cache"]
    assert body["cache"].startswith("error")


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.1.2.3", "172.18.0.5", "192.168.1.20", "fd00::5"])
def test_metrics_answer_the_default_internal_networks(client, address):
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 200 and b"ocpizza_orders_today" in response.content


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["203.0.113.9", "2001:db8::1", "8.8.8.8", "", "not-an-address"])
def test_metrics_refuse_other_addresses(client, address):
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == 403 and b"ocpizza" not in response.content


@pytest.mark.django_db
def test_metrics_forwarded_headers_do_not_count(client):
    """Only the connecting peer counts: a forged X-Forwarded-For or X-Real-IP is ignored."""
    response = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="127.0.0.1", HTTP_X_REAL_IP="10.0.0.1"
    )
    assert response.status_code == 403


@pytest.mark.django_db
@override_settings(METRICS_TOKEN="s3cret-token", METRICS_ALLOWED_NETWORKS=["10.0.0.0/8"])
def test_metrics_with_the_bearer_token_from_anywhere(client):
    assert (
        client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    )
    for wrong in ("Bearer wrong", "Bearer ", "s3cret-token", "Bearer s3cret-token\x00", "Bearer " + "x" * 10_000):
        assert client.get("/metrics", REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION=wrong).status_code == 403, wrong
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403  # the list is the configured one
    assert client.get("/metrics", REMOTE_ADDR="10.9.8.7").status_code == 200


@pytest.mark.django_db
@override_settings(METRICS_TOKEN="", METRICS_ALLOWED_NETWORKS=[])
def test_metrics_closed_when_nothing_is_allowed(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_AUTHORIZATION="Bearer ").status_code == 403
