"""The page cache: pages that anonymous visitors share (the home page, the
restaurants' menus, content pages), kept in the cache (Redis) and marked for
nginx's cache.

A page opts in while it is served (`share(request)`), after naming what it is
made from: version counters (core.versions; the site's content, each
restaurant's stock and orders) read *before* anything they cover, and the moment
it stops being true on its own (`valid_until`: the next opening-status change).
An entry is kept per scheme, host, path with query and language; a request is
answered from it while every counter still has the value the entry was made
with and its moment has not come. A change bumps a counter once it is committed
(core.versions.bump_on_commit), so a page is never served after the change it
does not show.

Shared only: GET requests without a session or messages cookie (a cart, a login,
a message always get a fresh render), answers 200 without a cookie. Shared pages
carry no CSRF token (forms get theirs when they are submitted: site/static/js/
csrf.js, or the CSRF failure page for browsers without JavaScript): forms put
`{% csrf_marker %}` where `{% csrf_token %}` was, which becomes the token in a
page rendered for one visitor and nothing in a shared one.

nginx (docker/nginx/ocpizza.conf.template) keeps what this middleware marks with
`X-Accel-Expires: @<second>`: until the end of the second in which the counters
were checked. A change is thus visible through nginx within one second (plus
one render), and nginx asks Django at most once a second per page (and variant).
The HTML is gzipped once when the entry is made, not per request.
"""

import gzip
import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.html import format_html

from . import versions

CONTENT = "content"  # the site's content: pages, catalogue, images, recipes (bumped on every save)
MARKER = b"<!--ocpizza:csrf-->"
LONGEST = 3600  # an entry's time to live in Redis at most (entries of old versions go away on their own)
EXCLUDED_PREFIXES = ("/admin/", "/static/", "/media/", "/commande/", "/i18n/", "/documents/")
STORED_HEADERS = ("Content-Type", "Content-Language", "X-Frame-Options", "Cross-Origin-Opener-Policy")


class Recorder:
    """What the page being served is made from (request.page_cache)."""

    def __init__(self, request):
        self.request = request
        self.versions = {}
        self.until = None  # a Unix time
        self.shared = False
        self.checked_at = time.time()

    def depends_on(self, *names):
        missing = [name for name in names if name not in self.versions]
        if missing:
            self.versions.update(versions.current_many(missing))
        return {name: self.versions[name] for name in names}

    def valid_until(self, moment):
        """moment: an aware datetime (or None: no limit)."""
        if moment is not None:
            stamp = moment.timestamp()
            self.until = stamp if self.until is None else min(self.until, stamp)


def recorder(request):
    found = getattr(request, "page_cache", None)
    if found is None:
        found = request.page_cache = Recorder(request)
    return found


def share(request, allowed_parameters=()):
    """The page being served is the same for every anonymous visitor (given its
    URL and language): it may be kept and served to them, unless it reads
    parameters it does not declare."""
    if set(request.GET) <= set(allowed_parameters):
        recorder(request).shared = True


def depends_on(request, *names):
    """Reads these counters for the page being served (once per request): {name: value}."""
    return recorder(request).depends_on(*names)


def valid_until(request, moment):
    recorder(request).valid_until(moment)


def _may_share(request):
    if request.method != "GET" or request.path.startswith(EXCLUDED_PREFIXES):
        return False
    cookies = request.COOKIES
    return not (
        settings.SESSION_COOKIE_NAME in cookies
        or getattr(settings, "MESSAGE_COOKIE_NAME", "messages") in cookies
        or "HTTP_AUTHORIZATION" in request.META
    )


def _entry_key(request, language):
    raw = f"{request.scheme}://{request.get_host()}{request.get_full_path()}|{language}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _accepts_gzip(request):
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "")


class PageCacheMiddleware:
    """Between the security middlewares and the session's: a hit reads no session,
    no user and no database, two Redis reads (the entry, then its counters)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "GET" or request.path.startswith(EXCLUDED_PREFIXES):
            return self.get_response(request)
        if not _may_share(request):
            recorder(request).depends_on(CONTENT)  # for the fragments: before the page is read
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        key = _entry_key(request, language)
        now = time.time()
        entry = cache.get(key)
        if entry is not None and now < entry["until"]:
            if versions.current_many(entry["versions"]) == entry["versions"]:
                return self._answer(request, entry, now, "HIT")
        record = recorder(request)
        record.checked_at = now
        record.depends_on(CONTENT)  # before the page is read from the database
        response = self.get_response(request)
        if not self._storable(request, response):
            if record.shared:
                response["X-Page-Cache"] = "BYPASS"
            return response
        until = record.until if record.until is not None else now + LONGEST
        if until <= now:
            return response
        content = response.content
        entry = {
            "versions": dict(record.versions),
            "until": until,
            "checked_at": record.checked_at,
            "headers": [(name, response[name]) for name in STORED_HEADERS if response.has_header(name)],
            "content": content,
            "gzip": gzip.compress(content, 6, mtime=0),
        }
        cache.set(key, entry, timeout=max(1, min(LONGEST, int(until - now) + 1)))
        return self._answer(request, entry, record.checked_at, "MISS")

    @staticmethod
    def _storable(request, response):
        record = getattr(request, "page_cache", None)
        return (
            record is not None
            and record.shared
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and not getattr(getattr(request, "session", None), "modified", False)
            and MARKER not in response.content
            and None not in record.versions.values()  # the cache could not tell (Redis down)
        )

    @staticmethod
    def _answer(request, entry, checked_at, outcome):
        from django.http import HttpResponse

        compressed = _accepts_gzip(request)
        response = HttpResponse(entry["gzip"] if compressed else entry["content"])
        for name, value in entry["headers"]:
            response[name] = value
        if compressed:
            response["Content-Encoding"] = "gzip"
        response["Content-Length"] = str(len(response.content))
        # Every visitor without a session or messages cookie gets this page whatever
        # their other cookies: nginx keys its copies by these two headers (and by the
        # language cookie), not by the whole Cookie header.
        response["Vary"] = "Accept-Encoding, Accept-Language"
        response["Cache-Control"] = "no-cache"  # browsers ask again; nginx reads X-Accel-Expires
        last_second = int(min(checked_at, entry["until"] - 1))
        response["X-Accel-Expires"] = f"@{last_second}"
        response["X-Page-Cache"] = outcome
        return response


class CsrfMarkerMiddleware:
    """Just inside CsrfViewMiddleware: {% csrf_marker %} becomes nothing in a page
    that is shared, the visitor's own token otherwise (the CSRF cookie is then set
    by CsrfViewMiddleware as for {% csrf_token %})."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.streaming or not response.get("Content-Type", "").startswith("text/html"):
            return response
        content = response.content
        if MARKER not in content:
            return response
        record = getattr(request, "page_cache", None)
        if record is not None and record.shared and response.status_code == 200 and _may_share(request):
            field = b""
        else:
            field = format_html(
                '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
            ).encode()
        response.content = content.replace(MARKER, field)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        return response
