"""The money invariant, checked by the PayPal tests: for every order, what PayPal
captured minus what was refunded (recorded, so owed) is the total when the order is
paid online, and nothing otherwise."""

from decimal import Decimal

from books.journal import booked_payments
from ordering.models import Order, PayPalRefund


def kept_by_us(order):
    captured = sum(
        (p.captured_amount or Decimal("0") for p in order.paypal_payments.exclude(capture_id=None)), Decimal("0")
    )
    # A superseded refund request gave nothing back: the refund made another way has its own row.
    refunds = PayPalRefund.objects.filter(payment__order=order).exclude(state=PayPalRefund.State.SUPERSEDED)
    refunded = sum((r.amount for r in refunds), Decimal("0"))
    return captured - refunded


def assert_money_invariant(settled=True):
    """settled: every refund has been confirmed by PayPal too (none left to retry)."""
    for order in Order.objects.all():
        paid_online = (
            order.payment_method == Order.PaymentMethod.PAYPAL and order.payment_state == Order.PaymentState.PAID
        )
        assert kept_by_us(order) == (order.total if paid_online else Decimal("0")), (
            order.number,
            order.status,
            order.payment_method,
            order.payment_state,
        )
        # The sales journal (books) holds the same: PayPal payments minus refunds of the order.
        assert booked_payments(order.pk, "paypal") == kept_by_us(order), (order.number, "journal")
        if order.payment_method == Order.PaymentMethod.ON_SITE and order.payment_state == Order.PaymentState.PAID:
            assert order.collected_with in ("cash", "card"), order.number
    if settled:
        assert not PayPalRefund.objects.filter(state=PayPalRefund.State.PENDING).exists()
