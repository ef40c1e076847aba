"""E-mails to customers about their orders, through an outbox: each e-mail is a
`Notification` row written in the transaction that places or moves the order,
sent once that transaction commits, and retried by `send_notifications` until
it goes out. Sending never breaks the order: failures are recorded and logged."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification
from .workflow import Status

# Nothing to say while the customer is on PayPal's page: the order exists for
# them once it is placed (paid, or to be paid on site).
SILENT = {Status.AWAITING_PAYMENT}
MAX_ATTEMPTS = 10

logger = logging.getLogger(__name__)


def customer_url(path):
    """An absolute link on the public site (see SITE_URL in settings)."""
    return settings.SITE_URL.rstrip("/") + path


def _was_placed(order):
    return order.status_changes.filter(to_status=Status.PLACED).exists()


def queue_status_change(order, status):
    """Called inside the transaction that gives the order this status (its
    first one included): the e-mail to send is recorded with it, and sent once
    the change is committed. PLACED sends the confirmation ("thank you for your
    order"), the others the new status."""
    if status in SILENT or not order.email:
        return
    if status == Status.CANCELLED and not _was_placed(order):
        return  # released while awaiting payment: the customer never had an order to cancel
    notification = Notification.objects.create(order=order, status=status)
    transaction.on_commit(lambda: send_notification(notification.pk))


def send_notification(pk):
    """Sends one notification; a failure is recorded for `send_notifications` to retry."""
    notification = Notification.objects.select_related("order__restaurant").get(pk=pk)
    if notification.sent_at:
        return True
    order = notification.order
    template = "confirmation" if notification.status == Status.PLACED else "status"
    with translation.override(settings.LANGUAGE_CODE):
        context = {"order": order, "status": Status(notification.status).label,
                   "tracking_url": customer_url(order.get_tracking_url())}
        subject = render_to_string(f"ordering/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"ordering/email/{template}.txt", context)
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
