"""E-mails to customers about their orders, through an outbox: each e-mail is a
`Notification` row written in the transaction that places or moves the order,
sent once that transaction commits (ordering.receivers, on the order's signal),
and retried by `send_notifications` until it goes out. Sending never breaks the
order: failures are recorded and logged."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Notification
from .wording import payment_note, time_note
from .workflow import Status

# Nothing to say while the customer is on PayPal's page: the order exists for
# them once it is placed (paid, or to be paid on site).
SILENT = {Status.AWAITING_PAYMENT}
MAX_ATTEMPTS = 10
# Far longer than one send can take (EMAIL_TIMEOUT): a process that died while
# sending leaves its notification to the others once this has passed.
CLAIM_LEASE = timedelta(minutes=5)

logger = logging.getLogger(__name__)


def customer_url(path):
    """An absolute link on the public site (see SITE_URL in settings)."""
    return settings.SITE_URL.rstrip("/") + path


def _was_placed(order):
    return order.status_changes.filter(to_status=Status.PLACED).exists()


def queue_status_change(order, status):
    """Called inside the transaction that gives the order this status (its
    first one included): the e-mail to send is recorded with it and returned
    (None: nothing to say), for the change's signal, on whose commit it is sent.
    PLACED sends the confirmation ("thank you for your order"), the others the
    new status."""
    if status in SILENT or not order.email:
        return None
    if status == Status.CANCELLED and not _was_placed(order):
        return None  # released while awaiting payment: the customer never had an order to cancel
    return Notification.objects.create(order=order, status=status)


def _claim(pk=None, exclude=()):
    """Takes one due notification (this one, or the oldest not in exclude) for this
    process, in a short transaction: its lease keeps every other process (another
    scheduler, the on-commit send) away from it while the mail server answers.
    Returns its pk, or None."""
    now = timezone.now()
    with transaction.atomic():
        due = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        )
        if pk is not None:
            due = due.filter(pk=pk)
        if exclude:
            due = due.exclude(pk__in=exclude)
        claimed = due.order_by("pk").values_list("pk", flat=True).first()
        if claimed is not None:
            Notification.objects.filter(pk=claimed).update(claimed_until=now + CLAIM_LEASE, attempts=F("attempts") + 1)
    return claimed


def send_notification(pk):
    """Sends one notification if no other process has it; a failure is recorded
    for `send_notifications` to retry. True once it is sent."""
    if _claim(pk) is None:  # sent already, given up, or being sent elsewhere
        return Notification.objects.filter(pk=pk, sent_at__isnull=False).exists()
    return _send_claimed(pk)


def _send_claimed(pk):
    notification = Notification.objects.select_related("order__restaurant").get(pk=pk)
    order = notification.order
    template = "confirmation" if notification.status == Status.PLACED else "status"
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "order": order,
            "status": Status(notification.status).label,
            "payment": payment_note(order),
            "time": time_note(order),
            "tracking_url": customer_url(order.get_tracking_url()),
        }
        subject = render_to_string(f"ordering/email/{template}_subject.txt", context).strip()
        body = render_to_string(f"ordering/email/{template}.txt", context)
    try:
        send_mail(subject, body, None, [order.email])
    except Exception as error:  # never breaks the status change; retried later
        logger.warning("Notification %s for order %s not sent: %s", pk, order.number, error)
        Notification.objects.filter(pk=pk).update(last_error=str(error)[:200], claimed_until=None)
        return False
    Notification.objects.filter(pk=pk).update(sent_at=timezone.now(), last_error="", claimed_until=None)
    return True


def send_pending():
    """Retries the notifications that could not be sent; returns (sent, failed).
    Safe with several schedulers at once: each notification is claimed by one."""
    sent = failed = 0
    tried = []  # a failure is released for the next run, not retried in this one
    while True:
        pk = _claim(exclude=tried)
        if pk is None:
            return sent, failed
        tried.append(pk)
        if _send_claimed(pk):
            sent += 1
        else:
            failed += 1
