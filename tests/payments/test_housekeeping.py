"""paypal_housekeeping with two schedulers: rows another worker holds are skipped,
not waited for; and a real error surfaces instead of being logged away."""

import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from home.models import RestaurantPage
from ordering import services
from ordering.models import Order, PayPalRefund
from ordering.paypal import client as paypal_api
from ordering.paypal import payments
from ordering.paypal.client import PayPalRefused
from ordering.services import OrderDetails, place_order
from ordering.workflow import Fulfilment, Status
from tests.conftest import committed_db, size_of
from tests.payments.money import assert_money_invariant

HOLD_SECONDS = 8


def paypal_order(restaurant, name="Léa"):
    details = OrderDetails(
        fulfilment=Fulfilment.PICKUP,
        name=name,
        phone="0612345678",
        email="lea@example.fr",
        payment_method=Order.PaymentMethod.PAYPAL,
    )
    return place_order(restaurant, {size_of("margherita").pk: 1}, details)


def expire(order):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=2))


class HeldByAnotherWorker:
    """Locks a row from another thread (another scheduler at work) until the block ends."""

    def __init__(self, queryset):
        self.queryset, self.locked, self.done = queryset, threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._hold)

    def _hold(self):
        try:
            with transaction.atomic():
                list(self.queryset.select_for_update())
                self.locked.set()
                self.done.wait(HOLD_SECONDS)
        finally:
            connection.close()

    def __enter__(self):
        self.thread.start()
        assert self.locked.wait(10)
        return self

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join(20)


@committed_db
def test_an_order_another_scheduler_holds_is_skipped_not_waited_for(demo_committed):
    restaurant = RestaurantPage.objects.get(slug="bastille")
    held, free = paypal_order(restaurant, "Held"), paypal_order(restaurant, "Free")
    expire(held)
    expire(free)
    with HeldByAnotherWorker(Order.objects.filter(pk=held.pk)):
        started = time.monotonic()
        assert payments.release_unpaid_orders() == (0, 1)
        assert time.monotonic() - started < HOLD_SECONDS / 2
    assert Order.objects.get(pk=held.pk).status == Status.AWAITING_PAYMENT
    assert Order.objects.get(pk=free.pk).status == Status.CANCELLED
    assert payments.release_unpaid_orders() == (0, 1)  # the next run takes it
    assert Order.objects.get(pk=held.pk).status == Status.CANCELLED


@committed_db
def test_a_refund_another_scheduler_sends_is_skipped(demo_committed, paypal, settings):
    settings.PAYPAL_MAX_RETRIES = 0
    restaurant = RestaurantPage.objects.get(slug="bastille")
    order = paypal_order(restaurant)
    payments.begin(order, "http://testserver/retour/", "http://testserver/annulation/")
    payment = order.paypal_payments.get()
    paypal.state.orders[payment.paypal_order_id]["status"] = "APPROVED"
    payments.confirm(payment)
    paypal.state.behaviour = {"fail": 1}
    services.cancel_by_customer(order)  # the refund is sent after commit: PayPal fails once
    refund = PayPalRefund.objects.get()
    assert refund.state == PayPalRefund.State.PENDING and refund.amount == Decimal("9.50")
    with HeldByAnotherWorker(PayPalRefund.objects.filter(pk=refund.pk)):
        started = time.monotonic()
        assert payments.retry_refunds() == 0
        assert time.monotonic() - started < HOLD_SECONDS / 2
    assert payments.retry_refunds() == 1
    assert len(paypal.state.refunds) == 1
    assert_money_invariant()


@pytest.mark.django_db
def test_a_real_error_while_releasing_surfaces(bastille, monkeypatch):
    order = paypal_order(bastille)
    expire(order)

    def broken(*args, **kwargs):
        raise RuntimeError("a bug, not a race")

    monkeypatch.setattr(services, "cancel_awaiting_payment", broken)
    with pytest.raises(RuntimeError):
        payments.release_unpaid_orders()


@pytest.mark.django_db
def test_an_order_paypal_refuses_to_tell_about_is_left_for_the_next_run(bastille, paypal, monkeypatch, caplog):
    """An expected PayPal answer (a refusal, like an outage) never releases an order
    PayPal may have been paid for, nor stops the run for the other orders."""
    refused, free = paypal_order(bastille, "Refused"), paypal_order(bastille, "Free")
    payments.begin(refused, "http://testserver/retour/", "http://testserver/annulation/")
    expire(refused)
    expire(free)

    def refuse(paypal_order_id):
        raise PayPalRefused(404, "RESOURCE_NOT_FOUND", "no such order")

    monkeypatch.setattr(paypal_api, "get_order", refuse)
    assert payments.release_unpaid_orders() == (0, 1)
    assert Order.objects.get(pk=refused.pk).status == Status.AWAITING_PAYMENT
    assert Order.objects.get(pk=free.pk).status == Status.CANCELLED
    assert "RESOURCE_NOT_FOUND" in caplog.text and refused.number in caplog.text
