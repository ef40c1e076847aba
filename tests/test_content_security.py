"""The Content-Security-Policy header as Django sends it (issue 9); the browser
tests (tests/browser/test_content_security.py) check pages keep working under it."""

import re

import pytest

pytestmark = pytest.mark.django_db


def directive(response, name):
    match = re.search(rf"(?:^|; ){name} ([^;]+)", response["Content-Security-Policy"])
    return match.group(1).split() if match else None


def test_the_public_site_allows_no_inline_code(client, demo):
    response = client.get(demo["bastille"].url)
    assert "'unsafe-inline'" not in directive(response, "script-src") and "'unsafe-inline'" not in directive(
        response, "style-src"
    )
    assert directive(response, "object-src") == ["'none'"] and directive(response, "frame-ancestors") == ["'self'"]
    assert directive(response, "default-src") == ["'self'"]


def test_the_admin_allows_wagtails_inline_code(client, demo):
    response = client.get("/admin/login/")
    assert (
        "'unsafe-inline'" in directive(response, "script-src") and "'nonce-" not in response["Content-Security-Policy"]
    )
    assert directive(response, "frame-ancestors") == ["'self'"]


@pytest.mark.parametrize(
    "mode, origin",
    [
        ("live", "https://www.paypal.com"),
        ("sandbox", "https://www.sandbox.paypal.com"),
        ("fake", "http://127.0.0.1:8765"),
    ],
)
def test_forms_may_go_on_to_paypals_approval_page(client, demo, settings, mode, origin):
    settings.PAYPAL_MODE, settings.PAYPAL_FAKE_URL = mode, "http://127.0.0.1:8765"
    assert directive(client.get("/commande/panier/"), "form-action") == ["'self'", origin]


def test_without_paypal_forms_stay_on_the_site(client, demo, settings):
    settings.PAYPAL_MODE = "off"
    assert directive(client.get("/commande/panier/"), "form-action") == ["'self'"]


def test_error_and_lockout_pages_carry_the_policy_too(client, demo, django_user_model, settings):
    assert "Content-Security-Policy" in client.get("/no-such-page/")
    django_user_model.objects.create_user("camille", "camille@example.fr", "Pizza-Reine-2026")
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post("/commande/compte/connexion/", {"username": "camille", "password": "wrong"})
    assert response.status_code == 429 and "Content-Security-Policy" in response
