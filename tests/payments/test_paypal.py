"""PayPal payments against the fake PayPal server, through the official SDK."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from devtools.fake_paypal import build_event, webhook_headers
from ordering.models import Order, PayPalPayment, PayPalRefund, PayPalWebhookEvent, StatusChange, Stock
from ordering.paypal import client as paypal_api
from ordering.workflow import Status
from tests.conftest import delivery_form, issue_checkout_key, size_of, text_of
from tests.payments.money import assert_money_invariant

pytestmark = pytest.mark.django_db
CHECKOUT = "/commande/valider/"
PAYER_ID = "7E7MGXCWTTKK2"  # PayPal-shaped: 13 characters of [2-9A-HJ-NP-Z]


def levels(restaurant):
    return dict(Stock.objects.filter(restaurant=restaurant).values_list("ingredient__name", "quantity"))


@pytest.fixture
def shopper(client, bastille, paypal):
    client.post(
        "/commande/panier/ajouter/",
        {"restaurant": bastille.pk, "size": size_of("reine", "Méga 40 cm").pk, "quantity": 1},
    )
    client.post(
        "/commande/panier/ajouter/", {"restaurant": bastille.pk, "size": size_of("margherita").pk, "quantity": 2}
    )
    return client


def pay_with_paypal(shopper, key="b" * 32):
    response = shopper.post(
        CHECKOUT, delivery_form(payment_method="paypal", checkout_key=issue_checkout_key(shopper, key))
    )
    order = Order.objects.get(checkout_key=key)
    return order, response


def approve(paypal, order):
    payment = order.paypal_payments.latest("created_at")
    paypal.state.orders[payment.paypal_order_id].update(
        status="APPROVED", payer_id=PAYER_ID
    )  # what the Approve button does
    return payment


def come_back(shopper, order, payment):
    return shopper.get(
        f"/commande/paypal/retour/{order.tracking_token}/?token={payment.paypal_order_id}&PayerID={PAYER_ID}"
    )


def messages_of(response):
    return " ".join(str(m) for m in response.wsgi_request._messages)


def test_checkout_creates_a_paypal_order_with_the_orders_v2_shape(shopper, paypal, bastille):
    before = levels(bastille)
    order, response = pay_with_paypal(shopper)
    assert order.status == Status.AWAITING_PAYMENT and order.payment_state == Order.PaymentState.PENDING
    assert levels(bastille)["Mozzarella"] < before["Mozzarella"]  # stock is reserved meanwhile
    assert response.status_code == 302 and response["Location"].startswith(paypal.url + "/checkoutnow?token=")

    calls = [r for r in paypal.state.requests if r["path"] == "/v2/checkout/orders"]
    assert len(calls) == 1 and calls[0]["headers"].get("PayPal-Request-Id")
    body = calls[0]["json"]
    assert body["intent"] == "CAPTURE"
    unit = body["purchase_units"][0]
    assert unit["reference_id"] == unit["invoice_id"] == order.number
    amount = unit["amount"]
    assert amount == {
        "currency_code": "EUR",
        "value": "39.50",
        "breakdown": {
            "item_total": {"currency_code": "EUR", "value": "37.00"},
            "shipping": {"currency_code": "EUR", "value": "2.50"},
        },
    }
    items_total = sum(Decimal(i["unit_amount"]["value"]) * int(i["quantity"]) for i in unit["items"])
    assert items_total == Decimal("37.00")
    context = body["payment_source"]["paypal"]["experience_context"]
    assert context["return_url"].endswith(f"/commande/paypal/retour/{order.tracking_token}/")
    assert len(shopper.session["cart"]["lines"]) == 2  # kept until the payment is through


def test_approve_and_return_twice_gives_one_paid_order_and_one_capture(shopper, paypal):
    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    first = come_back(shopper, order, payment)
    second = come_back(shopper, order, payment)  # reload
    order.refresh_from_db()
    assert order.status == Status.PLACED and order.payment_state == Order.PaymentState.PAID
    assert len(paypal.state.captures) == 1
    assert first["Location"] == second["Location"] == order.get_tracking_url()
    assert StatusChange.objects.filter(order=order, to_status=Status.PLACED).count() == 1
    assert shopper.session["cart"]["lines"] == {}
    assert_money_invariant()


def post_event(client_, event, forge=False):
    headers = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in webhook_headers(event, "WH-TEST", forge).items()
        if k != "Content-Type"
    }
    return client_.post("/commande/paypal/webhook/", data=json.dumps(event), content_type="application/json", **headers)


def captured_on_paypal(shopper, paypal):
    """An order whose payment PayPal captured while our side never heard of it,
    and PayPal's PAYMENT.CAPTURE.COMPLETED event for it."""
    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    capture = paypal_api.capture_order(payment.paypal_order_id)["purchase_units"][0]["payments"]["captures"][0]
    return order, payment, build_event("PAYMENT.CAPTURE.COMPLETED", capture)


def test_webhook_arriving_first_then_the_customer(shopper, paypal):
    order, payment, event = captured_on_paypal(shopper, paypal)
    assert post_event(shopper, event).status_code == 200
    order.refresh_from_db()
    assert order.payment_state == Order.PaymentState.PAID and order.status == Status.PLACED

    come_back(shopper, order, payment)
    assert len(paypal.state.captures) == 1
    assert StatusChange.objects.filter(order=order, to_status=Status.PLACED).count() == 1


def test_replayed_webhook_is_processed_once(shopper, paypal):
    order, _payment, event = captured_on_paypal(shopper, paypal)
    assert post_event(shopper, event).status_code == 200
    assert post_event(shopper, event).status_code == 200
    assert PayPalWebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert StatusChange.objects.filter(order=order, to_status=Status.PLACED).count() == 1


def test_forged_or_malformed_webhook_is_refused_and_changes_nothing(shopper, paypal):
    order, _payment, event = captured_on_paypal(shopper, paypal)
    assert post_event(shopper, event, forge=True).status_code == 400
    assert (
        shopper.post("/commande/paypal/webhook/", data="{not json", content_type="application/json").status_code == 400
    )
    order.refresh_from_db()
    assert order.status == Status.AWAITING_PAYMENT and not PayPalWebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "behaviour, detail", [({"capture_amount": "1.00"}, "amount 1.00"), ({"capture_currency": "USD"}, "currency USD")]
)
def test_tampered_capture_is_rejected_and_refunded(
    shopper, paypal, behaviour, detail, django_capture_on_commit_callbacks
):
    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    paypal.state.behaviour = behaviour
    with django_capture_on_commit_callbacks(execute=True):
        response = come_back(shopper, order, payment)
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == Status.AWAITING_PAYMENT and order.payment_state == Order.PaymentState.PENDING
    assert payment.state == PayPalPayment.State.REJECTED and detail in payment.detail
    assert PayPalRefund.objects.get(payment=payment).state == PayPalRefund.State.COMPLETED
    assert len(paypal.state.refunds) == 1
    assert "vérifié" in messages_of(response)
    assert_money_invariant()


def test_a_capture_for_another_order_is_refused(shopper, paypal, bastille):
    first, _ = pay_with_paypal(shopper, key="c" * 32)
    second, _ = pay_with_paypal(shopper, key="d" * 32)
    other = approve(paypal, second)
    response = come_back(shopper, first, other)  # first order's return URL, second's PayPal order
    assert "n'appartient pas" in messages_of(response)
    assert not paypal.state.captures
    assert set(Order.objects.values_list("payment_state", flat=True)) == {Order.PaymentState.PENDING}


def test_cancel_on_paypal_returns_to_checkout_with_the_cart_and_releases_stock(shopper, paypal, bastille):
    before = levels(bastille)
    order, _ = pay_with_paypal(shopper)
    payment = order.paypal_payments.get()
    response = shopper.get(f"/commande/paypal/annulation/{order.tracking_token}/?token={payment.paypal_order_id}")
    # The cart is the one-page checkout: its lines, then the form with what was typed.
    assert response.status_code == 302 and response["Location"] == "/commande/panier/"
    order.refresh_from_db()
    assert order.status == Status.CANCELLED and levels(bastille) == before
    assert len(shopper.session["cart"]["lines"]) == 2
    assert shopper.get(CHECKOUT).status_code == 200


def test_declined_payment_then_pay_on_delivery(shopper, paypal):
    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    paypal.state.behaviour = {"decline": True}
    response = come_back(shopper, order, payment)
    assert "refusé" in messages_of(response)
    order.refresh_from_db()
    assert order.status == Status.AWAITING_PAYMENT
    page = text_of(shopper.get(order.get_tracking_url()))
    assert "Payer avec PayPal" in page and "Payer plutôt à la livraison" in page

    shopper.post(f"/commande/paypal/sur-place/{order.tracking_token}/")
    order.refresh_from_db()
    assert order.status == Status.PLACED and order.payment_method == Order.PaymentMethod.ON_SITE
    assert_money_invariant()


def test_declined_payment_then_retry_succeeds(shopper, paypal):
    order, _ = pay_with_paypal(shopper)
    paypal.state.behaviour = {"decline": True}
    come_back(shopper, order, approve(paypal, order))
    paypal.state.behaviour = {}
    response = shopper.post(f"/commande/paypal/payer/{order.tracking_token}/")
    assert response["Location"].startswith(paypal.url + "/checkoutnow")
    come_back(shopper, order, approve(paypal, order))
    order.refresh_from_db()
    assert order.payment_state == Order.PaymentState.PAID and order.paypal_payments.count() == 2


def test_paypal_down_at_checkout_keeps_the_order(shopper, paypal, settings):
    settings.PAYPAL_MAX_RETRIES = 1
    paypal.state.behaviour = {"fail": 10}
    order, response = pay_with_paypal(shopper)
    assert response["Location"] == order.get_tracking_url()
    assert order.status == Status.AWAITING_PAYMENT and "PayPal est injoignable" in messages_of(response)
    paypal.state.behaviour = {}
    assert shopper.post(f"/commande/paypal/payer/{order.tracking_token}/")["Location"].startswith(paypal.url)


def test_paypal_down_during_capture_then_retry(shopper, paypal, settings):
    settings.PAYPAL_MAX_RETRIES = 1
    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    paypal.state.behaviour = {"fail": 10}
    come_back(shopper, order, payment)
    order.refresh_from_db()
    assert order.status == Status.AWAITING_PAYMENT and not paypal.state.captures
    paypal.state.behaviour = {}
    come_back(shopper, order, payment)
    order.refresh_from_db()
    assert order.payment_state == Order.PaymentState.PAID


def test_a_brief_outage_is_absorbed_by_retries(shopper, paypal, settings):
    settings.PAYPAL_MAX_RETRIES = 2
    order, _ = pay_with_paypal(shopper)
    payment = approve(paypal, order)
    paypal.state.behaviour = {"fail": 1}
    come_back(shopper, order, payment)
    order.refresh_from_db()
    assert order.payment_state == Order.PaymentState.PAID and len(paypal.state.captures) == 1


def test_slow_paypal_times_out_and_loses_nothing(shopper, paypal, settings):
    settings.PAYPAL_TIMEOUT, settings.PAYPAL_MAX_RETRIES = 1, 0
    paypal.state.behaviour = {"delay": 2.5}
    order, response = pay_with_paypal(shopper)
    assert response["Location"] == order.get_tracking_url() and order.status == Status.AWAITING_PAYMENT


def test_housekeeping_releases_unpaid_orders_and_settles_approved_ones(shopper, paypal, bastille, settings):
    before = levels(bastille)
    abandoned, _ = pay_with_paypal(shopper, key="e" * 32)
    approved, _ = pay_with_paypal(shopper, key="f" * 32)
    approve(paypal, approved)  # approved on PayPal, then the phone died
    Order.objects.update(created_at=timezone.now() - timedelta(minutes=settings.PAYPAL_PAYMENT_TIMEOUT_MINUTES + 1))
    call_command("paypal_housekeeping")
    abandoned.refresh_from_db()
    approved.refresh_from_db()
    assert abandoned.status == Status.CANCELLED
    assert approved.status == Status.PLACED and approved.payment_state == Order.PaymentState.PAID
    reserved = {k: before[k] - v for k, v in levels(bastille).items() if before[k] != v}
    assert reserved["Mozzarella"] == Decimal("360")  # only the paid order still holds stock (180 g + 2 × 90 g)
    assert_money_invariant()


def test_housekeeping_keeps_orders_while_paypal_is_down(shopper, paypal, settings):
    settings.PAYPAL_MAX_RETRIES = 0
    order, _ = pay_with_paypal(shopper)
    Order.objects.update(created_at=timezone.now() - timedelta(hours=2))
    paypal.state.behaviour = {"fail": 100}
    call_command("paypal_housekeeping")
    order.refresh_from_db()
    assert order.status == Status.AWAITING_PAYMENT


def paid_order(shopper, paypal):
    order, _ = pay_with_paypal(shopper)
    come_back(shopper, order, approve(paypal, order))
    order.refresh_from_db()
    assert order.payment_state == Order.PaymentState.PAID
    return order


def test_customer_cancelling_a_paid_order_is_refunded(shopper, paypal, django_capture_on_commit_callbacks):
    order = paid_order(shopper, paypal)
    with django_capture_on_commit_callbacks(execute=True):
        shopper.post(f"/commande/suivi/{order.tracking_token}/annuler/")
    order.refresh_from_db()
    assert order.status == Status.CANCELLED and order.payment_state == Order.PaymentState.REFUNDED
    refund = PayPalRefund.objects.get()
    assert refund.state == PayPalRefund.State.COMPLETED and refund.amount == order.total
    assert list(paypal.state.refunds.values())[0]["amount"] == {"currency_code": "EUR", "value": "39.50"}
    assert_money_invariant()


def test_refund_refused_by_an_outage_is_retried(shopper, paypal, settings, django_capture_on_commit_callbacks):
    settings.PAYPAL_MAX_RETRIES = 0
    order = paid_order(shopper, paypal)
    paypal.state.behaviour = {"fail": 1}
    with django_capture_on_commit_callbacks(execute=True):
        shopper.post(f"/commande/suivi/{order.tracking_token}/annuler/")
    assert PayPalRefund.objects.get().state == PayPalRefund.State.PENDING
    call_command("paypal_housekeeping")
    assert PayPalRefund.objects.get().state == PayPalRefund.State.COMPLETED
    order.refresh_from_db()
    assert order.payment_state == Order.PaymentState.REFUNDED and len(paypal.state.refunds) == 1
    assert_money_invariant()


def test_refund_webhook_marks_the_order_refunded(shopper, paypal):
    order = paid_order(shopper, paypal)
    capture_id = order.paypal_payments.get().capture_id
    resource = {
        "id": "REFUND1",
        "status": "COMPLETED",
        "amount": {"currency_code": "EUR", "value": "39.50"},
        "links": [{"href": f"{paypal.url}/v2/payments/captures/{capture_id}", "rel": "up", "method": "GET"}],
    }
    assert post_event(shopper, build_event("PAYMENT.CAPTURE.REFUNDED", resource)).status_code == 200
    order.refresh_from_db()
    assert order.payment_state == Order.PaymentState.REFUNDED
    assert_money_invariant()
