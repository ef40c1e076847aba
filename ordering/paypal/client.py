"""PayPal REST (Orders v2) through PayPal's official server SDK.

Every call has a time-out and bounded retries with back-off (POSTs included:
each carries a PayPal-Request-Id, so PayPal runs a retried call once). Errors
come out as PayPalUnavailable (outage, time-out, 5xx: try again later) or
PayPalRefused (PayPal answered no: declined, already captured...).
"""

import json
import logging
from functools import lru_cache

import requests
from apimatic_core.exceptions.auth_validation_exception import AuthValidationException
from django.conf import settings
from paypalserversdk.configuration import Configuration, Environment, Server
from paypalserversdk.exceptions.api_exception import ApiException
from paypalserversdk.http.auth.o_auth_2 import ClientCredentialsAuthCredentials
from paypalserversdk.models.amount_breakdown import AmountBreakdown
from paypalserversdk.models.amount_with_breakdown import AmountWithBreakdown
from paypalserversdk.models.checkout_payment_intent import CheckoutPaymentIntent
from paypalserversdk.models.item import Item
from paypalserversdk.models.money import Money
from paypalserversdk.models.order_request import OrderRequest
from paypalserversdk.models.payment_source import PaymentSource
from paypalserversdk.models.paypal_wallet import PaypalWallet
from paypalserversdk.models.paypal_wallet_experience_context import PaypalWalletExperienceContext
from paypalserversdk.models.purchase_unit_request import PurchaseUnitRequest
from paypalserversdk.models.refund_request import RefundRequest
from paypalserversdk.paypal_serversdk_client import PaypalServersdkClient

logger = logging.getLogger(__name__)
CURRENCY = "EUR"
LIVE_URLS = {"sandbox": "https://api-m.sandbox.paypal.com", "live": "https://api-m.paypal.com"}


class PayPalUnavailable(Exception):
    """PayPal could not be reached or failed; nothing is known to have happened."""


class PayPalRefused(Exception):
    def __init__(self, status, issue, message):
        self.status, self.issue = status, issue
        super().__init__(f"{status} {issue}: {message}")


def base_url():
    return settings.PAYPAL_FAKE_URL if settings.PAYPAL_MODE == "fake" else LIVE_URLS[settings.PAYPAL_MODE]


class _Configuration(Configuration):
    """The SDK's configuration, with the base URL chosen by PAYPAL_MODE (the fake one included)."""

    def __init__(self, url, **options):
        super().__init__(**options)
        self._url = url

    def get_base_uri(self, server=Server.DEFAULT):
        return self._url


@lru_cache(maxsize=4)
def _sdk(url, client_id, secret, timeout, retries):
    config = _Configuration(
        url,
        timeout=timeout,
        max_retries=retries,
        backoff_factor=0.5,
        retry_statuses=[408, 429, 500, 502, 503, 504],
        retry_methods=["GET", "POST"],
        environment=Environment.PRODUCTION if settings.PAYPAL_MODE == "live" else Environment.SANDBOX,
        client_credentials_auth_credentials=ClientCredentialsAuthCredentials(
            o_auth_client_id=client_id, o_auth_client_secret=secret
        ),
    )
    return PaypalServersdkClient(config=config)


def sdk():
    return _sdk(
        base_url(),
        settings.PAYPAL_CLIENT_ID,
        settings.PAYPAL_CLIENT_SECRET,
        settings.PAYPAL_TIMEOUT,
        settings.PAYPAL_MAX_RETRIES,
    )


def _call(what, call, retry_auth=True):
    try:
        response = call()
    except ApiException as error:
        if error.response_code == 401 and retry_auth:
            # The cached OAuth token was refused (revoked, credentials rotated): start afresh once.
            _sdk.cache_clear()
            return _call(what, call, retry_auth=False)
        status = error.response_code
        body = _json(getattr(error.response, "text", ""))
        if status >= 500 or status in (408, 429):
            raise PayPalUnavailable(f"{what}: PayPal answered {status}") from error
        issue = ((body.get("details") or [{}])[0].get("issue")) or body.get("name") or body.get("error") or "ERROR"
        raise PayPalRefused(status, issue, body.get("message") or body.get("error_description") or "") from error
    except (requests.RequestException, OSError, AuthValidationException) as error:
        raise PayPalUnavailable(f"{what}: {error}") from error
    if response.status_code >= 500:
        raise PayPalUnavailable(f"{what}: PayPal answered {response.status_code}")
    return _json(response.text)


def _json(text):
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def _money(amount, currency=CURRENCY):
    return Money(currency_code=currency, value=f"{amount:.2f}")


def order_request(order, return_url, cancel_url):
    """The Orders v2 request for one of our orders: amounts from the order, in EUR."""
    lines = list(order.lines.all())
    items = [
        Item(
            name=f"{line.product_name} {line.size_label}".strip()[:127],
            unit_amount=_money(line.unit_price),
            quantity=str(line.quantity),
            sku=str(line.size_id or ""),
            category="PHYSICAL_GOODS",
        )
        for line in lines
    ]
    breakdown = AmountBreakdown(item_total=_money(order.subtotal), shipping=_money(order.delivery_fee))
    if order.discount:  # the offers' lines (offers.OrderDiscount): total = items + shipping - discount
        breakdown.discount = _money(order.discount)
    unit = PurchaseUnitRequest(
        reference_id=order.number,
        invoice_id=order.number,
        custom_id=str(order.pk),
        description=f"OC Pizza — {order.restaurant.title}"[:127],
        amount=AmountWithBreakdown(currency_code=CURRENCY, value=f"{order.total:.2f}", breakdown=breakdown),
        items=items,
    )
    context = PaypalWalletExperienceContext(
        brand_name="OC Pizza",
        locale="fr-FR",
        shipping_preference="NO_SHIPPING",
        user_action="PAY_NOW",
        return_url=return_url,
        cancel_url=cancel_url,
    )
    return OrderRequest(
        intent=CheckoutPaymentIntent.CAPTURE,
        purchase_units=[unit],
        payment_source=PaymentSource(paypal=PaypalWallet(experience_context=context)),
    )


def create_order(order, return_url, cancel_url, request_id):
    return _call(
        "create order",
        lambda: sdk().orders.create_order(
            {
                "body": order_request(order, return_url, cancel_url),
                "paypal_request_id": request_id,
                "prefer": "return=representation",
            }
        ),
    )


def get_order(paypal_order_id):
    return _call("get order", lambda: sdk().orders.get_order({"id": paypal_order_id}))


def capture_order(paypal_order_id):
    return _call(
        "capture",
        lambda: sdk().orders.capture_order(
            {
                "id": paypal_order_id,
                "paypal_request_id": f"capture-{paypal_order_id}",
                "prefer": "return=representation",
            }
        ),
    )


def refund_capture(capture_id, amount, currency, request_id, custom_id=None):
    """Refunds `amount` of a capture, in the capture's currency (PayPal refuses another).
    `custom_id` tags the refund as ours: PayPal returns it in the refund and its webhook."""
    body = RefundRequest(amount=_money(amount, currency), **({"custom_id": custom_id} if custom_id else {}))
    return _call(
        "refund",
        lambda: sdk().payments.refund_captured_payment(
            {
                "capture_id": capture_id,
                "body": body,
                "paypal_request_id": request_id,
                "prefer": "return=representation",
            }
        ),
    )


def verify_webhook(headers, event):
    """PayPal's verify-webhook-signature API (not in the SDK): True only on SUCCESS."""
    try:
        access = sdk().oauth_2.fetch_token().access_token
    except (ApiException, AuthValidationException, requests.RequestException, OSError, AttributeError) as error:
        raise PayPalUnavailable(f"verify webhook: no OAuth token ({error})") from error
    payload = {
        "auth_algo": headers.get("PAYPAL-AUTH-ALGO", ""),
        "cert_url": headers.get("PAYPAL-CERT-URL", ""),
        "transmission_id": headers.get("PAYPAL-TRANSMISSION-ID", ""),
        "transmission_sig": headers.get("PAYPAL-TRANSMISSION-SIG", ""),
        "transmission_time": headers.get("PAYPAL-TRANSMISSION-TIME", ""),
        "webhook_id": settings.PAYPAL_WEBHOOK_ID,
        "webhook_event": event,
    }
    try:
        response = requests.post(
            f"{base_url()}/v1/notifications/verify-webhook-signature",
            json=payload,
            headers={"Authorization": f"Bearer {access}"},
            timeout=settings.PAYPAL_TIMEOUT,
        )
    except requests.RequestException as error:
        raise PayPalUnavailable(f"verify webhook: {error}") from error
    if response.status_code >= 500:
        raise PayPalUnavailable(f"verify webhook: {response.status_code}")
    return response.ok and _json(response.text).get("verification_status") == "SUCCESS"
