"""The tracking page's live refresh keeps what it says about time and payment true."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ordering.services import OrderDetails, cancel_by_customer, place_order, transition
from ordering.workflow import Fulfilment, Status
from tests.conftest import committed_db, size_of

pytestmark = [pytest.mark.browser, committed_db]


def take_away(bastille):
    details = OrderDetails(
        fulfilment=Fulfilment.PICKUP,
        name="Léa",
        phone="0612345678",
        email="lea@example.fr",
        estimated_ready_at=timezone.now() + timedelta(minutes=30),
    )
    return place_order(bastille, {size_of("diavola").pk: 1}, details)


def test_a_collected_order_loses_its_time_and_kitchen_notice_without_reload(phone, live_server, bastille):
    order = take_away(bastille)
    phone.goto(live_server.url + order.get_tracking_url())
    assert "À payer au comptoir" in phone.locator("[data-payment]").inner_text()
    assert (
        "Prête vers" in phone.locator("[data-time]").inner_text()
        and "(estimation)" in phone.locator("[data-time]").inner_text()
    )
    for status in (Status.IN_PREPARATION, Status.READY):
        transition(order, status)
    phone.locator("[data-status-label]", has_text="Prête").wait_for(timeout=10_000)
    assert phone.locator("[data-locked]").is_visible()

    transition(order, Status.COLLECTED)
    phone.locator("[data-status-label]", has_text="Retirée").wait_for(timeout=10_000)
    assert not phone.locator("[data-locked]").is_visible() and not phone.locator("[data-time]").is_visible()
    assert "À payer" not in phone.locator(".track").inner_text()


def test_a_cancelled_order_owes_nothing_without_reload(phone, live_server, bastille):
    order = take_away(bastille)
    phone.goto(live_server.url + order.get_tracking_url())
    cancel_by_customer(order)
    phone.locator("[data-status-label]", has_text="Annulée").wait_for(timeout=10_000)
    assert phone.locator("[data-payment]").inner_text() == "Rien à payer."
    assert not phone.locator("[data-time]").is_visible()
