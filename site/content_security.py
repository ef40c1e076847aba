"""The parts of the Content-Security-Policy that depend on the request
(django-csp writes the header from settings.CONTENT_SECURITY_POLICY).

- Wagtail's admin (and the page previews it shows) runs inline scripts and
  styles of its own, which carry no nonce: under the admin's URL the policy
  also allows inline code. The public site allows none.
- The checkout and "pay with PayPal again" forms redirect to PayPal's approval
  page: form-action allows the origin of the PayPal in use.
"""

from csp.constants import SELF, UNSAFE_INLINE
from django.conf import settings
from django.urls import reverse

PAYPAL_APPROVAL_ORIGINS = {"sandbox": "https://www.sandbox.paypal.com", "live": "https://www.paypal.com"}

ADMIN_POLICY = {
    "script-src": [SELF, UNSAFE_INLINE],  # without the nonce, which would turn 'unsafe-inline' off
    "style-src": [SELF, UNSAFE_INLINE],
    "img-src": [SELF, "data:", "blob:", *settings.MEDIA_ORIGINS],  # blob: previews of images being uploaded
    "connect-src": [SELF, "https://releases.wagtail.org"],  # Wagtail's "new version" notice
}


def paypal_approval_origin():
    if settings.PAYPAL_MODE == "fake":
        return settings.PAYPAL_FAKE_URL.rstrip("/")
    return PAYPAL_APPROVAL_ORIGINS.get(settings.PAYPAL_MODE)


class PolicyPerRequestMiddleware:
    """Listed right after csp.middleware.CSPMiddleware, so that its changes are
    made before django-csp writes the header (django-csp's per-response overrides)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        paypal = paypal_approval_origin()
        if paypal:
            response._csp_update = {**(getattr(response, "_csp_update", None) or {}), "form-action": [paypal]}
        if request.path_info.startswith(reverse("wagtailadmin_home")):
            response._csp_replace = {**ADMIN_POLICY, **(getattr(response, "_csp_replace", None) or {})}
        return response
