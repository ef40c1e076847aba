"""Customer e-mails: plain text, sent through the outbox once an order is placed, retried, never twice."""

import pytest
from django.core import mail
from wagtail.models import Page

from ordering.services import OrderDetails, place_order, transition
from ordering.workflow import Fulfilment, Status
from tests.conftest import size_of

pytestmark = pytest.mark.django_db

AWKWARD_NAME = "Zoé D'Artagnan & Fils <Lyon> \"Chez Zoé\""


def order_at(restaurant, fulfilment=Fulfilment.DELIVERY, **extra):
    fields = {"name": "Léa", "phone": "0612345678", "email": "lea@example.fr", "street_address": "1 rue de Lappe",
              "postcode": "75011", "city": "Paris", **extra}
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
