"""The customer's way back from PayPal, and PayPal's webhooks."""

import json
import logging
import re

from django.contrib import messages
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from ..cart import Cart
from ..exceptions import NoLongerAwaitingPayment, OrderError, PaymentDeclined, PaymentMismatch, TransitionNotAllowed
from ..forms import CheckoutDraft
from ..models import PAYPAL_ID_LENGTH, Order, PayPalPayment
from ..services import cancel_awaiting_payment, switch_to_pay_on_site
from ..workflow import Status
from . import client, payments
from .client import PayPalRefused, PayPalUnavailable
from .gateway import PayByPayPal

logger = logging.getLogger(__name__)


def _awaiting(token):
    return get_object_or_404(Order.objects.select_related("restaurant"), tracking_token=token)


PAYPAL_ORDER_ID = re.compile(rf"[A-Za-z0-9-]{{1,{PAYPAL_ID_LENGTH}}}")


def _payment(order, request):
    """The PayPal order named in the return URL, which must belong to this order."""
    paypal_order_id = request.GET.get("token", "")
    if not PAYPAL_ORDER_ID.fullmatch(paypal_order_id):
        return None  # not a PayPal order id (a NUL would not even reach the database)
    return PayPalPayment.objects.filter(order=order, paypal_order_id=paypal_order_id).first()


@require_GET
def paypal_return(request, tracking_token):
    order = _awaiting(tracking_token)
    payment = _payment(order, request)
    if payment is None:
        messages.error(request, _("This PayPal payment does not belong to this order; nothing was charged to it."))
        return redirect(order.get_tracking_url())
    try:
        order = payments.confirm(payment)
    except NoLongerAwaitingPayment:
        messages.error(request, _("This order no longer waits for a payment; nothing was charged."))
    except PaymentDeclined:
        messages.error(
            request, _("PayPal declined the payment. You can try again, or pay on delivery / at the counter.")
        )
    except PaymentMismatch:
        messages.error(
            request,
            _(
                "The payment could not be verified and will be refunded. Your order is kept: try again or pay on delivery."
            ),
        )
    except (PayPalUnavailable, PayPalRefused):
        messages.error(
            request,
            _("PayPal cannot be reached right now. Your order is kept: try again in a moment, or pay on delivery."),
        )
    else:
        if order.payment_state == Order.PaymentState.PAID and order.payment_method == Order.PaymentMethod.PAYPAL:
            Cart(request.session).clear()
            CheckoutDraft(request.session).order_placed()
            messages.success(
                request,
                _("Thank you! Your payment is received and your order %(number)s is placed.")
                % {"number": order.number},
            )
        else:
            messages.error(request, _("This order no longer waited for a payment; the amount taken is refunded."))
    return redirect(order.get_tracking_url())


@require_GET
def paypal_cancel(request, tracking_token):
    """Cancelled on PayPal's page: release the order, back to the checkout with the
    cart and every detail typed (kept in the session by the checkout)."""
    order = _awaiting(tracking_token)
    payment = _payment(order, request)
    if payment:
        try:
            cancel_awaiting_payment(order, "payment cancelled on PayPal")
        except TransitionNotAllowed:  # no longer waiting: say what happened instead
            order.refresh_from_db()
            if order.payment_state == Order.PaymentState.PAID and order.payment_method == Order.PaymentMethod.PAYPAL:
                messages.info(request, _("This order is already paid; it is kept."))
            elif order.status == Status.CANCELLED:
                messages.info(request, _("This order was already cancelled; nothing was charged."))
            else:
                messages.info(request, _("This order is kept, to be paid on delivery / at the counter."))
            return redirect(order.get_tracking_url())
    messages.info(
        request,
        _(
            "Payment cancelled on PayPal: nothing was charged. Your order is as you left it: "
            "pay again, or choose to pay on delivery."
        ),
    )
    return redirect("ordering:cart")


@require_POST
def paypal_retry(request, tracking_token):
    order = _awaiting(tracking_token)
    if order.status != Status.AWAITING_PAYMENT:
        return redirect(order.get_tracking_url())
    return PayByPayPal().start(request, order)


@require_POST
def pay_on_site_instead(request, tracking_token):
    order = _awaiting(tracking_token)
    try:
        switch_to_pay_on_site(order)
    except OrderError as error:
        messages.error(request, str(error))
    else:
        Cart(request.session).clear()
        CheckoutDraft(request.session).order_placed()
        messages.success(
            request,
            _("Your order %(number)s is placed; you will pay on delivery / at the counter.") % {"number": order.number},
        )
    return redirect(order.get_tracking_url())


@csrf_exempt
@require_POST
def webhook(request):
    """PayPal's notifications: verified with PayPal before anything is done."""
    try:
        event = payments.check_event(json.loads(request.body))
    except (ValueError, RecursionError):  # not JSON, or not shaped like PayPal's events
        return HttpResponseBadRequest("invalid event")
    try:
        verified = client.verify_webhook(request.headers, event)
    except PayPalUnavailable:
        return HttpResponse("verification unavailable, retry later", status=503)
    if not verified:
        logger.warning("Unverified PayPal webhook %s refused", event.get("id"))
        return HttpResponseBadRequest("unverified")
    try:
        payments.handle_event(event)
    except PayPalUnavailable:  # nothing kept: PayPal sends the event again later
        return HttpResponse("temporarily unavailable, retry later", status=503)
    return HttpResponse("ok")
