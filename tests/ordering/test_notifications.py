"""Customer e-mails: plain text, sent through the outbox once an order is placed, retried, never twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import Page

from home.models import RestaurantPage
from ordering.models import Notification, Order
from ordering.notifications import send_pending
from ordering.services import OrderDetails, cancel_by_customer, place_order, transition
from ordering.workflow import Fulfilment, Status
from tests.conftest import committed_db, delivery_form, issue_checkout_key, make_always_open, size_of
from tests.ordering.test_concurrency import run_at_once
from tests.payments.test_paypal import approve, come_back, pay_with_paypal

pytestmark = pytest.mark.django_db

AWKWARD_NAME = 'Zoé D\'Artagnan & Fils <Lyon> "Chez Zoé"'


def order_at(restaurant, fulfilment=Fulfilment.DELIVERY, **extra):
    fields = {
        "name": "Léa",
        "phone": "0612345678",
        "email": "lea@example.fr",
        "street_address": "1 rue de Lappe",
        "postcode": "75011",
        "city": "Paris",
        **extra,
    }
    return place_order(restaurant, {size_of("reine").pk: 2}, OrderDetails(fulfilment=fulfilment, **fields))


def test_plain_text_emails_are_not_html_escaped(bastille, django_capture_on_commit_callbacks):
    Page.objects.filter(pk=bastille.pk).update(title="L'Étoile & <Bastille>")
    with django_capture_on_commit_callbacks(execute=True):
        order = order_at(bastille, name=AWKWARD_NAME)
    with django_capture_on_commit_callbacks(execute=True):
        transition(order, Status.IN_PREPARATION)
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert AWKWARD_NAME in message.body
        assert "&#x27;" not in message.body + message.subject and "&amp;" not in message.body + message.subject
        assert "&lt;" not in message.body + message.subject and "&quot;" not in message.body
    confirmation = mail.outbox[0]
    assert confirmation.subject == f"Votre commande {order.number} chez L'Étoile & <Bastille>"
    assert "L'Étoile & <Bastille>" in confirmation.body


@pytest.fixture
def shopper(client, bastille, paypal):
    client.post("/commande/panier/ajouter/", {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 2})
    return client


def sent_statuses(order):
    return list(order.notifications.filter(sent_at__isnull=False).values_list("status", flat=True))


def test_an_order_placed_on_site_is_confirmed_through_the_outbox(client, bastille, django_capture_on_commit_callbacks):
    client.post("/commande/panier/ajouter/", {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 2})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/commande/valider/", delivery_form(checkout_key=issue_checkout_key(client)))
    order = Order.objects.get()
    assert sent_statuses(order) == [Status.PLACED]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["camille@example.fr"]
    assert mail.outbox[0].subject == f"Votre commande {order.number} chez {bastille.title}"
    assert "Merci pour votre commande" in mail.outbox[0].body


def test_a_confirmation_the_mail_server_refused_is_retried(bastille, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.ordering.failing_mail.Backend"
    with django_capture_on_commit_callbacks(execute=True):
        order = order_at(bastille)
    assert Order.objects.get(pk=order.pk).status == Status.PLACED  # placed whatever the mail server says
    notification = order.notifications.get()
    assert (
        notification.status == Status.PLACED and notification.sent_at is None and "refused" in notification.last_error
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notifications")
    assert sent_statuses(order) == [Status.PLACED] and "Merci pour votre commande" in mail.outbox[0].body


def test_phone_order_without_email_sends_nothing(bastille, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_at(bastille, email="", channel=Order.Channel.PHONE)
        transition(order, Status.IN_PREPARATION)
    assert not Notification.objects.exists() and mail.outbox == []


def test_paypal_order_is_confirmed_once_paid_not_before(shopper, paypal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order, _ = pay_with_paypal(shopper)
    assert mail.outbox == [] and not order.notifications.exists()
    with django_capture_on_commit_callbacks(execute=True):
        come_back(shopper, order, approve(paypal, order))
    order.refresh_from_db()
    assert order.status == Status.PLACED and order.payment_state == Order.PaymentState.PAID
    assert sent_statuses(order) == [Status.PLACED] and len(mail.outbox) == 1
    assert "Merci pour votre commande" in mail.outbox[0].body


def test_cancelling_on_paypal_sends_nothing(shopper, paypal, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order, _ = pay_with_paypal(shopper)
        payment = order.paypal_payments.get()
        shopper.get(f"/commande/paypal/annulation/{order.tracking_token}/?token={payment.paypal_order_id}")
    assert Order.objects.get(pk=order.pk).status == Status.CANCELLED
    assert mail.outbox == [] and not order.notifications.exists()


def test_an_unpaid_order_released_by_the_timeout_sends_nothing(
    shopper, paypal, settings, django_capture_on_commit_callbacks
):
    order, _ = pay_with_paypal(shopper)
    Order.objects.update(created_at=timezone.now() - timedelta(minutes=settings.PAYPAL_PAYMENT_TIMEOUT_MINUTES + 1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("paypal_housekeeping")
    assert Order.objects.get(pk=order.pk).status == Status.CANCELLED
    assert mail.outbox == [] and not order.notifications.exists()


def test_switching_to_pay_on_site_confirms_the_order(shopper, paypal, django_capture_on_commit_callbacks):
    order, _ = pay_with_paypal(shopper)
    with django_capture_on_commit_callbacks(execute=True):
        shopper.post(f"/commande/paypal/sur-place/{order.tracking_token}/")
    assert sent_statuses(order) == [Status.PLACED] and "Merci pour votre commande" in mail.outbox[0].body


def test_a_placed_order_cancelled_by_the_customer_is_told_so(bastille, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_at(bastille)
        cancel_by_customer(order)
    assert sent_statuses(order) == [Status.PLACED, Status.CANCELLED]
    assert "Annulée" in mail.outbox[1].subject


def test_each_status_change_emails_the_customer(bastille, django_capture_on_commit_callbacks):
    order = order_at(bastille)
    with django_capture_on_commit_callbacks(execute=True):
        transition(order, Status.IN_PREPARATION)
    assert len(mail.outbox) == 1 and "En préparation" in mail.outbox[0].subject
    assert order.get_tracking_url() in mail.outbox[0].body
    assert order.notifications.get(status=Status.IN_PREPARATION).sent_at is not None


def test_a_mail_failure_never_blocks_the_change_and_is_retried(bastille, settings, django_capture_on_commit_callbacks):
    order = order_at(bastille)
    order.notifications.update(sent_at=timezone.now())  # the confirmation went out
    settings.EMAIL_BACKEND = "tests.ordering.failing_mail.Backend"
    with django_capture_on_commit_callbacks(execute=True):
        transition(order, Status.IN_PREPARATION)
    assert Order.objects.get(pk=order.pk).status == Status.IN_PREPARATION
    notification = order.notifications.get(status=Status.IN_PREPARATION)
    assert notification.sent_at is None and "refused" in notification.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notifications")
    assert order.notifications.get(status=Status.IN_PREPARATION).sent_at is not None and len(mail.outbox) == 1


def test_links_point_at_the_public_site_not_the_admin(bastille, settings, django_capture_on_commit_callbacks):
    settings.WAGTAILADMIN_BASE_URL = "https://admin.ocpizza.example"
    settings.SITE_URL = "https://www.ocpizza.example/"
    with django_capture_on_commit_callbacks(execute=True):
        order = order_at(bastille)
    assert f"https://www.ocpizza.example{order.get_tracking_url()}" in mail.outbox[0].body
    assert "admin.ocpizza.example" not in mail.outbox[0].body


def test_a_notification_being_sent_elsewhere_is_left_alone_until_its_lease_ends(bastille, settings):
    settings.EMAIL_BACKEND = "tests.ordering.failing_mail.Backend"
    order = order_at(bastille)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    order.notifications.update(claimed_until=timezone.now() + timedelta(minutes=1))  # another process has it
    assert send_pending() == (0, 0) and mail.outbox == []
    order.notifications.update(claimed_until=timezone.now() - timedelta(seconds=1))  # that process died
    assert send_pending() == (1, 0) and sent_statuses(order) == [Status.PLACED]


@committed_db
def test_two_schedulers_at_once_send_each_notification_once(demo_committed, settings):
    restaurant = RestaurantPage.objects.get(slug="bastille")
    make_always_open(restaurant)
    settings.EMAIL_BACKEND = "tests.ordering.failing_mail.Backend"
    order = order_at(restaurant)  # its confirmation waits in the outbox
    Notification.objects.bulk_create(Notification(order=order, status=Status.IN_PREPARATION) for _ in range(11))
    settings.EMAIL_BACKEND = "tests.ordering.slow_mail.Backend"

    results = run_at_once([send_pending, send_pending])

    assert sum(sent for sent, _failed in results) == 12 and all(failed == 0 for _sent, failed in results)
    assert len(mail.outbox) == 12  # not one twice
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_emails_tell_what_is_owed_for_an_order_paid_on_site(bastille, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_at(bastille)
    with django_capture_on_commit_callbacks(execute=True):
        cancel_by_customer(order)
    confirmation, cancellation = mail.outbox
    assert "À payer à la livraison (espèces ou carte) : 25,50\u00a0€." in confirmation.body
    assert "Rien à payer." in cancellation.body and "À payer" not in cancellation.body


def test_emails_of_an_order_paid_with_paypal_never_ask_for_money(shopper, paypal, django_capture_on_commit_callbacks):
    order, _ = pay_with_paypal(shopper)
    with django_capture_on_commit_callbacks(execute=True):
        come_back(shopper, order, approve(paypal, order))
    with django_capture_on_commit_callbacks(execute=True):
        cancel_by_customer(order)
    confirmation, cancellation = mail.outbox
    assert "Payée en ligne avec PayPal : 25,50\u00a0€." in confirmation.body and "À payer" not in confirmation.body
    assert "Remboursement en cours : 25,50\u00a0€." in cancellation.body and "À payer" not in cancellation.body


def test_the_confirmation_gives_the_chosen_slot_not_an_estimate(bastille, django_capture_on_commit_callbacks):
    slot = timezone.localtime() + timedelta(hours=2)
    with django_capture_on_commit_callbacks(execute=True):
        order_at(bastille, fulfilment=Fulfilment.PICKUP, requested_for=slot, estimated_ready_at=slot)
    body = mail.outbox[0].body
    assert f"Prévue pour {slot:%H:%M}" in body or f"Prévue pour le {slot:%d/%m} à {slot:%H:%M}" in body
    assert "À payer au comptoir" in body and "estimée" not in body
