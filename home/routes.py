"""Wagtail's routing, remembered: the site and the page a URL leads to, kept per
worker thread for as long as the site's content version (core.page_cache.CONTENT)
stays the same, and a minute at most.

Routing a URL costs Wagtail four queries (the site, then each page on the way,
made specific) and their compiling, about 11 ms of CPU: more than the rest of a
page whose menu comes from the cache. Every save, publication, move or privacy
change of a page bumps the content version (home.cache), so a remembered route
is never used after the change it does not know of. The version is read before
the page is (as the page cache does): a page read after a change is at worst
kept under the version before it, which no request reads any more.

Only pages that opt in are kept (`ServedPage`): they also keep what they read for
every request (their view restrictions, and what `prefetch_for_serving` adds), so
a page served from here costs no query at all. Kept per thread, not shared between
threads: a request may set attributes on its page (prefetches), never under
another request's feet.
"""

import threading
from collections import OrderedDict
from time import monotonic

from django.utils import translation
from wagtail import views as wagtail_views
from wagtail.models import Page, Site

from core import page_cache

from .models.served import ServedPage

KEPT_ROUTES = 256  # per thread: every page in every language, several times over
# A route is also forgotten after this long: a bump the cache lost (Redis errors are
# ignored, and so is a change made without the ORM's signals) is then at worst a
# minute stale, not until the worker restarts.
KEPT_SECONDS = 60


_threads = threading.local()


def _routes():
    routes = getattr(_threads, "routes", None)
    if routes is None:
        routes = _threads.routes = OrderedDict()
    return routes


def _remember(request, path):
    site = Site.find_for_request(request)
    found = Page.route_for_request(request, path)
    if site is None or found is None:
        return None
    page, args, kwargs = found
    if not isinstance(page, ServedPage) or args or kwargs:
        return None
    # An evaluated query set: iterating it (Wagtail's check) reads nothing again,
    # and the admin's privacy views, which chain on it, never get this instance.
    restrictions = Page.get_view_restrictions(page)
    len(restrictions)
    page.__dict__["_remembered_view_restrictions"] = restrictions
    page.prefetch_for_serving()
    return site, found


class RouteCacheMiddleware:
    """Hands Wagtail's serve view the site and route remembered for this URL
    (Wagtail reads them from the request: `_wagtail_site`, `_wagtail_route_for_request`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is not wagtail_views.serve or request.method not in ("GET", "HEAD"):
            return None
        path = view_args[0] if view_args else view_kwargs.get("path", "")
        content = page_cache.depends_on(request, page_cache.CONTENT)[page_cache.CONTENT]
        if content is None:  # the cache cannot tell: route as Wagtail does
            return None
        # Wagtail finds the site by host name and port (SERVER_PORT or X-Forwarded-Port).
        key = (content, translation.get_language(), request.scheme, request.get_host(), request.get_port(), path)
        routes = _routes()
        now = monotonic()
        remembered = routes.get(key)
        if remembered is None or remembered[0] < now:
            found = _remember(request, path)
            if found is None:
                routes.pop(key, None)
                return None
            remembered = routes[key] = (now + KEPT_SECONDS, *found)
            if len(routes) > KEPT_ROUTES:
                routes.popitem(last=False)
        routes.move_to_end(key)
        _expires, request._wagtail_site, request._wagtail_route_for_request = remembered
        return None
