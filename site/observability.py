"""Health checks, JSON logs and Prometheus metrics for operations.

/healthz: the process answers (container liveness).
/readyz: PostgreSQL and Redis answer (readiness; 503 says which one does not).
/metrics: request counts and latencies, orders by status (nginx only lets
internal addresses read it).
"""

import json
import logging
import os
import time

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import resolve
from django.urls.exceptions import Resolver404
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess

REQUESTS = Counter("ocpizza_http_requests_total", "HTTP requests", ["method", "view", "status"])
LATENCY = Histogram(
    "ocpizza_http_request_duration_seconds", "HTTP request duration", ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def readyz(request):
    checks = {"database": _check(_database), "cache": _check(_redis) if settings.REDIS_URL else "not configured"}
    ready = all(state in ("ok", "not configured") for state in checks.values())
    return JsonResponse({"ready": ready, **checks}, status=200 if ready else 503)


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
    from django_redis import get_redis_connection

    get_redis_connection("default").ping()


def metrics(request):
    from django.db.models import Count
    from django.utils import timezone

    from ordering.models import Order

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # sums every gunicorn worker
    else:
        registry = REGISTRY
    # Orders are counted from the database at each scrape, so every worker agrees.
    orders = CollectorRegistry()
    gauge = Gauge("ocpizza_orders_today", "Today's orders by restaurant and status", ["restaurant", "status"], registry=orders)
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
            "level": record.levelname, "logger": record.name, "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path"):
            entry["path"] = request.path
        if getattr(record, "status_code", None):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
