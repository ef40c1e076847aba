"""Paying online racing the customer's other choices: pay on site instead, cancel on
PayPal. Whatever the order of events, a captured payment ends either as the paid
order or refunded, never relabelled nor cancelled without its refund."""

from functools import partial

import pytest

from devtools.fake_paypal import build_event
from ordering.models import Order, PayPalPayment, PayPalRefund
from ordering.paypal import client as paypal_api
from ordering.paypal import payments
from ordering.paypal import views as paypal_views
from ordering.workflow import Status
from tests.conftest import committed_db
from tests.payments.money import assert_money_invariant
from tests.payments.test_paypal import approve, come_back, messages_of, pay_with_paypal, post_event, shopper  # noqa: F401

pytestmark = pytest.mark.django_db


def capture_lands_after_the_view_read_the_order(monkeypatch, payment):
    """Interleaves deterministically: the view reads the order (awaiting payment),
    then the capture commits, then the view acts on what it read."""
    read = paypal_views._awaiting

    def stale(token):
        order = read(token)
        payments.confirm(payment)
        return order

    monkeypatch.setattr(paypal_views, "_awaiting", stale)


def test_pay_on_site_losing_the_race_to_the_capture_changes_nothing(shopper, paypal, monkeypatch):
    order, _ = pay_with_paypal(shopper)
    capture_lands_after_the_view_read_the_order(monkeypatch, approve(paypal, order))
    response = shopper.post(f"/commande/paypal/sur-place/{order.tracking_token}/")
    assert response.status_code == 302 and "n'attend plus de paiement" in messages_of(response)
    order.refresh_from_db()
    assert (order.status, order.payment_method, order.payment_state) == (
        Status.PLACED,
        Order.PaymentMethod.PAYPAL,
        Order.PaymentState.PAID,
    )
    assert_money_invariant()


def test_cancel_on_paypal_losing_the_race_to_the_capture_keeps_the_paid_order(
    shopper, paypal, monkeypatch, django_capture_on_commit_callbacks
):
    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    capture_lands_after_the_view_read_the_order(monkeypatch, payment)
    with django_capture_on_commit_callbacks(execute=True):
        response = shopper.get(f"/commande/paypal/annulation/{order.tracking_token}/?token={payment.paypal_order_id}")
    assert response["Location"] == order.get_tracking_url()
    order.refresh_from_db()
    assert (order.status, order.payment_state) == (Status.PLACED, Order.PaymentState.PAID)
    assert not PayPalRefund.objects.exists() and not paypal.state.refunds
    assert_money_invariant()


def test_switching_to_pay_on_site_first_means_nothing_is_captured(shopper, paypal):
    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    shopper.post(f"/commande/paypal/sur-place/{order.tracking_token}/")
    response = come_back(shopper, order, payment)  # approved on PayPal a moment before
    assert "n'attend plus de paiement" in messages_of(response)
    assert not paypal.state.captures
    order.refresh_from_db()
    assert (order.status, order.payment_method, order.payment_state) == (
        Status.PLACED,
        Order.PaymentMethod.ON_SITE,
        Order.PaymentState.PENDING,
    )
    assert PayPalPayment.objects.get().state == PayPalPayment.State.CANCELLED
    assert_money_invariant()


def test_a_capture_recorded_after_the_switch_is_refunded_in_full(shopper, paypal, django_capture_on_commit_callbacks):
    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    capture = paypal_api.capture_order(payment.paypal_order_id)["purchase_units"][0]["payments"]["captures"][0]
    shopper.post(f"/commande/paypal/sur-place/{order.tracking_token}/")  # before the capture was recorded
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(shopper, build_event("PAYMENT.CAPTURE.COMPLETED", capture)).status_code == 200
    order.refresh_from_db()
    assert (order.status, order.payment_method, order.payment_state) == (
        Status.PLACED,
        Order.PaymentMethod.ON_SITE,
        Order.PaymentState.PENDING,
    )
    assert [r["amount"]["value"] for r in paypal.state.refunds.values()] == [capture["amount"]["value"]]
    assert_money_invariant()


@committed_db
def test_pay_on_site_and_the_capture_at_the_same_time_against_postgresql(demo_committed, paypal):
    from home.models import RestaurantPage
    from ordering.exceptions import NoLongerAwaitingPayment, OrderError
    from ordering.services import OrderDetails, place_order, switch_to_pay_on_site
    from ordering.workflow import Fulfilment
    from tests.conftest import size_of
    from tests.ordering.test_concurrency import run_at_once

    restaurant = RestaurantPage.objects.get(slug="bastille")
    outcomes = set()
    for n in range(6):
        details = OrderDetails(
            fulfilment=Fulfilment.PICKUP,
            name=f"Client {n}",
            phone="0612345678",
            email="c@example.fr",
            payment_method=Order.PaymentMethod.PAYPAL,
        )
        order = place_order(restaurant, {size_of("margherita").pk: 1}, details)
        payments.begin(order, "http://testserver/retour/", "http://testserver/annulation/")
        payment = order.paypal_payments.get()
        paypal.state.orders[payment.paypal_order_id]["status"] = "APPROVED"
        results = run_at_once([partial(switch_to_pay_on_site, order), partial(payments.confirm, payment)])
        assert all(isinstance(r, (Order, OrderError, NoLongerAwaitingPayment)) for r in results), results
        order.refresh_from_db()
        outcomes.add(order.payment_method)
    assert_money_invariant()


def test_a_payment_declined_then_captured_on_the_same_paypal_order_is_kept(
    shopper, paypal, django_capture_on_commit_callbacks
):
    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    paypal.state.behaviour = {"decline": True}
    come_back(shopper, order, payment)
    paypal.state.behaviour = {}
    with django_capture_on_commit_callbacks(execute=True):
        come_back(shopper, order, payment)  # the buyer chose another card on PayPal and came back
    order.refresh_from_db()
    assert (order.status, order.payment_state) == (Status.PLACED, Order.PaymentState.PAID)
    assert not PayPalRefund.objects.exists() and not paypal.state.refunds
    assert_money_invariant()
