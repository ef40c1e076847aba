"""PayPal webhooks: recorded in the same transaction as their effect, and hostile
(though signed) events answered 400 with nothing written."""

import json

import pytest
from django.test import Client

from devtools.fake_paypal import build_event
from ordering.models import Order, PayPalRefund, PayPalWebhookEvent
from ordering.paypal import payments
from ordering.workflow import Status
from tests.payments.money import assert_money_invariant
from tests.payments.test_paypal import captured_on_paypal, paid_order, post_event, shopper  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_failed_handling_is_left_for_paypals_retry(shopper, paypal, monkeypatch):
    order, _payment, event = captured_on_paypal(shopper, paypal)
    real, calls = payments.record_capture, []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database hiccup")
        return real(*args, **kwargs)

    monkeypatch.setattr(payments, "record_capture", fails_once)
    failing = Client(raise_request_exception=False)
    assert post_event(failing, event).status_code == 500
    assert not PayPalWebhookEvent.objects.exists()
    order.refresh_from_db()
    assert order.status == Status.AWAITING_PAYMENT

    assert post_event(shopper, event).status_code == 200  # PayPal's retry
    order.refresh_from_db()
    assert order.status == Status.PLACED and order.payment_state == Order.PaymentState.PAID
    assert PayPalWebhookEvent.objects.filter(event_id=event["id"]).count() == 1
    assert_money_invariant()


def refund_resource(paypal, capture_id, **overrides):
    resource = {
        "id": "REFUND1",
        "status": "COMPLETED",
        "amount": {"currency_code": "EUR", "value": "39.50"},
        "links": [{"href": f"{paypal.url}/v2/payments/captures/{capture_id}", "rel": "up", "method": "GET"}],
    }
    resource.update(overrides)
    return resource


@pytest.mark.parametrize(
    "overrides",
    [
        {"links": "not a list"},
        {"links": {"rel": "up"}},
        {"links": [1, 2]},
        {"links": [{"rel": "up", "href": 7}]},
        {"amount": "39.50"},
        {"amount": {"currency_code": "EUR", "value": "abc"}},
        {"amount": {"currency_code": "€", "value": "1.00"}},
        {"amount": {"currency_code": "EUR", "value": "1" * 40}},
        {"id": "R" * 65},
        {"id": 12},
        {"id": "A\x00B"},
        {"supplementary_data": "x"},
        {"supplementary_data": {"related_ids": ["x"]}},
        {"custom_id": 5},
        {"custom_id": "c" * 128},
        {"custom_id": "ocpizza-refund-1\x00"},
    ],
)
def test_hostile_refund_event_is_refused_and_writes_nothing(shopper, paypal, overrides):
    order = paid_order(shopper, paypal)
    resource = refund_resource(paypal, order.paypal_payments.get().capture_id, **overrides)
    assert post_event(shopper, build_event("PAYMENT.CAPTURE.REFUNDED", resource)).status_code == 400
    order.refresh_from_db()
    assert order.payment_state == Order.PaymentState.PAID
    assert not PayPalRefund.objects.exists() and not PayPalWebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "event_overrides",
    [
        {"id": "WH-" + "X" * 62},
        {"id": ""},
        {"id": ["WH-1"]},
        {"event_type": "X" * 65},
        {"resource": []},
        {"resource": "x"},
    ],
)
def test_hostile_event_fields_are_refused(shopper, paypal, event_overrides):
    order, _payment, event = captured_on_paypal(shopper, paypal)
    event.update(event_overrides)
    assert post_event(shopper, event).status_code == 400
    order.refresh_from_db()
    assert order.status == Status.AWAITING_PAYMENT and not PayPalWebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "body", ["[]", "1", '"x"', "null", "[" * 100000 + "]" * 100000, '{"id": "a", "event_type": null}']
)
def test_webhook_bodies_that_are_not_events(client, paypal, body):
    assert client.post("/commande/paypal/webhook/", data=body, content_type="application/json").status_code == 400
    assert not PayPalWebhookEvent.objects.exists()


def test_a_sixty_four_character_event_id_is_accepted(shopper, paypal):
    order, _payment, event = captured_on_paypal(shopper, paypal)
    event["id"] = "WH-" + "X" * 61
    assert post_event(shopper, event).status_code == 200
    assert PayPalWebhookEvent.objects.get().event_id == event["id"]
    assert json.loads(json.dumps(event))["id"] == event["id"]
