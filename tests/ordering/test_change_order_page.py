"""The change-order page: the order's lines first with -/+ and remove, a product picker,
a running total. The line buttons post the draft back without saving anything (that is
how they work without JavaScript); saving goes through services.change_order as before.
Hostile values of the buttons' parameters are a 400 that changes nothing."""

import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db.models import Sum

from home.models import MenuItem, Product
from ordering.models import Order, OrderLine, Stock, StockMovement
from tests.conftest import delivery_form, form_values, issue_checkout_key, size_of, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(client, bastille):
    """Two Reine Junior (2 × 11,50 €) delivered (2,50 €): 25,50 €."""
    client.post("/commande/panier/ajouter/", {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 2})
    client.post("/commande/valider/", delivery_form(checkout_key=issue_checkout_key(client)))
    return Order.objects.get()


def url(order):
    return f"/commande/suivi/{order.tracking_token}/modifier/"


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def lines_of(response):
    """[(size id, quantity shown)] of the draft, in the page's order."""
    return [
        (int(li["data-line"]), li.select_one("[data-qty]")["value"])
        for li in soup(response).select("[data-lines] [data-line]")
    ]


def total_of(response):
    return soup(response).select_one("[data-total]").get_text()


def everything():
    """What a draft must never touch: orders, lines, stock and its ledger."""
    return (
        list(Order.objects.values_list("pk", "status", "total", "subtotal", "payment_state").order_by("pk")),
        list(OrderLine.objects.values_list("order_id", "size_id", "quantity", "line_total").order_by("pk")),
        list(Stock.objects.values_list("pk", "quantity").order_by("pk")),
        StockMovement.objects.count(),
    )


def draft_post(client, order, response, **button):
    """What the browser sends when a button of the page is pressed: the form as shown plus that button."""
    return client.post(url(order), {**form_values(response.content.decode(), "[data-change-form]"), **button})


def test_the_current_lines_come_first_with_steppers_not_a_table_of_the_menu(client, order):
    response = client.get(url(order))
    assert response.status_code == 200
    page = soup(response)
    reine = size_of("reine")
    assert lines_of(response) == [(reine.pk, "2")]
    line = page.select_one("[data-line]")
    assert (
        line.select_one("button[name=less]")["value"] == line.select_one("button[name=more]")["value"] == str(reine.pk)
    )
    assert line.select_one("button[name=remove]")["value"] == str(reine.pk)
    assert "Un de moins : Reine Junior 26 cm" in line.get_text(" ") and "23,00\u00a0€" in line.get_text()
    # One quantity field per line of the order, not one per size of the menu.
    assert len(page.select("[data-change-form] input[type=number]")) == 1
    # The lines, then the picker (category > product > size), then the total and the save button.
    html = response.content.decode()
    assert html.index('id="change-lines"') < html.index('id="picker-title"') < html.index("data-total")
    assert [
        c.select_one("summary").get_text(" ", strip=True).split()[0] for c in page.select("[data-picker-category]")
    ] == ["Pizzas", "Boissons", "Desserts"]
    diavola = page.select_one(f"button[name=add][value='{size_of('diavola').pk}']")
    assert "Ajouter Diavola" in diavola.get_text(" ") and "12,50\u00a0€" in diavola.get_text()
    assert total_of(response) == "25,50\u00a0€" and "Livraison 2,50\u00a0€" in text_of(response)


@pytest.mark.parametrize(
    "button, lines, total, said",
    [
        ("more", [("reine", "3")], "37,00\u00a0€", "Reine Junior 26 cm : 3."),
        ("less", [("reine", "1")], "14,00\u00a0€", "Reine Junior 26 cm : 1."),
        ("remove", [], "0,00\u00a0€", "Retiré de la commande : Reine Junior 26 cm."),
    ],
)
def test_a_line_button_changes_the_draft_and_saves_nothing(client, order, button, lines, total, said):
    before = everything()
    shown = client.get(url(order))
    response = draft_post(client, order, shown, **{button: size_of("reine").pk})
    assert response.status_code == 200
    assert lines_of(response) == [(size_of(slug).pk, quantity) for slug, quantity in lines]
    assert total_of(response) == total and said in soup(response).select_one("[data-announce]").get_text()
    assert everything() == before


def test_adding_a_product_appends_its_line_and_keeps_its_menu_open(client, order):
    before = everything()
    diavola = size_of("diavola", "Sénior 33 cm")
    response = draft_post(client, order, client.get(url(order)), add=diavola.pk)
    assert lines_of(response) == [(size_of("reine").pk, "2"), (diavola.pk, "1")]
    assert total_of(response) == "41,00\u00a0€"  # 23,00 + 15,50 + 2,50
    assert "Ajouté à la commande : Diavola Sénior 33 cm." in text_of(response)
    opened = soup(response).select("details[open]")
    assert [d.select_one("summary").get_text(" ", strip=True).split()[0] for d in opened] == ["Pizzas", "Diavola"]
    again = draft_post(client, order, response, add=diavola.pk)  # the same size again: one more, not a second line
    assert lines_of(again) == [(size_of("reine").pk, "2"), (diavola.pk, "2")]
    assert everything() == before


def test_the_draft_saved_is_the_order(client, order, bastille):
    """Increase, add, decrease, remove, each posted back without JavaScript, then saved."""
    reine, diavola, coca = size_of("reine"), size_of("diavola"), size_of("coca-cola")
    response = client.get(url(order))
    for button, size in (
        ("more", reine),
        ("add", diavola),
        ("add", coca),
        ("add", coca),
        ("less", coca),
        ("remove", diavola),
    ):
        response = draft_post(client, order, response, **{button: size.pk})
        assert response.status_code == 200
    assert lines_of(response) == [(reine.pk, "3"), (coca.pk, "1")]
    saved = client.post(url(order), form_values(response.content.decode(), "[data-change-form]"))
    assert saved.status_code == 302 and saved["Location"] == order.get_tracking_url()
    order.refresh_from_db()
    assert [(line.size_id, line.quantity) for line in order.lines.order_by("product_name")] == [
        (coca.pk, 1),
        (reine.pk, 3),
    ]
    assert order.total == Decimal("3") * reine.price + coca.price + bastille.delivery_fee
    for stock in Stock.objects.filter(restaurant=bastille):
        assert stock.movements.aggregate(s=Sum("delta"))["s"] == stock.quantity


def test_enter_in_a_quantity_field_saves(client, order):
    """The first submit button of the form (the one Enter presses) is "save", not a line's "-"."""
    form = soup(client.get(url(order))).select_one("[data-change-form]")
    first = form.select_one("button[type=submit]")
    assert not first.has_attr("name") and "Enregistrer" in first.get_text()


def test_the_running_total_says_what_the_delivery_minimum_misses(client, order):
    response = draft_post(client, order, client.get(url(order)), less=size_of("reine").pk)
    minimum = soup(response).select_one("[data-minimum-note]")
    assert not minimum.has_attr("hidden") and "Il manque : 3,50\u00a0€" in minimum.get_text(" ", strip=True)
    saved = client.post(url(order), form_values(response.content.decode(), "[data-change-form]"))
    assert saved.status_code == 400 and "ajoutez 3,50\u00a0€" in text_of(saved)
    order.refresh_from_db()
    assert order.total == Decimal("25.50")


def test_a_paid_order_shows_what_is_refunded_or_over(client, order):
    Order.objects.filter(pk=order.pk).update(
        payment_method=Order.PaymentMethod.PAYPAL, payment_state=Order.PaymentState.PAID
    )
    response = client.get(url(order))
    assert "Déjà payée en ligne : 25,50\u00a0€" in text_of(response)
    less = draft_post(client, order, response, less=size_of("reine").pk)
    assert soup(less).select_one("[data-refund-amount]").get_text() == "11,50\u00a0€"
    more = draft_post(client, order, response, more=size_of("reine").pk)
    assert soup(more).select_one("[data-over-amount]").get_text() == "11,50\u00a0€"
    assert not soup(more).select_one("[data-over]").has_attr("hidden")


def test_more_is_capped_by_what_the_kitchen_can_make_with_the_reason(client, order, bastille):
    """The order holds 120 g of ham; 60 g more in stock: three Reine Junior at most (60 g each)."""
    Stock.objects.filter(restaurant=bastille, ingredient__name="Jambon blanc").update(quantity=60)
    reine = size_of("reine")
    response = draft_post(client, order, client.get(url(order)), more=reine.pk)
    assert lines_of(response) == [(reine.pk, "3")]
    line = soup(response).select_one("[data-line]")
    assert line.select_one("button[name=more]").has_attr("disabled")
    assert "Pas plus de 3 : c'est tout ce que la cuisine peut encore préparer." in line.get_text()
    capped = draft_post(client, order, response, more=reine.pk)  # sent anyway (an old page): refused, with the reason
    assert (
        lines_of(capped) == [(reine.pk, "3")]
        and "Pas plus de 3" in soup(capped).select_one("[data-announce]").get_text()
    )


def test_a_sold_out_size_cannot_be_added(client, order, bastille):
    Stock.objects.filter(restaurant=bastille, ingredient__name="Reblochon").update(quantity=0)
    savoyarde = size_of("savoyarde")
    response = client.get(url(order))
    button = soup(response).select_one(f"button[name=add][value='{savoyarde.pk}']")
    assert button.has_attr("disabled") and "Épuisé" in button.get_text()
    refused = draft_post(client, order, response, add=savoyarde.pk)
    assert refused.status_code == 200 and lines_of(refused) == [(size_of("reine").pk, "2")]
    assert "Épuisé pour le moment : Savoyarde Junior 26 cm." in text_of(refused)


def test_a_line_no_longer_on_the_menu_is_said_before_it_goes(client, order, bastille):
    MenuItem.objects.filter(restaurant=bastille, product__slug="reine").delete()
    response = client.get(url(order))
    assert lines_of(response) == []
    assert "N'est plus à la carte, retiré à l'enregistrement : 2 × Reine Junior 26 cm" in text_of(response)


# --- hostile input: a 400 that says why, and nothing changes ----------------------


def hostile_buttons():
    reine, diavola = size_of("reine"), size_of("diavola")
    return {
        "not a number": {"more": "abc"},
        "empty": {"less": ""},
        "nul": {"remove": "1\x00"},
        "long": {"add": "9" * 10_000},
        "negative": {"more": "-1"},
        "decimal": {"add": "4.0"},
        "too big": {"add": "99999999999"},
        "zero": {"remove": "0"},
        "two values": {"more": [str(reine.pk), str(reine.pk)]},
        "two buttons": {"more": str(reine.pk), "add": str(diavola.pk)},
        "a line not in the order": {"less": str(diavola.pk)},
        "removing a line not in the order": {"remove": str(diavola.pk)},
        "no such size": {"add": "999999"},
    }


@pytest.mark.parametrize(
    "case",
    [
        "not a number",
        "empty",
        "nul",
        "long",
        "negative",
        "decimal",
        "too big",
        "zero",
        "two values",
        "two buttons",
        "a line not in the order",
        "removing a line not in the order",
        "no such size",
    ],
)
@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_hostile_line_button_is_a_400_and_changes_nothing(client, order, case, accept):
    before = everything()
    data = {f"size_{size_of('reine').pk}": "2", **hostile_buttons()[case]}
    response = client.post(url(order), data, HTTP_ACCEPT=accept)
    assert response.status_code == 400
    assert everything() == before


def test_adding_a_product_of_another_menu_or_unpublished_is_a_400(client, order, bastille):
    before = everything()
    MenuItem.objects.filter(
        restaurant=bastille, product__slug="tiramisu"
    ).delete()  # on the other restaurants' menus only
    Product.objects.filter(slug="diavola").update(live=False)
    for size in (size_of("tiramisu"), size_of("diavola")):
        response = client.post(url(order), {f"size_{size_of('reine').pk}": "2", "add": size.pk})
        assert response.status_code == 400 and "n'est pas à la carte" in text_of(response)
    assert everything() == before


@pytest.mark.parametrize("data", [{}, {"more": "1"}, {"add": "1"}, {"size_1": "2"}])
def test_an_unknown_order_is_a_404_and_changes_nothing(client, order, data):
    before = everything()
    for token in ("x" * 43, order.tracking_token[:-1] + ("A" if order.tracking_token[-1] != "A" else "B")):
        assert client.post(f"/commande/suivi/{token}/modifier/", data).status_code == 404
        assert client.get(f"/commande/suivi/{token}/modifier/", data).status_code == 404
    assert everything() == before


def test_another_customers_order_is_reached_only_by_its_own_token(client, order, bastille):
    """Each order's page acts on that order alone: the buttons of one order's page posted to another's
    address change neither (the other order refuses sizes it does not hold)."""
    other_client = type(client)()
    other_client.post(
        "/commande/panier/ajouter/", {"restaurant": bastille.pk, "size": size_of("margherita").pk, "quantity": 2}
    )
    other_client.post("/commande/valider/", delivery_form(checkout_key=issue_checkout_key(other_client, "b" * 32)))
    other = Order.objects.exclude(pk=order.pk).get()
    before = everything()
    response = client.post(url(other), {f"size_{size_of('margherita').pk}": "2", "less": size_of("reine").pk})
    assert response.status_code == 400
    assert everything() == before


def test_the_quantity_fields_keep_their_checks(client, order):
    before = everything()
    for value in ("abc", "-1", "21", "1e309", "\x00"):
        response = client.post(url(order), {f"size_{size_of('reine').pk}": value})
        assert response.status_code == 400
        assert re.search(r"aria-invalid=\"true\"", response.content.decode())
    assert everything() == before
