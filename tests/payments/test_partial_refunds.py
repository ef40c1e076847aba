"""A paid order changed by the customer: for less, the difference goes back through
PayPal (a partial refund, in the capture's currency, retried until PayPal confirms);
for more, refused. Cancelling afterwards refunds what remains, not the first total."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from ordering.exceptions import OrderError
from ordering.models import Order, PayPalRefund
from ordering.paypal import client as paypal_api
from ordering.paypal.client import PayPalRefused
from ordering.services import change_order
from ordering.workflow import Status
from tests.conftest import size_of, text_of
from tests.payments.money import assert_money_invariant
from tests.payments.test_paypal import messages_of, paid_order, pay_with_paypal, shopper  # noqa: F401

pytestmark = pytest.mark.django_db


def change(client_, order, **quantities):
    data = {
        f"size_{size_of(slug, label).pk if label else size_of(slug).pk}": n for (slug, label), n in quantities.items()
    }
    return client_.post(f"/commande/suivi/{order.tracking_token}/modifier/", data)


def change_to(client_, order, quantities):
    data = {f"size_{size.pk}": n for size, n in quantities}
    return client_.post(f"/commande/suivi/{order.tracking_token}/modifier/", data)


def mega_reine():
    return size_of("reine", "Méga 40 cm")


def test_a_paid_order_changed_for_less_is_partly_refunded(shopper, paypal, django_capture_on_commit_callbacks):
    order = paid_order(shopper, paypal)  # Reine Méga + 2 Margherita + delivery: 39,50 €
    with django_capture_on_commit_callbacks(execute=True):
        response = change_to(shopper, order, [(mega_reine(), 1), (size_of("margherita"), 1)])
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.total == Decimal("30.00") and order.payment_state == Order.PaymentState.PAID
    refund = PayPalRefund.objects.get()
    assert (refund.amount, refund.currency, refund.state, refund.reason) == (
        Decimal("9.50"),
        "EUR",
        PayPalRefund.State.COMPLETED,
        "order changed",
    )
    [at_paypal] = paypal.state.refunds.values()
    assert at_paypal["amount"] == {"currency_code": "EUR", "value": "9.50"}
    assert paypal.state.captures[order.paypal_payments.get().capture_id]["status"] == "PARTIALLY_REFUNDED"
    assert_money_invariant()


def test_two_changes_then_a_cancellation_refund_exactly_what_was_paid(
    shopper, paypal, django_capture_on_commit_callbacks
):
    order = paid_order(shopper, paypal)
    with django_capture_on_commit_callbacks(execute=True):
        change_to(shopper, order, [(mega_reine(), 1), (size_of("margherita"), 1)])
    with django_capture_on_commit_callbacks(execute=True):
        change_to(shopper, order, [(mega_reine(), 1)])
    order.refresh_from_db()
    assert order.total == Decimal("20.50")
    assert_money_invariant()
    with django_capture_on_commit_callbacks(execute=True):
        shopper.post(f"/commande/suivi/{order.tracking_token}/annuler/")
    order.refresh_from_db()
    assert (order.status, order.payment_state) == (Status.CANCELLED, Order.PaymentState.REFUNDED)
    assert [r.amount for r in PayPalRefund.objects.all()] == [Decimal("9.50"), Decimal("9.50"), Decimal("20.50")]
    assert sorted(r["amount"]["value"] for r in paypal.state.refunds.values()) == ["20.50", "9.50", "9.50"]
    assert len({r.request_id for r in PayPalRefund.objects.all()}) == 3  # each its own PayPal-Request-Id
    assert_money_invariant()


def test_a_paid_order_cannot_be_changed_for_more(shopper, paypal):
    order = paid_order(shopper, paypal)
    response = change_to(shopper, order, [(mega_reine(), 3)])
    assert response.status_code == 400 and "seconde commande" in text_of(response)
    order.refresh_from_db()
    assert order.total == Decimal("39.50") and order.lines.count() == 2
    assert not PayPalRefund.objects.exists() and not paypal.state.refunds
    assert_money_invariant()


def test_the_same_price_needs_no_refund(shopper, paypal):
    order = paid_order(shopper, paypal)
    assert change_to(shopper, order, [(mega_reine(), 1), (size_of("margherita"), 2)]).status_code == 302
    assert not PayPalRefund.objects.exists()
    assert_money_invariant()


def test_an_order_awaiting_payment_cannot_be_changed(shopper, paypal):
    order, _ = pay_with_paypal(shopper)
    with pytest.raises(OrderError, match="attend son paiement"):
        change_order(order, {mega_reine().pk: 1})
    response = shopper.get(f"/commande/suivi/{order.tracking_token}/modifier/")
    assert response.status_code == 302 and "attend son paiement" in messages_of(response)
    assert change_to(shopper, order, [(mega_reine(), 1)]).status_code == 302
    order.refresh_from_db()
    assert order.total == Decimal("39.50")


def test_a_partial_refund_refused_by_an_outage_is_retried_once_at_paypal(
    shopper, paypal, settings, django_capture_on_commit_callbacks
):
    settings.PAYPAL_MAX_RETRIES = 0
    order = paid_order(shopper, paypal)
    paypal.state.behaviour = {"fail": 1}
    with django_capture_on_commit_callbacks(execute=True):
        change_to(shopper, order, [(mega_reine(), 1), (size_of("margherita"), 1)])
    refund = PayPalRefund.objects.get()
    assert refund.state == PayPalRefund.State.PENDING and refund.attempts == 1
    assert_money_invariant(settled=False)  # recorded: owed to the customer
    call_command("paypal_housekeeping")
    call_command("paypal_housekeeping")
    refund.refresh_from_db()
    assert refund.state == PayPalRefund.State.COMPLETED and len(paypal.state.refunds) == 1
    assert_money_invariant()


def test_a_lost_answer_is_the_same_refund_at_paypal(shopper, paypal, django_capture_on_commit_callbacks):
    """The refund's PayPal-Request-Id: sending it again gives PayPal's first answer, not a second refund."""
    order = paid_order(shopper, paypal)
    with django_capture_on_commit_callbacks(execute=True):
        change_to(shopper, order, [(mega_reine(), 1), (size_of("margherita"), 1)])
    refund = PayPalRefund.objects.get()
    again = paypal_api.refund_capture(
        refund.payment.capture_id, refund.amount, refund.currency, request_id=refund.request_id
    )
    assert again["id"] == refund.refund_id and len(paypal.state.refunds) == 1


def test_paypal_refuses_over_refunds_and_another_currency(shopper, paypal):
    order = paid_order(shopper, paypal)
    capture_id = order.paypal_payments.get().capture_id
    with pytest.raises(PayPalRefused) as too_much:
        paypal_api.refund_capture(capture_id, Decimal("39.51"), "EUR", request_id="r-1")
    assert too_much.value.issue == "REFUND_AMOUNT_EXCEEDED"
    with pytest.raises(PayPalRefused) as currency:
        paypal_api.refund_capture(capture_id, Decimal("1.00"), "USD", request_id="r-2")
    assert currency.value.issue == "REFUND_CAPTURE_CURRENCY_MISMATCH"
    paypal_api.refund_capture(capture_id, Decimal("30.00"), "EUR", request_id="r-3")
    with pytest.raises(PayPalRefused) as rest:
        paypal_api.refund_capture(capture_id, Decimal("10.00"), "EUR", request_id="r-4")
    assert rest.value.issue == "REFUND_AMOUNT_EXCEEDED"
    paypal_api.refund_capture(capture_id, Decimal("9.50"), "EUR", request_id="r-5")
    with pytest.raises(PayPalRefused) as done:
        paypal_api.refund_capture(capture_id, Decimal("0.01"), "EUR", request_id="r-6")
    assert done.value.issue == "CAPTURE_FULLY_REFUNDED"
    assert paypal.state.captures[capture_id]["status"] == "REFUNDED"


def test_a_capture_in_another_currency_is_refunded_in_that_currency(
    shopper, paypal, django_capture_on_commit_callbacks
):
    from tests.payments.test_paypal import approve, come_back

    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    paypal.state.behaviour = {"capture_currency": "USD"}
    with django_capture_on_commit_callbacks(execute=True):
        come_back(shopper, order, payment)
    refund = PayPalRefund.objects.get()
    assert (refund.currency, refund.state) == ("USD", PayPalRefund.State.COMPLETED)
    [at_paypal] = paypal.state.refunds.values()
    assert at_paypal["amount"] == {"currency_code": "USD", "value": "39.50"}
    assert_money_invariant()


# --- whose refund a PayPal webhook is about ---------------------------------


def test_our_refund_request_is_tagged_with_its_custom_id(shopper, paypal, django_capture_on_commit_callbacks):
    order = paid_order(shopper, paypal)
    with django_capture_on_commit_callbacks(execute=True):
        change_to(shopper, order, [(mega_reine(), 1), (size_of("margherita"), 1)])
    refund = PayPalRefund.objects.get()
    [at_paypal] = paypal.state.refunds.values()
    assert at_paypal["custom_id"] == f"ocpizza-refund-{refund.pk}" and at_paypal["id"] == refund.refund_id


def test_a_dashboard_refund_webhook_before_our_cancellation_refund_is_counted_once(
    shopper, paypal, django_capture_on_commit_callbacks
):
    """The other order of arrival than review finding 7: the dashboard refund's webhook
    lands while our cancellation refund is recorded but not sent yet."""
    from devtools.fake_paypal import build_event
    from ordering.paypal import payments
    from tests.payments.test_paypal import post_event

    order = paid_order(shopper, paypal)
    capture_id = order.paypal_payments.get().capture_id
    on_dashboard = paypal_api.refund_capture(capture_id, Decimal("39.50"), "EUR", request_id="dashboard-1")
    with django_capture_on_commit_callbacks(execute=False) as held_back:  # our refund: recorded, not sent yet
        shopper.post(f"/commande/suivi/{order.tracking_token}/annuler/")
    ours = PayPalRefund.objects.get()
    assert ours.state == PayPalRefund.State.PENDING
    assert post_event(shopper, build_event("PAYMENT.CAPTURE.REFUNDED", on_dashboard)).status_code == 200
    ours.refresh_from_db()
    assert ours.state == PayPalRefund.State.PENDING  # same amount, but not ours: its own row
    for callback in held_back:
        callback()
    assert payments.retry_refunds() == 0

    order.refresh_from_db()
    ours.refresh_from_db()
    assert (order.status, order.payment_state) == (Status.CANCELLED, Order.PaymentState.REFUNDED)
    assert (ours.state, ours.refund_id) == (PayPalRefund.State.SUPERSEDED, "")
    recorded = PayPalRefund.objects.get(state=PayPalRefund.State.COMPLETED)
    assert (recorded.refund_id, recorded.amount) == (on_dashboard["id"], Decimal("39.50"))
    assert len(paypal.state.refunds) == 1
    assert_money_invariant()


def test_one_paypal_refund_id_is_one_row(shopper, paypal):
    from django.db import IntegrityError, transaction

    order = paid_order(shopper, paypal)
    payment = order.paypal_payments.get()
    PayPalRefund.objects.create(payment=payment, amount=Decimal("1.00"), request_id="a", refund_id="R-1")
    PayPalRefund.objects.create(payment=payment, amount=Decimal("1.00"), request_id="b")  # not sent yet: no id
    PayPalRefund.objects.create(payment=payment, amount=Decimal("1.00"), request_id="c")
    with pytest.raises(IntegrityError), transaction.atomic():
        PayPalRefund.objects.create(payment=payment, amount=Decimal("1.00"), request_id="d", refund_id="R-1")
