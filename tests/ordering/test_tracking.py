import os
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.conf import settings
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
    response = client.post(
        f"/commande/suivi/{order.tracking_token}/modifier/", {f"size_{reine.pk}": 1, f"size_{diavola.pk}": 1}
    )
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
    initial = dict(levels(bastille))
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


# --- the tracking page: progress line, where to collect, cancelling in the page -----------


def pickup_order(restaurant, **extra):
    from ordering.services import OrderDetails, place_order

    details = OrderDetails(fulfilment="pickup", name="Léa", phone="0612345678", email="lea@example.fr", **extra)
    return place_order(restaurant, {size_of("diavola").pk: 1}, details)


def page_of(response):
    return BeautifulSoup(response.content, "html.parser")


def test_take_away_says_where_and_how_to_collect_without_loading_another_host(client, bastille):
    order = pickup_order(bastille)
    page = page_of(client.get(order.get_tracking_url()))
    place = page.select_one(".track-place")
    assert "Où retirer votre commande" in place.get_text()
    assert "12 rue de la Roquette, 75011 Paris" in place.address.get_text(" ")
    assert place.select_one("a[href^='tel:']")["href"] == "tel:0143551234"
    osm = place.select_one("a[href^='https://www.openstreetmap.org/']")
    assert osm["href"] == "https://www.openstreetmap.org/search?query=12+rue+de+la+Roquette%2C+75011+Paris"
    assert f"donnez votre numéro de commande {order.number}" in place.get_text(" ", strip=True)
    # A link to the map, nothing embedded: no frame, and every script, style and image comes from this site.
    assert not page.select("iframe, object, embed")
    for element in page.select("script[src], link[href], img[src]"):
        assert element.get("src", element.get("href")).startswith("/"), element


def test_a_delivery_says_where_it_goes_and_who_to_call(client, order):
    place = page_of(client.get(order.get_tracking_url())).select_one(".track-place")
    assert "Livraison à" in place.get_text() and "10 rue de Lappe" in place.get_text()
    assert place.select_one("a[href^='tel:']")["href"] == "tel:0143551234"
    assert not place.select("a[href*='openstreetmap']")


@pytest.mark.parametrize(
    "status, done, current",
    [
        (Status.PLACED, ["placed"], "placed"),
        (Status.IN_PREPARATION, ["placed", "in_preparation"], "in_preparation"),
        (Status.OUT_FOR_DELIVERY, ["placed", "in_preparation", "ready", "out_for_delivery"], "out_for_delivery"),
        (Status.DELIVERED, ["placed", "in_preparation", "ready", "out_for_delivery", "delivered"], "delivered"),
    ],
)
def test_the_progress_line_marks_the_steps_done_and_the_current_one_in_words(client, order, status, done, current):
    Order.objects.filter(pk=order.pk).update(status=status)
    steps = page_of(client.get(order.get_tracking_url())).select("[data-timeline] [data-step]")
    assert [s["data-step"] for s in steps] == ["placed", "in_preparation", "ready", "out_for_delivery", "delivered"]
    assert [s["data-step"] for s in steps if "is-done" in s["class"]] == done
    assert [s["data-step"] for s in steps if s.get("aria-current") == "step"] == [current]
    words = {s["data-step"]: s.select_one("[data-step-state]").get_text() for s in steps}
    finished = status == Status.DELIVERED
    assert words[current] == ("étape terminée" if finished else "étape en cours")
    assert all(words[s] == "étape terminée" for s in done if s != current)
    assert all(w == "étape à venir" for s, w in words.items() if s not in done)
    state = client.get(f"/commande/suivi/{order.tracking_token}/etat/").json()
    assert [s["status"] for s in state["steps"] if s["current"]] == [current] and state["finished"] is finished


@pytest.mark.parametrize(
    "status, fulfilment, headline",
    [
        (Status.PLACED, "delivery", "Le restaurant a bien reçu votre commande."),
        (Status.READY, "pickup", "Votre commande est prête : vous pouvez venir la retirer."),
        (Status.READY, "delivery", "Votre commande est prête et part bientôt en livraison."),
        (Status.OUT_FOR_DELIVERY, "delivery", "Votre commande est en route."),
        (Status.DELIVERED, "delivery", "Votre commande a été livrée. Bon appétit !"),
        (Status.COLLECTED, "pickup", "Vous avez retiré votre commande. Bon appétit !"),
        (Status.CANCELLED, "delivery", "Cette commande est annulée."),
    ],
)
def test_one_headline_per_state_and_way(client, order, status, fulfilment, headline):
    Order.objects.filter(pk=order.pk).update(status=status, fulfilment=fulfilment)
    page = page_of(client.get(order.get_tracking_url()))
    assert page.select_one("[data-headline]").get_text() == headline
    assert client.get(f"/commande/suivi/{order.tracking_token}/etat/").json()["headline"] == headline


def test_cancelling_asks_in_the_page_not_in_a_browser_box(client, order):
    page = page_of(client.get(order.get_tracking_url()))
    disclosure = page.select_one("details[data-cancel]")
    assert disclosure.summary.get_text() == "Annuler ma commande"
    form = disclosure.select_one("form")
    assert form["action"] == f"/commande/suivi/{order.tracking_token}/annuler/" and form["method"] == "post"
    assert (
        f"Annuler la commande {order.number} ?" in disclosure.get_text(" ")
        and "Vous ne payez rien." in disclosure.get_text()
    )
    assert form.select_one("button[type=submit]").get_text() == "Oui, annuler la commande"
    assert not page.select("[data-confirm]")
    with open(os.path.join(settings.BASE_DIR, "ordering", "static", "ordering", "track.js")) as script:
        assert "confirm(" not in script.read()


def test_a_paid_order_says_the_refund_before_cancelling(client, order):
    Order.objects.filter(pk=order.pk).update(
        payment_method=Order.PaymentMethod.PAYPAL, payment_state=Order.PaymentState.PAID
    )
    disclosure = page_of(client.get(order.get_tracking_url())).select_one("details[data-cancel]")
    assert "Les 25,50\u00a0€ payés avec PayPal vous seront remboursés." in disclosure.get_text()
