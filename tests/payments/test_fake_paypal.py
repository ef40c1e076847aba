"""The fake PayPal answers in PayPal's published shapes (Orders v2, Payments v2)."""

import re
import urllib.parse
from decimal import Decimal

import pytest
import requests

from ordering.paypal import client as paypal_api
from tests.payments.test_paypal import pay_with_paypal, shopper  # noqa: F401

pytestmark = pytest.mark.django_db
PAYPAL_ACCOUNT_ID = re.compile(r"^[2-9A-HJ-NP-Z]{13}$")


def test_the_approval_page_returns_a_paypal_shaped_payer_id(shopper, paypal):
    order, response = pay_with_paypal(shopper)
    payment = order.paypal_payments.get()
    approved = requests.post(
        f"{paypal.url}/checkoutnow/approve", data={"token": payment.paypal_order_id}, allow_redirects=False
    )
    assert approved.status_code == 303
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(approved.headers["Location"]).query)
    payer_id = query["PayerID"][0]
    assert PAYPAL_ACCOUNT_ID.match(payer_id) and query["token"] == [payment.paypal_order_id]

    shown = paypal_api.get_order(payment.paypal_order_id)
    assert shown["status"] == "APPROVED" and shown["payer"]["payer_id"] == payer_id
    assert shown["payment_source"]["paypal"]["account_id"] == payer_id
    assert {link["rel"] for link in shown["links"]} == {"self", "capture"}


def test_an_order_not_approved_yet_has_no_payer(shopper, paypal):
    order, _ = pay_with_paypal(shopper)
    shown = paypal_api.get_order(order.paypal_payments.get().paypal_order_id)
    assert shown["status"] == "PAYER_ACTION_REQUIRED" and "payer" not in shown
    assert {link["rel"] for link in shown["links"]} == {"self", "payer-action"}


def test_a_refund_answers_with_the_payments_v2_refund_shape(shopper, paypal):
    order, _ = pay_with_paypal(shopper)
    payment = order.paypal_payments.get()
    requests.post(f"{paypal.url}/_fake/approve/{payment.paypal_order_id}")
    capture = paypal_api.capture_order(payment.paypal_order_id)["purchase_units"][0]["payments"]["captures"][0]
    refund = paypal_api.refund_capture(capture["id"], Decimal("5.00"), "EUR", request_id="shape-1")
    assert set(refund) >= {"id", "status", "amount", "links", "create_time", "update_time"}
    assert refund["status"] == "COMPLETED" and refund["amount"] == {"currency_code": "EUR", "value": "5.00"}
    links = {link["rel"]: link["href"] for link in refund["links"]}
    assert links["self"].endswith(f"/v2/payments/refunds/{refund['id']}") and links["up"].endswith(
        f"/v2/payments/captures/{capture['id']}"
    )
    assert "capture_id" not in refund  # the fake's own bookkeeping stays out of PayPal's shape
