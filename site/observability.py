"""Health checks, JSON logs and Prometheus metrics for operations.

/healthz: the process answers (container liveness).
/readyz: PostgreSQL answers (readiness; 503 when it does not). Redis down is
reported as degraded with a 200: the site works without it by design, so a
node is never taken out of rotation for it.
/metrics: request counts and latencies, orders by status; answered only to
METRICS_ALLOWED_NETWORKS or with the METRICS_TOKEN bearer token (and nginx
only lets internal addresses reach it).
Errors: init_error_reporting() starts Sentry's SDK (production settings).
"""

import hmac
import ipaddress
import json
import logging
import os
import time
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone
from django_redis import get_redis_connection
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

REQUESTS = Counter("ocpizza_http_requests_total", "HTTP requests", ["method", "view", "status"])
LATENCY = Histogram(
    "ocpizza_http_request_duration_seconds",
    "HTTP request duration",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def readyz(request):
    checks = {"database": _check(_database), "cache": _check(_redis) if settings.REDIS_URL else "not configured"}
    ready = checks["database"] == "ok"
    answer = {"ready": ready, **checks}
    if checks["cache"].startswith("error"):
        answer["degraded"] = ["cache"]  # slower (no cache), still serving: stays in rotation
    return JsonResponse(answer, status=200 if ready else 503)


def _check(probe):
    try:
        probe()
        return "ok"
    except Exception as error:  # the answer names what is wrong
        return f"error: {type(error).__name__}"


def _database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis():
    get_redis_connection("default").ping()


@lru_cache(maxsize=8)
def _networks(allowed):
    return tuple(ipaddress.ip_network(network, strict=False) for network in allowed)


def metrics_allowed(request):
    """The connecting peer is in METRICS_ALLOWED_NETWORKS (REMOTE_ADDR: behind
    nginx it is nginx, which answers /metrics only to internal addresses), or
    the request carries the METRICS_TOKEN bearer token."""
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        return True
    try:
        peer = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    if peer.version == 6 and peer.ipv4_mapped:
        peer = peer.ipv4_mapped
    return any(peer in network for network in _networks(tuple(settings.METRICS_ALLOWED_NETWORKS)))


def metrics(request):
    if not metrics_allowed(request):
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    # Local: settings import this module before the app registry is ready, when no model can be imported.
    from ordering.models import Order

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # sums every gunicorn worker
    else:
        registry = REGISTRY
    # Orders are counted from the database at each scrape, so every worker agrees.
    orders = CollectorRegistry()
    gauge = Gauge(
        "ocpizza_orders_today", "Today's orders by restaurant and status", ["restaurant", "status"], registry=orders
    )
    rows = Order.objects.filter(day=timezone.localdate()).values("restaurant__slug", "status").annotate(n=Count("pk"))
    for row in rows:
        gauge.labels(row["restaurant__slug"], row["status"]).set(row["n"])
    return HttpResponse(generate_latest(registry) + generate_latest(orders), content_type=CONTENT_TYPE_LATEST)


class ProbesMiddleware:
    """Answers the probes before host validation and redirects: Docker, nginx
    and Prometheus call them by container name or IP. The web container is not
    published; nginx lets only internal addresses reach /metrics."""

    PROBES = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = self.PROBES.get(request.path_info)
        return probe(request) if probe else self.get_response(request)


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        try:
            view = resolve(request.path_info).view_name or "other"
        except Resolver404:
            view = "not_found"
        if view.startswith("wagtail_serve"):
            view = "page"
        LATENCY.labels(view).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, view, str(response.status_code)).inc()
        return response


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for `docker compose logs` and log shippers."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["path"] = request.path
        if getattr(record, "status_code", None):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def init_error_reporting(dsn, environment="production", release=None):
    """Sentry's SDK (or a compatible service): unhandled errors and ERROR log
    records, with the request's path and headers but no personal data: no
    cookies, IP address or user (send_default_pii), no request bodies (the
    checkout form holds customers' names, phones and addresses)."""
    import sentry_sdk  # local: only sites that report errors load the SDK

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0,
    )
