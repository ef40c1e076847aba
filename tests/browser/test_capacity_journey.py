"""The oven's capacity in Chromium: a time that got full while the customer was typing
comes back as "prochain créneau libre", chosen, with everything typed kept."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from ordering.models import CapacitySettings, Order
from ordering.services import OrderDetails, place_order
from ordering.workflow import Fulfilment
from tests.browser.test_checkout_journey import fill_details, give_cart, pay_button
from tests.conftest import committed_db, size_of

pytestmark = [pytest.mark.browser, committed_db]
CART = "/commande/panier/"


def test_a_time_full_meanwhile_offers_the_next_free_slot(phone, live_server, bastille):
    CapacitySettings.objects.create(restaurant=bastille, default_capacity=4)  # two Junior pizzas a slot
    give_cart(phone, live_server, bastille, lines=[(size_of("margherita", "Junior 26 cm"), 2)])
    phone.goto(live_server.url + CART)
    phone.get_by_role("radio", name=re.compile("^À emporter")).check()
    phone.get_by_text("Plus tard : choisir le jour et l'heure").click()
    phone.locator("label[for=day-1]").click()
    phone.locator(".slots--1 .slot").filter(has_text="12:00").click()
    fill_details(phone, address=False)
    noon = (timezone.localtime() + timedelta(days=1)).replace(hour=12, minute=0, second=0, microsecond=0)
    other = OrderDetails(fulfilment=Fulfilment.PICKUP, name="Autre", phone="0612345678", email="a@example.fr")
    other.requested_for = noon
    place_order(bastille, {size_of("margherita").pk: 1}, other)  # someone else takes the oven meanwhile

    pay_button(phone).click()
    phone.get_by_text("prochain créneau libre : demain 12:15").first.wait_for()
    assert phone.get_by_label("Nom").input_value() == "Camille Martin"  # nothing typed is lost
    assert phone.locator(".slots--1 .slot").filter(has_text="12:15").locator("input").is_checked()
    assert Order.objects.count() == 1
    pay_button(phone).click()
    phone.wait_for_url(re.compile(r"/commande/suivi/"))
    assert Order.objects.latest("pk").requested_for == noon + timedelta(minutes=15)
