"""The tracking page and its live status say the right thing about payment and time in every state."""

import re
from datetime import datetime, time
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.utils import timezone

from ordering.models import Order
from ordering.workflow import Fulfilment, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def bastille(db):
    from home.models import RestaurantPage

    return RestaurantPage.objects.get(slug="bastille")  # opening hours do not matter here


@pytest.fixture(autouse=True)
def kitchen_on_time(monkeypatch):
    """The page is read at noon: the kitchen is not late with orders promised for 19:30 or 19:45
    whatever the time the tests run at (ordering.capacity.live_promise moves late promises)."""
    from ordering import capacity, views

    monkeypatch.setattr(views, "live_promise", lambda order: capacity.live_promise(order, now=today_at(time(12))))


PaymentState, PaymentMethod = Order.PaymentState, Order.PaymentMethod
LIVE = {Status.PLACED, Status.IN_PREPARATION, Status.READY, Status.OUT_FOR_DELIVERY}
IN_THE_KITCHEN = {Status.IN_PREPARATION, Status.READY, Status.OUT_FOR_DELIVERY}
HANDED_OVER_OR_CANCELLED = {Status.DELIVERED, Status.COLLECTED, Status.CANCELLED}
KITCHEN_STARTED = "ne peut plus être modifiée"
SLOT, ESTIMATE = time(19, 45), time(19, 30)


def today_at(moment):
    return timezone.make_aware(datetime.combine(timezone.localdate(), moment))


def make_order(restaurant, status, method, payment_state, fulfilment, slot):
    return Order.objects.create(
        restaurant=restaurant,
        day=timezone.localdate(),
        sequence=1,
        number="TST-0001",
        tracking_token=Order.new_tracking_token(),
        status=status,
        fulfilment=fulfilment,
        name="Léa",
        phone="0612345678",
        email="lea@example.fr",
        street_address="1 rue de Lappe",
        postcode="75011",
        city="Paris",
        subtotal=Decimal("23.00"),
        delivery_fee=Decimal("2.50"),
        total=Decimal("25.50"),
        payment_method=method,
        payment_state=payment_state,
        requested_for=today_at(SLOT) if slot else None,
        estimated_ready_at=today_at(SLOT if slot else ESTIMATE),
        collected_with="cash" if payment_state == PaymentState.PAID and method == PaymentMethod.ON_SITE else "",
    )


def visible_text(response):
    page = BeautifulSoup(response.content, "html.parser").select_one("[data-track-url]")
    for hidden in page.select("[hidden]"):
        hidden.decompose()
    return re.sub(r"\s+", " ", page.get_text(" "))


def payment_rules(status, method, payment_state):
    """(texts that must appear, texts that must not) about money."""
    must, never = [], []
    owes = payment_state == PaymentState.PENDING and status in LIVE
    (must if owes else never).append("À payer")
    if payment_state == PaymentState.REFUNDED:
        must.append("Remboursée")
    elif status == Status.CANCELLED:
        if payment_state == PaymentState.PENDING:
            must.append("Rien à payer")
        elif method == PaymentMethod.PAYPAL:
            must.append("Remboursement en cours")
    elif payment_state == PaymentState.PAID:
        must.append("Payée")
    if status == Status.AWAITING_PAYMENT and payment_state == PaymentState.PENDING:
        must.append("En attente de votre paiement")
    return must, never


def time_rules(status, slot, fulfilment):
    """A slot the customer chose is planned, "as soon as possible" an estimate, said so; neither once finished."""
    if status in HANDED_OVER_OR_CANCELLED:
        return [], ["estimée", "estimation", "Prévue pour", "19:45", "19:30"]
    if slot:
        return ["Prévue pour 19:45"], ["estimée", "estimation"]
    if fulfilment == Fulfilment.DELIVERY:
        return ["Livraison estimée vers 19:30"], ["Prévue pour"]
    return ["Prête vers 19:30 (estimation)"], ["Prévue pour"]


@pytest.mark.parametrize("slot", [False, True], ids=["asap", "slot"])
@pytest.mark.parametrize("fulfilment", list(Fulfilment))
@pytest.mark.parametrize("payment_state", list(PaymentState))
@pytest.mark.parametrize("method", list(PaymentMethod))
@pytest.mark.parametrize("status", list(Status))
def test_tracking_says_the_right_thing(client, bastille, status, method, payment_state, fulfilment, slot):
    order = make_order(bastille, status, method, payment_state, fulfilment, slot)
    money_must, money_never = payment_rules(status, method, payment_state)
    time_must, time_never = time_rules(status, slot, fulfilment)
    kitchen = ([KITCHEN_STARTED], []) if status in IN_THE_KITCHEN else ([], [KITCHEN_STARTED])

    page = visible_text(client.get(order.get_tracking_url()))
    for text in money_must + time_must + kitchen[0]:
        assert text in page, f"{text!r} missing from: {page}"
    for text in money_never + time_never + kitchen[1]:
        assert text not in page, f"{text!r} in: {page}"

    state = client.get(f"/commande/suivi/{order.tracking_token}/etat/").json()
    for text in money_must:
        assert text in state["payment"]
    for text in money_never:
        assert text not in state["payment"]
    for text in time_must:
        assert text in state["time"]
    for text in time_never:
        assert text not in state["time"]
    assert state["locked"] is (status in IN_THE_KITCHEN)
    assert state["awaiting_payment"] is (status == Status.AWAITING_PAYMENT)


def test_a_slot_on_another_day_gives_the_day(client, bastille):
    order = make_order(
        bastille, Status.PLACED, PaymentMethod.ON_SITE, PaymentState.PENDING, Fulfilment.PICKUP, slot=True
    )
    tomorrow = timezone.localtime(order.requested_for) + timezone.timedelta(days=1)
    Order.objects.filter(pk=order.pk).update(requested_for=tomorrow, estimated_ready_at=tomorrow)
    state = client.get(f"/commande/suivi/{order.tracking_token}/etat/").json()
    assert state["time"] == f"Prévue pour le {tomorrow:%d/%m} à 19:45"
