"""Unchanged board polls without a single SQL query.

An open kitchen board (without the event stream) or delivery screen polls twice a
second; while nothing changed, the answer is a 204. The views check login, Wagtail's
admin access, role and restaurant (7 queries) before answering it. Once those checks
have passed for a session and a URL, the pass is remembered for PASS_SECONDS: the
next polls of that session for that URL, while the board version is the one they
already have, are answered 204 from two Redis reads (the session and the version)
by this middleware, before the user is loaded. A 204 tells nothing but "unchanged";
as soon as the version changes, the request goes through the views' full checks
(a right withdrawn, a logout are thus seen within PASS_SECONDS at most, and no
order is ever shown without them).
"""

from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import Resolver404, resolve

from .. import board_version

PASS_SECONDS = 30
POLLS = {"kitchen_columns", "station_columns", "delivery_list"}
PREFIX = "/admin/cuisine/"


def _pass_key(session_key, path):
    return f"board-poll-pass:{session_key}:{path}"


def remember_pass(request):
    """Called by a poll view once its checks have passed."""
    session = request.session
    if session.session_key and session.get(SESSION_KEY):
        cache.set(
            _pass_key(session.session_key, request.path),
            (session.get(SESSION_KEY), session.get(HASH_SESSION_KEY)),
            PASS_SECONDS,
        )


class UnchangedBoardPollMiddleware:
    """Just after the session middleware (ordering.staff.polls)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and request.path.startswith(PREFIX) and "v" in request.GET:
            answer = self._unchanged(request)
            if answer is not None:
                return answer
        return self.get_response(request)

    @staticmethod
    def _unchanged(request):
        session = request.session
        if not session.session_key:
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.url_name not in POLLS or "ordering_staff" not in match.app_names:
            return None
        remembered = cache.get(_pass_key(session.session_key, request.path))
        if remembered is None or remembered != (session.get(SESSION_KEY), session.get(HASH_SESSION_KEY)):
            return None
        current = board_version.current(match.kwargs["restaurant_id"])
        if current is None or request.GET.get("v") != str(current):
            return None
        response = HttpResponse(status=204)
        response["Cache-Control"] = "no-store"
        return response
