from decimal import Decimal

import pytest
from django.db.models import Sum

from ordering.models import Order, Stock
from ordering.services import transition
from ordering.workflow import Status
from tests.conftest import delivery_form, issue_checkout_key, size_of, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(client, bastille):
    client.post("/commande/panier/ajouter/", {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 2})
    client.post("/commande/valider/", delivery_form(checkout_key=issue_checkout_key(client)))
    return Order.objects.get()


def levels(restaurant):
    return dict(Stock.objects.filter(restaurant=restaurant).values_list("ingredient__name", "quantity"))


def test_tracking_page_and_live_status(client, order):
    page = client.get(order.get_tracking_url())
    assert page.status_code == 200 and order.number in text_of(page) and "Commande passée" in text_of(page)
    assert client.get(f"/commande/suivi/{order.tracking_token}/etat/").json()["status"] == "placed"
    transition(order, Status.IN_PREPARATION)
    state = client.get(f"/commande/suivi/{order.tracking_token}/etat/").json()
    assert state["status"] == "in_preparation" and state["changeable"] is False


def test_unknown_tracking_link_is_404(client, order):
    assert client.get("/commande/suivi/" + "x" * 43 + "/").status_code == 404


def test_change_order_rereserves_stock_and_recomputes_total(client, order, bastille):
    before = levels(bastille)
    reine, diavola = size_of("reine"), size_of("diavola")
    response = client.post(f"/commande/suivi/{order.tracking_token}/modifier/", {f"size_{reine.pk}": 1, f"size_{diavola.pk}": 1})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.total == Decimal("11.50") + Decimal("12.50") + Decimal("2.50")
    after = levels(bastille)
    assert after["Jambon blanc"] == before["Jambon blanc"] + Decimal("60")  # one Reine Junior less
    assert after["Salami piquant"] == before["Salami piquant"] - Decimal("52.5")
    for stock in Stock.objects.filter(restaurant=bastille):
        assert stock.movements.aggregate(s=Sum("delta"))["s"] == stock.quantity


def test_change_refused_when_it_would_oversell(client, order, bastille):
    Stock.objects.filter(restaurant=bastille, ingredient__name="Salami piquant").update(quantity=10)
    before = levels(bastille)
    diavola = size_of("diavola")
    response = client.post(f"/commande/suivi/{order.tracking_token}/modifier/", {f"size_{diavola.pk}": 2})
    assert response.status_code == 400 and "Diavola" in text_of(response)
    assert levels(bastille) == before and Order.objects.get().lines.get().product_name == "Reine"


def test_cancel_returns_the_stock(client, order, bastille):
    initial = {name: qty for name, qty in levels(bastille).items()}
    client.post(f"/commande/suivi/{order.tracking_token}/annuler/")
    order.refresh_from_db()
    assert order.status == Status.CANCELLED
    after = levels(bastille)
    assert after["Jambon blanc"] == initial["Jambon blanc"] + Decimal("120")


def test_no_change_or_cancel_once_the_kitchen_started(client, order):
    transition(order, Status.IN_PREPARATION)
    client.post(f"/commande/suivi/{order.tracking_token}/annuler/")
    assert Order.objects.get().status == Status.IN_PREPARATION
    response = client.get(f"/commande/suivi/{order.tracking_token}/modifier/", follow=True)
    assert "ne peut plus être modifiée" in text_of(response)
    page = text_of(client.get(order.get_tracking_url()))
    assert "ne peut plus être modifiée ni annulée" in page
