"""Abuse limits on placing orders (issue 9): an unpaid PayPal order holds stock,
so a session holds one at most and not for long, and checkouts are rate-limited
per client address and per session."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from ordering.models import Order, Stock
from ordering.workflow import Status
from tests.conftest import delivery_form, form_values, size_of, text_of

pytestmark = pytest.mark.django_db
ADD, CHECKOUT = "/commande/panier/ajouter/", "/commande/valider/"


def levels(restaurant):
    return dict(Stock.objects.filter(restaurant=restaurant).values_list("ingredient__name", "quantity"))


def fill_cart(client, restaurant):
    client.post(ADD, {"restaurant": restaurant.pk, "size": size_of("reine", "Méga 40 cm").pk, "quantity": 1})
    client.post(ADD, {"restaurant": restaurant.pk, "size": size_of("margherita").pk, "quantity": 2})
    return client


def check_out(client, **overrides):
    """Shows the checkout form, then submits it, as a browser does."""
    key = form_values(client.get(CHECKOUT).content.decode(), "form[data-checkout]")["checkout_key"]
    return client.post(CHECKOUT, delivery_form(checkout_key=key, **overrides))


@pytest.fixture
def paypal(paypal, settings):
    """The fake PayPal under credentials of this module's own: the PayPal client keeps
    one OAuth token per credentials, which the fake forgets at each reset; the tests
    of tests/payments count the calls their own token makes."""
    settings.PAYPAL_CLIENT_ID = "abuse-tests-client"
    return paypal


@pytest.fixture
def rate_limits(settings):
    """Rate limits on, with counters no other test has touched."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    return settings


def test_a_new_checkout_from_the_same_session_releases_its_unpaid_order(client, bastille, paypal):
    before = levels(bastille)
    fill_cart(client, bastille)
    check_out(client, payment_method="paypal")
    first = Order.objects.get()
    assert first.status == Status.AWAITING_PAYMENT and levels(bastille) != before
    check_out(client, payment_method="paypal")  # back from PayPal's page without paying, then again
    first.refresh_from_db()
    assert first.status == Status.CANCELLED
    assert (
        first.status_changes.get(to_status=Status.CANCELLED).note == "replaced by a new checkout from the same session"
    )
    assert Order.objects.filter(status=Status.AWAITING_PAYMENT).count() == 1
    # The stock the first order held is back: only the second one holds some.
    second = Order.objects.get(status=Status.AWAITING_PAYMENT)
    Order.objects.filter(pk=second.pk).update(created_at=timezone.now() - timedelta(hours=1))
    call_command("paypal_housekeeping")
    assert levels(bastille) == before


def test_another_sessions_unpaid_order_is_left_alone(client, bastille, paypal):
    fill_cart(client, bastille)
    check_out(client, payment_method="paypal")
    other = fill_cart(Client(), bastille)
    check_out(other, payment_method="paypal")
    assert Order.objects.filter(status=Status.AWAITING_PAYMENT).count() == 2


def test_an_order_paid_meanwhile_is_not_released(client, bastille, paypal):
    fill_cart(client, bastille)
    check_out(client, payment_method="paypal")
    first = Order.objects.get()
    Order.objects.filter(pk=first.pk).update(status=Status.PLACED, payment_state=Order.PaymentState.PAID)
    check_out(client)
    first.refresh_from_db()
    assert first.status == Status.PLACED and Order.objects.count() == 2


def test_unpaid_orders_hold_stock_for_ten_minutes(client, bastille, paypal):
    assert django_settings.PAYPAL_PAYMENT_TIMEOUT_MINUTES == 10
    before = levels(bastille)
    fill_cart(client, bastille)
    check_out(client, payment_method="paypal")
    order = Order.objects.get()
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=9))
    call_command("paypal_housekeeping")
    order.refresh_from_db()
    assert order.status == Status.AWAITING_PAYMENT
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=11))
    call_command("paypal_housekeeping")
    order.refresh_from_db()
    assert order.status == Status.CANCELLED and levels(bastille) == before


def test_checkouts_are_rate_limited_per_session_with_a_french_page_that_keeps_the_cart(client, bastille, rate_limits):
    rate_limits.CHECKOUT_RATE_PER_SESSION = "2/10m"
    fill_cart(client, bastille)
    for _order in range(2):
        assert check_out(client).status_code == 302
        fill_cart(client, bastille)
    cart = dict(client.session["cart"]["lines"])
    response = check_out(client)
    assert response.status_code == 429 and Order.objects.count() == 2
    assert "Trop de commandes" in text_of(response) and "Votre panier est conservé" in text_of(response)
    assert client.session["cart"]["lines"] == cart


def test_checkouts_are_rate_limited_per_client_address(bastille, rate_limits):
    rate_limits.CHECKOUT_RATE_PER_ADDRESS = "2/h"
    for _session in range(2):
        assert check_out(fill_cart(Client(REMOTE_ADDR="198.51.100.1"), bastille)).status_code == 302
    assert check_out(fill_cart(Client(REMOTE_ADDR="198.51.100.1"), bastille)).status_code == 429
    assert check_out(fill_cart(Client(REMOTE_ADDR="198.51.100.2"), bastille)).status_code == 302
    assert Order.objects.count() == 3


def test_behind_nginx_the_rate_limit_counts_the_real_client(bastille, rate_limits):
    rate_limits.CHECKOUT_RATE_PER_ADDRESS = "1/h"
    rate_limits.CLIENT_ADDRESS_HEADER = "HTTP_X_REAL_IP"  # production
    nginx = {"REMOTE_ADDR": "172.18.0.5"}
    first = fill_cart(Client(**nginx, HTTP_X_REAL_IP="203.0.113.1"), bastille)
    second = fill_cart(Client(**nginx, HTTP_X_REAL_IP="203.0.113.2"), bastille)
    assert check_out(first).status_code == 302 and check_out(second).status_code == 302


def test_a_form_with_errors_is_not_counted(client, bastille, rate_limits):
    rate_limits.CHECKOUT_RATE_PER_SESSION = "1/10m"
    fill_cart(client, bastille)
    for _typo in range(3):
        assert check_out(client, phone="abc").status_code == 400
    assert check_out(client).status_code == 302
