"""Paying online with PayPal: the order is created (stock reserved) awaiting
payment, the customer approves on PayPal, we capture and verify the capture
before marking the order paid. Captures are idempotent (PayPal-Request-Id and
our own records), so a return, a reload and a webhook give one paid order.
The order itself changes only through ordering.services; refunds are recorded
here, in the transaction that owes them, and sent once it commits (the
refund_recorded signal, ordering.receivers)."""

import logging
import re
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from .. import services, signals
from ..exceptions import MalformedEvent, NoLongerAwaitingPayment, PaymentDeclined, PaymentMismatch, TransitionNotAllowed
from ..models import PAYPAL_ID_LENGTH, REFUND_CUSTOM_ID_PREFIX, Order, PayPalPayment, PayPalRefund, PayPalWebhookEvent
from ..workflow import Status
from . import client
from .client import PayPalRefused, PayPalUnavailable

logger = logging.getLogger(__name__)


def approval_link(paypal_order):
    for link in paypal_order.get("links", []):
        if link.get("rel") in ("payer-action", "approve"):
            return link["href"]
    raise PayPalUnavailable("no approval link in PayPal's answer")


def begin(order, return_url, cancel_url):
    """Creates a PayPal order for our order's total; returns the URL to send the customer to."""
    attempt = order.paypal_payments.count() + 1
    paypal_order = client.create_order(order, return_url, cancel_url, request_id=f"create-{order.number}-{attempt}")
    PayPalPayment.objects.get_or_create(
        paypal_order_id=paypal_order["id"],
        defaults={"order": order, "amount": order.total, "currency": client.CURRENCY},
    )
    return approval_link(paypal_order)


def _first_capture(paypal_order):
    for unit in paypal_order.get("purchase_units", []):
        for capture in (unit.get("payments") or {}).get("captures", []):
            return unit, capture
    return None, None


def _awaits_payment(payment):
    return (
        payment.state != PayPalPayment.State.CANCELLED
        and Order.objects.filter(
            pk=payment.order_id, status=Status.AWAITING_PAYMENT, payment_state=Order.PaymentState.PENDING
        ).exists()
    )


def confirm(payment):
    """Captures an approved PayPal order (or reads the capture already made) and records it."""
    if payment.state == PayPalPayment.State.COMPLETED:
        return payment.order
    if payment.state != PayPalPayment.State.REJECTED and not _awaits_payment(payment):
        # Switched to paying on site, released or paid otherwise: nothing is captured.
        raise NoLongerAwaitingPayment(payment.order_id)
    try:
        paypal_order = client.capture_order(payment.paypal_order_id)
    except PayPalRefused as refusal:
        if refusal.issue == "ORDER_ALREADY_CAPTURED":
            paypal_order = client.get_order(payment.paypal_order_id)
        elif refusal.issue in (
            "INSTRUMENT_DECLINED",
            "PAYER_ACTION_REQUIRED",
            "ORDER_NOT_APPROVED",
            "PAYER_CANNOT_PAY",
        ):
            PayPalPayment.objects.filter(pk=payment.pk).exclude(state=PayPalPayment.State.COMPLETED).update(
                state=PayPalPayment.State.DECLINED, detail=refusal.issue
            )
            raise PaymentDeclined(refusal.issue) from refusal
        else:
            raise
    unit, capture = _first_capture(paypal_order)
    if capture is None:
        raise PayPalUnavailable("PayPal returned no capture")
    return record_capture(payment, capture, unit)


def record_capture(payment, capture, unit=None):
    """Records a capture once, after checking it matches the order exactly. The
    order is paid and placed if it still waits for this payment (a service
    decides, under the order's lock); otherwise the money is given back."""
    with transaction.atomic():
        order = services.lock_order(payment.order_id)
        payment = PayPalPayment.objects.select_for_update().get(pk=payment.pk)
        if payment.state == PayPalPayment.State.COMPLETED:
            return order
        if payment.state == PayPalPayment.State.REJECTED and payment.capture_id:
            raise PaymentMismatch(payment.detail)  # already recorded and refunded
        amount = capture.get("amount") or {}
        reference = (unit or {}).get("invoice_id") or capture.get("invoice_id")
        problems = []
        if capture.get("status") != "COMPLETED":
            problems.append(f"capture status {capture.get('status')}")
        if amount.get("currency_code") != client.CURRENCY:
            problems.append(f"currency {amount.get('currency_code')}")
        if Decimal(amount.get("value") or "0") != order.total:
            problems.append(f"amount {amount.get('value')} instead of {order.total}")
        if reference and reference != order.number:
            problems.append(f"capture for {reference}")
        payment.capture_id = capture.get("id")
        payment.captured_amount = Decimal(amount.get("value") or "0")
        payment.capture_currency = (amount.get("currency_code") or "")[:3]
        if problems:
            payment.state, payment.detail = PayPalPayment.State.REJECTED, "; ".join(problems)[:200]
            payment.save()
            logger.error(
                "PayPal capture %s rejected for order %s: %s", payment.capture_id, order.number, payment.detail
            )
            _record_refund(payment, payment.captured_amount, "capture rejected")
        else:
            payment.state, payment.detail = PayPalPayment.State.COMPLETED, ""
            awaited = services.accept_online_payment(order, note=f"PayPal {payment.capture_id}")
            if not awaited:  # paid after the order was released, switched to paying on site or paid otherwise
                payment.detail = "the order no longer waited for this payment: refunded"
            payment.save()
            if not awaited:
                _record_refund(payment, payment.captured_amount, "not awaited")
    if problems:
        raise PaymentMismatch("; ".join(problems))
    return Order.objects.get(pk=order.pk)


# --- refunds ----------------------------------------------------------------


def refunded_amount(payment):
    """What was given back (or is being given back) from this capture; a superseded
    request gave nothing back (the refund made another way has its own row)."""
    return payment.refunds.exclude(state=PayPalRefund.State.SUPERSEDED).aggregate(total=Sum("amount"))[
        "total"
    ] or Decimal("0.00")


def record_refunds(order, amount=None, reason=""):
    """The PayPal refunder (registered with ordering.services by OrderingConfig.ready):
    inside the order's transaction, records refunds of `amount` (or of all that
    remains captured) from the order's captures; they are sent to PayPal after commit."""
    left = amount
    captures = (
        order.paypal_payments.select_for_update().filter(state=PayPalPayment.State.COMPLETED).exclude(capture_id=None)
    )
    for payment in captures.order_by("created_at"):
        remaining = payment.captured_amount - refunded_amount(payment)
        part = remaining if left is None else min(left, remaining)
        if part > 0:
            _record_refund(payment, part, reason)
            if left is not None:
                left -= part
        if left is not None and left <= 0:
            return
    if left:
        raise ValueError(f"order {order.number}: {left} more to refund than PayPal captured")


def _record_refund(payment, amount, reason):
    refund = PayPalRefund.objects.create(
        payment=payment,
        amount=amount,
        currency=payment.capture_currency or payment.currency,
        reason=reason,
        request_id=f"refund-{uuid.uuid4().hex}",
    )
    signals.send_on_commit(signals.refund_recorded, PayPalRefund, refund=refund)
    return refund


def send_refund(refund_pk):
    """Asks PayPal for one recorded refund (on its refund_recorded signal, and by the
    housekeeping's retries), unless another worker is at it (skip locked). Each
    retry carries the refund's own PayPal-Request-Id: PayPal makes it once."""
    with transaction.atomic():
        refund = (
            PayPalRefund.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("payment")
            .filter(pk=refund_pk, state=PayPalRefund.State.PENDING)
            .first()
        )
        if refund is None:
            return False
        payment = refund.payment
        refund.attempts += 1
        try:
            answer = client.refund_capture(
                payment.capture_id,
                refund.amount,
                refund.currency,
                request_id=refund.request_id,
                custom_id=refund.custom_id(),
            )
        except (PayPalUnavailable, PayPalRefused) as error:
            if isinstance(error, PayPalRefused) and error.issue == "CAPTURE_FULLY_REFUNDED":
                # Given back another way (PayPal's dashboard): that refund is recorded from its
                # own webhook; this request refunded nothing, so it must not count too.
                refund.state, refund.last_error = PayPalRefund.State.SUPERSEDED, error.issue
                refund.save(update_fields=["state", "attempts", "last_error", "updated_at"])
                services.book_refund(payment.order, -refund.amount)  # the journal's refund is taken back
                logger.warning(
                    "PayPal refund %s of %s superseded: the capture was refunded another way",
                    refund.pk,
                    payment.capture_id,
                )
            else:
                refund.last_error = str(error)[:200]
                refund.save(update_fields=["attempts", "last_error", "updated_at"])
                logger.warning("PayPal refund %s of %s failed, will retry: %s", refund.pk, payment.capture_id, error)
                return False
        else:
            refund.state, refund.refund_id, refund.last_error = (
                PayPalRefund.State.COMPLETED,
                (answer.get("id") or "")[:PAYPAL_ID_LENGTH],
                "",
            )
            refund.save(update_fields=["state", "refund_id", "attempts", "last_error", "updated_at"])
    # Once the refund's lock is released: the order is locked first everywhere.
    _settle_refunded(payment.order_id)
    return True


def _settle_refunded(order_id):
    """A paid order of which PayPal gave everything back is marked refunded."""
    with transaction.atomic():
        order = services.lock_order(order_id)
        if order.payment_state != Order.PaymentState.PAID:
            return
        captures = order.paypal_payments.filter(state=PayPalPayment.State.COMPLETED).exclude(capture_id=None)
        kept = sum((p.captured_amount - refunded_amount(p) for p in captures), Decimal("0.00"))
        pending = PayPalRefund.objects.filter(payment__order=order, state=PayPalRefund.State.PENDING).exists()
        if kept <= 0 and not pending:
            services.mark_refunded(order)


# --- webhooks ---------------------------------------------------------------


AMOUNT = re.compile(r"^\d{1,7}(\.\d{1,2})?$")
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


def _text(value, field, limit=PAYPAL_ID_LENGTH, required=False):
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value) or len(value) > limit or "\x00" in value:
        raise MalformedEvent(field)
    return value


def _mapping(value, field):
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedEvent(field)
    return value


def check_event(event):
    """Checks every field the handling reads, before anything is written or asked of PayPal."""
    if not isinstance(event, dict):
        raise MalformedEvent("event")
    _text(event.get("id"), "id", required=True)
    _text(event.get("event_type"), "event_type", required=True)
    resource = _mapping(event.get("resource"), "resource")
    _text(resource.get("id"), "resource.id")
    _text(resource.get("status"), "resource.status")
    _text(resource.get("invoice_id"), "resource.invoice_id", limit=127)
    _text(resource.get("custom_id"), "resource.custom_id", limit=127)
    amount = _mapping(resource.get("amount"), "resource.amount")
    if amount:
        if not CURRENCY_CODE.match(_text(amount.get("currency_code"), "amount.currency_code", required=True)):
            raise MalformedEvent("amount.currency_code")
        if not AMOUNT.match(_text(amount.get("value"), "amount.value", required=True)):
            raise MalformedEvent("amount.value")
    related = _mapping(
        _mapping(resource.get("supplementary_data"), "supplementary_data").get("related_ids"), "related_ids"
    )
    _text(related.get("order_id"), "related_ids.order_id")
    links = resource.get("links", [])
    if not isinstance(links, list):
        raise MalformedEvent("resource.links")
    for link in links:
        if not isinstance(link, dict):
            raise MalformedEvent("resource.links")
        _text(link.get("rel"), "link.rel")
        _text(link.get("href"), "link.href", limit=2000)
    return event


def handle_event(event):
    """Acts on a verified, checked event, once per event id. Returns False for a
    replay. The event is recorded in the same transaction as its effect: if the
    handling fails, nothing is kept and PayPal's retry is processed."""
    check_event(event)
    resource = event.get("resource") or {}
    kind = event["event_type"]
    with transaction.atomic():
        _, created = PayPalWebhookEvent.objects.get_or_create(
            event_id=event["id"], defaults={"event_type": kind, "resource_id": resource.get("id") or ""}
        )
        if not created:
            return False
        if kind in ("PAYMENT.CAPTURE.COMPLETED", "PAYMENT.CAPTURE.DENIED"):
            _on_capture_event(event, kind, resource)
        elif kind == "PAYMENT.CAPTURE.REFUNDED":
            _on_refund_event(resource)
    return True


def _on_capture_event(event, kind, resource):
    order_id = ((resource.get("supplementary_data") or {}).get("related_ids") or {}).get("order_id")
    payment = PayPalPayment.objects.filter(paypal_order_id=order_id).first() if order_id else None
    if payment is None:
        logger.warning("PayPal event %s for an unknown PayPal order %s", event["id"], order_id)
    elif kind == "PAYMENT.CAPTURE.COMPLETED":
        try:
            record_capture(payment, resource)
        except PaymentMismatch:
            pass  # recorded, refunded and logged
    else:
        PayPalPayment.objects.filter(pk=payment.pk).exclude(state=PayPalPayment.State.COMPLETED).update(
            state=PayPalPayment.State.DECLINED, detail="PAYMENT.CAPTURE.DENIED"
        )


def _on_refund_event(resource):
    """A refund PayPal made: ours (its answer may not be back yet, or was lost),
    known by its id or by the custom_id we sent, or one made elsewhere (PayPal's
    dashboard), recorded as its own row so that the books match PayPal's. Never
    matched by amount alone: another pending refund may have the same amount."""
    capture_id = next(
        (
            link["href"].rstrip("/").rsplit("/", 1)[-1]
            for link in resource.get("links", [])
            if link.get("rel") == "up" and link.get("href")
        ),
        None,
    )
    payment = PayPalPayment.objects.filter(capture_id=capture_id).first() if capture_id else None
    if payment is None:
        return
    order = services.lock_order(payment.order_id)  # the lock order of every order change: the order first
    payment = PayPalPayment.objects.select_for_update().get(pk=payment.pk)
    # Every refund row of the capture, locked in a stable order: a send_refund in flight is
    # waited for, and its outcome (the refund id PayPal gave) is read once it commits.
    refunds = list(payment.refunds.select_for_update().order_by("pk"))
    refund_id, amount = resource.get("id") or "", resource.get("amount") or {}
    refund = next((r for r in refunds if refund_id and r.refund_id == refund_id), None)
    if refund is None:
        refund = next((r for r in refunds if _is_ours(r, resource.get("custom_id"))), None)
    if refund is None:
        value = Decimal(amount["value"]) if amount else payment.captured_amount - refunded_amount(payment)
        if value <= 0:
            return
        refund = PayPalRefund.objects.create(
            payment=payment,
            amount=value,
            currency=amount.get("currency_code") or payment.capture_currency or payment.currency,
            reason="refunded on PayPal",
            request_id=f"paypal-{refund_id or uuid.uuid4().hex}",
        )
        services.book_refund(order, value)
    PayPalRefund.objects.filter(pk=refund.pk).update(
        state=PayPalRefund.State.COMPLETED, refund_id=refund_id or refund.refund_id, last_error=""
    )
    _settle_refunded(payment.order_id)


def _is_ours(refund, custom_id):
    """The refund we tagged with this custom_id when asking PayPal for it."""
    return bool(custom_id) and custom_id.startswith(REFUND_CUSTOM_ID_PREFIX) and custom_id == refund.custom_id()


# --- periodic housekeeping --------------------------------------------------


def release_unpaid_orders(now=None):
    """Orders awaiting payment for too long: paid after all (capture recorded) or
    released (cancelled, stock returned). Returns (paid, released). Safe with two
    schedulers running: each order is taken, locked, in its own short transaction,
    and an order another worker holds is skipped. PayPal failing or refusing to
    answer leaves an order for the next run; any other error surfaces (a bug)."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=settings.PAYPAL_PAYMENT_TIMEOUT_MINUTES)
    paid = released = 0
    for order_pk in Order.objects.filter(status=Status.AWAITING_PAYMENT, created_at__lt=limit).values_list(
        "pk", flat=True
    ):
        outcome = _settle_or_release(order_pk)
        paid += outcome == "paid"
        released += outcome == "released"
    return paid, released


def _settle_or_release(order_pk):
    with transaction.atomic():
        order = (
            Order.objects.select_for_update(skip_locked=True)
            .filter(pk=order_pk, status=Status.AWAITING_PAYMENT)
            .first()
        )
        if order is None:
            return None  # another worker has it, or it moved on
        try:
            if any(
                _settle_from_paypal(payment)
                for payment in order.paypal_payments.exclude(state=PayPalPayment.State.REJECTED)
            ):
                return "paid"
        except (PayPalUnavailable, PayPalRefused) as error:
            # PayPal down, or refusing to tell: decide on the next run, never lose a payment.
            logger.warning("Order %s awaiting payment left for the next run: %s", order.number, error)
            return None
        try:
            services.cancel_awaiting_payment(order, "payment timeout")
        except TransitionNotAllowed:  # paid meanwhile
            logger.info("Order %s changed while being released", order.number)
            return None
        return "released"


def _settle_from_paypal(payment):
    """True if PayPal says this payment went through (now recorded)."""
    if payment.state == PayPalPayment.State.COMPLETED:
        return True
    paypal_order = client.get_order(payment.paypal_order_id)
    if paypal_order.get("status") == "APPROVED":
        try:
            confirm(payment)  # the customer approved but never came back
            return True
        except (PaymentDeclined, PaymentMismatch, NoLongerAwaitingPayment):
            return False
    unit, capture = _first_capture(paypal_order)
    if paypal_order.get("status") == "COMPLETED" and capture:
        try:
            record_capture(payment, capture, unit)
            return True
        except PaymentMismatch:
            return False
    return False


def retry_refunds():
    """Sends the refunds PayPal has not confirmed yet; a refund another worker is
    sending is skipped (send_refund locks it with skip_locked)."""
    done = 0
    for pk in PayPalRefund.objects.filter(state=PayPalRefund.State.PENDING).values_list("pk", flat=True):
        done += send_refund(pk)
    return done
