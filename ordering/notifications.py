"""Emails to customers. Sending never breaks the order: failures are logged."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from .models import Order

logger = logging.getLogger(__name__)


def absolute(path):
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def send_order_confirmation(order_pk):
    order = Order.objects.select_related("restaurant").prefetch_related("lines").get(pk=order_pk)
    with translation.override(settings.LANGUAGE_CODE):
        context = {"order": order, "tracking_url": absolute(order.get_tracking_url())}
        subject = render_to_string("ordering/email/confirmation_subject.txt", context).strip()
        body = render_to_string("ordering/email/confirmation.txt", context)
    try:
        send_mail(subject, body, None, [order.email])
    except Exception:  # the order is placed whatever the mail server says
        logger.exception("Could not send the confirmation of order %s", order.number)
