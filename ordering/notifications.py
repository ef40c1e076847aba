"""Emails to customers. Sending never breaks the order: failures are logged."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification, Order
from .workflow import Status

# The customer already has the confirmation for these; the others get an email.
SILENT = {Status.AWAITING_PAYMENT, Status.PLACED}
MAX_ATTEMPTS = 10

logger = logging.getLogger(__name__)


def absolute(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def send_order_confirmation(order_pk):
    order = Order.objects.select_related("restaurant").prefetch_related("lines").get(pk=order_pk)
    if not order.email:  # a phone or counter order without an address
        return
    with translation.override(settings.LANGUAGE_CODE):
        context = {"order": order, "tracking_url": absolute(order.get_tracking_url())}
        subject = render_to_string("ordering/email/confirmation_subject.txt", context).strip()
        body = render_to_string("ordering/email/confirmation.txt", context)
    try:
        send_mail(subject, body, None, [order.email])
    except Exception:  # the order is placed whatever the mail server says
        logger.exception("Could not send the confirmation of order %s", order.number)


def queue_status_change(order, status):
    """Called inside the status change's transaction: the email to send is
    recorded with it, and sent once the change is committed."""
    if status in SILENT or not order.email:
        return
    notification = Notification.objects.create(order=order, status=status)
    transaction.on_commit(lambda: send_notification(notification.pk))


def send_notification(pk):
    """Sends one notification; a failure is recorded for `send_notifications` to retry."""
    notification = Notification.objects.select_related("order__restaurant").get(pk=pk)
    if notification.sent_at:
        return True
    order = notification.order
    with translation.override(settings.LANGUAGE_CODE):
        context = {"order": order, "status": Status(notification.status).label, "tracking_url": absolute(order.get_tracking_url())}
        subject = render_to_string("ordering/email/status_subject.txt", context).strip()
        body = render_to_string("ordering/email/status.txt", context)
    Notification.objects.filter(pk=pk).update(attempts=F("attempts") + 1)
    try:
        send_mail(subject, body, None, [order.email])
    except Exception as error:  # never breaks the status change; retried later
        logger.warning("Notification %s for order %s not sent: %s", pk, order.number, error)
        Notification.objects.filter(pk=pk).update(last_error=str(error)[:200])
        return False
    Notification.objects.filter(pk=pk).update(sent_at=timezone.now(), last_error="")
    return True


def send_pending():
    """Retries the notifications that could not be sent; returns (sent, still pending)."""
    sent = failed = 0
    for pk in Notification.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True):
        if send_notification(pk):
            sent += 1
        else:
            failed += 1
    return sent, failed
