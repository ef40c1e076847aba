"""CSRF tokens for pages that anonymous visitors share (core/page_cache.py): such
pages carry none, so a form gets its token when it is submitted.

- `token`: /csrf-token/, the visitor's token (and the CSRF cookie), never cached;
  site/static/js/csrf.js asks it when the cookie is not there yet.
- `failure` (CSRF_FAILURE_VIEW): a form posted without a token (no JavaScript) gets
  a page that offers it again, with what was typed and a token; any other CSRF
  failure (another site's origin, a wrong token) gets a plain 403.
"""

from django.http import JsonResponse
from django.middleware.csrf import REASON_CSRF_TOKEN_MISSING, REASON_NO_CSRF_COOKIE, get_token
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

OFFERED_AGAIN = {REASON_NO_CSRF_COOKIE, REASON_CSRF_TOKEN_MISSING}
MOST_FIELDS = 200  # a form of ours has far fewer; anything bigger is not offered again


@require_GET
@never_cache
def token(request):
    return JsonResponse({"token": get_token(request)})


def failure(request, reason=""):
    fields = []
    if reason in OFFERED_AGAIN and request.method == "POST" and not request.FILES:
        fields = [
            (name, value) for name, values in request.POST.lists() if name != "csrfmiddlewaretoken" for value in values
        ]
    context = {"fields": fields[:MOST_FIELDS], "offer_again": reason in OFFERED_AGAIN and len(fields) <= MOST_FIELDS}
    if context["offer_again"]:
        get_token(request)  # the token in the form, and the cookie set with this answer
    response = render(request, "csrf_failure.html", context, status=403)
    response["Cache-Control"] = "no-store"
    return response
