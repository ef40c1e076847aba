"""Login throttling with django-axes (issue 9): wrong passwords lock out one
account from one client address for a while, on the customer and admin logins."""

from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client

pytestmark = pytest.mark.django_db
CUSTOMER_LOGIN, ADMIN_LOGIN = "/commande/compte/connexion/", "/admin/login/"
PASSWORD = "Pizza-Reine-2026"


@pytest.fixture
def camille(django_user_model):
    return django_user_model.objects.create_user("camille", "camille@example.fr", PASSWORD, is_staff=True)


def log_in(client, url, password, **headers):
    return client.post(url, {"username": "camille", "password": password}, **headers)


def logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("url", [CUSTOMER_LOGIN, ADMIN_LOGIN])
def test_wrong_passwords_then_the_right_one_is_refused(client, camille, url):
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, url, "wrong").status_code in (200, 400)
    assert log_in(client, url, "wrong").status_code == 429  # the Nth failure locks
    response = log_in(client, url, PASSWORD)
    assert response.status_code == 429 and not logged_in(client)
    assert "Trop de tentatives" in response.content.decode() and "15 minutes" in response.content.decode()


@pytest.mark.parametrize("url", [CUSTOMER_LOGIN, ADMIN_LOGIN])
def test_another_client_address_is_not_locked_out(client, camille, url):
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, url, "wrong")
    elsewhere = Client(REMOTE_ADDR="192.0.2.7")
    assert log_in(elsewhere, url, PASSWORD).status_code == 302 and logged_in(elsewhere)


def test_the_lock_ends_after_the_cool_off(client, camille):
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, CUSTOMER_LOGIN, "wrong")
    assert log_in(client, CUSTOMER_LOGIN, PASSWORD).status_code == 429
    later = django_settings.AXES_COOLOFF_TIME + timedelta(minutes=1)
    for attempt in AccessAttempt.objects.all():
        AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - later)
    assert log_in(client, CUSTOMER_LOGIN, PASSWORD).status_code == 302 and logged_in(client)


def test_a_good_login_forgets_the_earlier_mistakes(client, camille):
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, CUSTOMER_LOGIN, "wrong")
    assert log_in(client, CUSTOMER_LOGIN, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, CUSTOMER_LOGIN, "wrong")
    assert log_in(client, CUSTOMER_LOGIN, PASSWORD).status_code == 302


def test_a_forged_proxy_header_is_not_believed_without_the_proxy(client, camille):
    for number in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(client, CUSTOMER_LOGIN, "wrong", HTTP_X_REAL_IP=f"198.51.100.{number}")
    assert log_in(client, CUSTOMER_LOGIN, PASSWORD, HTTP_X_REAL_IP="198.51.100.99").status_code == 429


def test_behind_nginx_each_client_address_counts_apart(settings, camille):
    settings.CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"  # production
    nginx = {"REMOTE_ADDR": "172.18.0.5"}  # every request comes from nginx's socket
    attacker, customer = Client(**nginx), Client(**nginx)
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT):
        log_in(attacker, ADMIN_LOGIN, "wrong", HTTP_X_REAL_IP="203.0.113.9")
    assert log_in(attacker, ADMIN_LOGIN, PASSWORD, HTTP_X_REAL_IP="203.0.113.9").status_code == 429
    assert log_in(customer, ADMIN_LOGIN, PASSWORD, HTTP_X_REAL_IP="203.0.113.10").status_code == 302
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"


def test_production_believes_the_header_nginx_sets_and_only_there():
    nginx = (Path(__file__).resolve().parent.parent / "docker" / "nginx" / "ocpizza.conf.template").read_text()
    assert "proxy_set_header X-Real-IP $remote_addr;" in nginx  # replaces whatever the client sent
    production = (Path(__file__).resolve().parent.parent / "site" / "settings" / "production.py").read_text()
    assert 'CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"' in production
    assert django_settings.CLIENT_ADDRESS_HEADER is None  # dev and tests: the socket's address


def test_force_login_and_the_demo_accounts_still_log_in(client, django_user_model):
    client.force_login(django_user_model.objects.get(username="gerant-bastille"))
    assert client.get("/admin/").status_code == 200
    demo = Client()
    assert demo.post(ADMIN_LOGIN, {"username": "admin", "password": "admin"}).status_code == 302 and logged_in(demo)


def test_after_a_customer_login_without_next_the_customer_sees_their_orders(client, camille):
    response = log_in(client, CUSTOMER_LOGIN, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/commande/compte/commandes/"
    assert client.get(response["Location"]).status_code == 200


def test_a_customer_login_with_next_goes_there_and_only_on_this_site(client, camille):
    response = client.post(CUSTOMER_LOGIN, {"username": "camille", "password": PASSWORD, "next": "/commande/panier/"})
    assert response["Location"] == "/commande/panier/"
    client.logout()
    response = client.post(
        CUSTOMER_LOGIN, {"username": "camille", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/commande/compte/commandes/"


@pytest.mark.parametrize("url", [CUSTOMER_LOGIN, ADMIN_LOGIN])
def test_a_huge_username_is_one_more_failure_not_an_error(client, camille, url):
    huge = "x" * 100_000  # the customer login counts it (cut to 255 characters); Wagtail's form refuses it before
    for _attempt in range(django_settings.AXES_FAILURE_LIMIT + 1):
        assert client.post(url, {"username": huge, "password": "wrong"}).status_code in (200, 400, 429)
    assert log_in(client, url, PASSWORD).status_code == 302  # another account from the same address
