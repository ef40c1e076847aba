"""Findings of the attacker-minded review of issue 9's fixes, each reproduced
as it was found and kept as a regression test: refund webhooks racing our own
refunds, a counter tap placing an unpaid order, NUL in tokens, another
restaurant's order history, the message after cancelling on PayPal."""

import threading
import time
from decimal import Decimal

import pytest

from ordering.models import Order, PayPalRefund
from ordering.workflow import Status
from tests.conftest import committed_db, size_of
from tests.ordering.test_staff import login, move, order_at  # noqa: F401
from tests.payments.money import assert_money_invariant
from tests.payments.test_paypal import shopper  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


# --- 1. A refund webhook racing our own refund call records the refund twice --


def _paid_paypal_order(restaurant):
    """A delivery paid with PayPal (Reine Méga + 2 Margherita + delivery: 39,50 €), committed."""
    from ordering.paypal import payments
    from ordering.services import OrderDetails, place_order
    from ordering.workflow import Fulfilment

    details = OrderDetails(
        fulfilment=Fulfilment.DELIVERY,
        name="Léa",
        phone="0612345678",
        email="lea@example.fr",
        street_address="1 rue de Lappe",
        postcode="75011",
        city="Paris",
        payment_method=Order.PaymentMethod.PAYPAL,
    )
    order = place_order(restaurant, {size_of("reine", "Méga 40 cm").pk: 1, size_of("margherita").pk: 2}, details)
    payments.begin(order, "http://testserver/retour/", "http://testserver/annulation/")
    return order


@committed_db
def test_refund_webhook_arriving_while_our_refund_call_is_in_flight_is_counted_once(
    demo_committed, paypal, monkeypatch
):
    from devtools.fake_paypal import build_event
    from home.models import RestaurantPage
    from ordering.paypal import client as paypal_api
    from ordering.paypal import payments
    from ordering.services import change_order
    from tests.ordering.test_concurrency import run_at_once

    order = _paid_paypal_order(RestaurantPage.objects.get(slug="bastille"))
    payment = order.paypal_payments.get()
    paypal.state.orders[payment.paypal_order_id]["status"] = "APPROVED"
    payments.confirm(payment)
    order.refresh_from_db()
    assert order.payment_state == Order.PaymentState.PAID and order.total == Decimal("39.50")

    # The customer changes the order for less: a 9,50 € refund is recorded (its sending held back here).
    with monkeypatch.context() as held_back:
        held_back.setattr(payments, "send_refund", lambda pk: None)
        change_order(order, {size_of("reine", "Méga 40 cm").pk: 1, size_of("margherita").pk: 1})
    refund = PayPalRefund.objects.get()

    # PayPal makes the refund and sends its webhook before our call has its answer back.
    made_at_paypal, answers = threading.Event(), {}
    real_refund = paypal_api.refund_capture

    def slow_answer(*args, **kwargs):
        answers["refund"] = real_refund(*args, **kwargs)
        made_at_paypal.set()
        time.sleep(3)  # the answer travels back; the webhook is being handled meanwhile
        return answers["refund"]

    monkeypatch.setattr(paypal_api, "refund_capture", slow_answer)

    def webhook():
        assert made_at_paypal.wait(10)
        return payments.handle_event(build_event("PAYMENT.CAPTURE.REFUNDED", answers["refund"]))

    results = run_at_once([lambda: payments.send_refund(refund.pk), webhook])
    assert results == [True, True], results

    order.refresh_from_db()
    assert (order.total, order.payment_state) == (Decimal("30.00"), Order.PaymentState.PAID)
    assert [r.amount for r in PayPalRefund.objects.all()] == [Decimal("9.50")]
    assert len(paypal.state.refunds) == 1
    assert_money_invariant()


# --- 2. A staff tap places an order still waiting for its PayPal payment ------


def test_a_counter_tap_cannot_place_an_order_waiting_for_its_paypal_payment(client, bastille):
    order = order_at(bastille, fulfilment="pickup", payment_method=Order.PaymentMethod.PAYPAL)
    assert order.status == Status.AWAITING_PAYMENT
    counter = login(client, "comptoir-bastille")
    response = counter.post(
        f"/admin/cuisine/commande/{order.pk}/etape/", {"status": "placed"}, HTTP_ACCEPT="application/json"
    )
    order.refresh_from_db()
    assert response.status_code in (403, 409)
    assert (order.status, order.payment_state) == (Status.AWAITING_PAYMENT, Order.PaymentState.PENDING)


# --- 3. A NUL in a tracking token (URL path) or a PayPal token answers 500 -----

NUL_TOKEN_REQUESTS = [
    ("get", "/commande/suivi/a%00b/"),
    ("get", "/commande/suivi/a%00b/etat/"),
    ("get", "/commande/suivi/a%00b/modifier/"),
    ("post", "/commande/suivi/a%00b/annuler/"),
    ("get", "/commande/paypal/retour/a%00b/?token=x"),
    ("get", "/commande/paypal/annulation/a%00b/?token=x"),
    ("post", "/commande/paypal/payer/a%00b/"),
    ("post", "/commande/paypal/sur-place/a%00b/"),
]


@pytest.mark.parametrize("method, url", NUL_TOKEN_REQUESTS)
def test_a_nul_in_the_tracking_token_is_a_404_not_a_500(paypal, method, url):
    from django.test import Client

    response = getattr(Client(raise_request_exception=False), method)(url)
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("view", ["retour", "annulation"])
def test_a_nul_paypal_token_on_a_real_order_is_refused_not_a_500(bastille, paypal, view):
    from django.test import Client

    order = order_at(bastille, payment_method=Order.PaymentMethod.PAYPAL)
    response = Client(raise_request_exception=False).get(f"/commande/paypal/{view}/{order.tracking_token}/?token=a%00b")
    assert response.status_code in (302, 400, 404)
    order.refresh_from_db()
    assert order.status == Status.AWAITING_PAYMENT


# --- 4. Cancelling on PayPal after switching to pay on site says "already paid" -


def test_cancelling_on_paypal_after_switching_to_pay_on_site_does_not_say_paid(paypal, bastille):
    from django.test import Client

    from ordering.services import switch_to_pay_on_site
    from tests.payments.test_paypal import messages_of

    order = order_at(bastille, payment_method=Order.PaymentMethod.PAYPAL)
    from ordering.paypal import payments

    payments.begin(order, "http://testserver/retour/", "http://testserver/annulation/")
    payment = order.paypal_payments.get()
    switch_to_pay_on_site(order)  # in another tab; then the customer clicks "cancel" on PayPal's page
    response = Client().get(f"/commande/paypal/annulation/{order.tracking_token}/?token={payment.paypal_order_id}")
    order.refresh_from_db()
    assert (order.status, order.payment_state) == (Status.PLACED, Order.PaymentState.PENDING)
    assert "déjà payée" not in messages_of(response)


# --- 5. A refund webhook is matched to another pending refund of the same amount -


def test_a_refund_webhook_completes_the_refund_it_is_about(
    shopper, paypal, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from devtools.fake_paypal import build_event
    from ordering.paypal import client as paypal_api
    from ordering.paypal.client import PayPalUnavailable
    from tests.payments.test_paypal import paid_order, post_event

    settings.PAYPAL_MAX_RETRIES = 0
    order = paid_order(shopper, paypal)  # Reine Méga + 2 Margherita + delivery: 39,50 €
    reine = size_of("reine", "Méga 40 cm")

    paypal.state.behaviour = {"fail": 1}  # refund A: PayPal is down, nothing is refunded
    with django_capture_on_commit_callbacks(execute=True):
        shopper.post(
            f"/commande/suivi/{order.tracking_token}/modifier/",
            {f"size_{reine.pk}": 1, f"size_{size_of('margherita').pk}": 1},
        )
    assert len(paypal.state.refunds) == 0

    answers = []
    real_refund = paypal_api.refund_capture

    def answer_lost(*args, **kwargs):  # refund B: made at PayPal, its answer lost on the way back
        answers.append(real_refund(*args, **kwargs))
        raise PayPalUnavailable("read timeout")

    monkeypatch.setattr(paypal_api, "refund_capture", answer_lost)
    with django_capture_on_commit_callbacks(execute=True):
        shopper.post(f"/commande/suivi/{order.tracking_token}/modifier/", {f"size_{reine.pk}": 1})
    monkeypatch.setattr(paypal_api, "refund_capture", real_refund)
    assert len(paypal.state.refunds) == 1 and PayPalRefund.objects.filter(state=PayPalRefund.State.PENDING).count() == 2

    assert post_event(shopper, build_event("PAYMENT.CAPTURE.REFUNDED", answers[0])).status_code == 200  # B's webhook
    call_command("paypal_housekeeping")
    call_command("paypal_housekeeping")

    order.refresh_from_db()
    assert order.total == Decimal("20.50")
    at_paypal = sum(Decimal(r["amount"]["value"]) for r in paypal.state.refunds.values())
    recorded = sum(r.amount for r in PayPalRefund.objects.filter(state=PayPalRefund.State.COMPLETED))
    assert at_paypal == recorded == Decimal("19.00")


# --- 6. The orders' modeladmin history view is not scoped to the restaurant ----


def test_another_restaurants_order_history_is_not_shown(client, bastille):
    order = order_at(bastille)
    response = login(client, "pizzaiolo-nation").get(f"/admin/ordering/order/history/{order.pk}/")
    assert response.status_code in (302, 403, 404)
    assert order.number not in response.content.decode()


# --- 7. A dashboard refund's webhook after our "already refunded" refund counts twice


def test_a_dashboard_refund_racing_a_cancellation_is_counted_once(shopper, paypal, django_capture_on_commit_callbacks):
    from devtools.fake_paypal import build_event
    from ordering.paypal import client as paypal_api
    from tests.payments.test_paypal import paid_order, post_event

    order = paid_order(shopper, paypal)
    capture_id = order.paypal_payments.get().capture_id
    on_dashboard = paypal_api.refund_capture(
        capture_id, Decimal("39.50"), "EUR", request_id="dashboard-1"
    )  # its webhook is on its way
    with django_capture_on_commit_callbacks(execute=True):
        shopper.post(f"/commande/suivi/{order.tracking_token}/annuler/")
    assert post_event(shopper, build_event("PAYMENT.CAPTURE.REFUNDED", on_dashboard)).status_code == 200

    order.refresh_from_db()
    assert (order.status, order.payment_state) == (Status.CANCELLED, Order.PaymentState.REFUNDED)
    at_paypal = sum(Decimal(r["amount"]["value"]) for r in paypal.state.refunds.values())
    recorded = sum(r.amount for r in PayPalRefund.objects.filter(state=PayPalRefund.State.COMPLETED))
    assert at_paypal == recorded == Decimal("39.50")
