"""The one-page cart and checkout (issue 16): times per fulfilment, the closed
restaurant, steppers, details kept in the session, saved addresses."""

import re
from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from home.models import ExceptionalClosure
from ordering.forms import CheckoutForm, IssuedCheckoutKeys, slot_value
from ordering.models import Order, SavedAddress, Stock
from ordering.slots import DELIVERY_MINUTES, schedule
from ordering.workflow import Fulfilment
from tests.conftest import delivery_form, form_values, issue_checkout_key, make_closed_for, size_of, text_of

pytestmark = pytest.mark.django_db
CART, ADD, UPDATE, CHECKOUT, DRAFT = (
    "/commande/panier/",
    "/commande/panier/ajouter/",
    "/commande/panier/modifier/",
    "/commande/valider/",
    "/commande/valider/brouillon/",
)
ADDRESSES = "/commande/compte/adresses/"


def add(client, restaurant, size, quantity=1):
    return client.post(ADD, {"restaurant": restaurant.pk, "size": size.pk, "quantity": quantity})


def page(response):
    return BeautifulSoup(response.content, "html.parser")


def checked_when(response):
    return page(response).select_one("input[name=when]:checked")["value"]


@pytest.fixture
def cart(client, bastille):
    add(client, bastille, size_of("reine", "Sénior 33 cm"), 1)
    add(client, bastille, size_of("margherita"), 1)
    add(client, bastille, size_of("coca-cola"), 1)
    return client


# --- times per fulfilment ------------------------------------------------------


def test_each_fulfilment_offers_the_times_it_can_keep(bastille):
    now = timezone.now()
    times = schedule(bastille, now)
    pickup, delivery = times[Fulfilment.PICKUP], times[Fulfilment.DELIVERY]
    assert pickup.asap == timezone.localtime(now + timedelta(minutes=bastille.preparation_minutes))
    assert delivery.asap == pickup.asap + timedelta(minutes=DELIVERY_MINUTES)
    assert set(delivery.slots) < set(pickup.slots)
    assert delivery.slots[0] >= delivery.asap and pickup.slots[0] >= pickup.asap
    assert delivery.slots[0] < pickup.slots[0] + timedelta(minutes=DELIVERY_MINUTES + 15)
    assert times.is_open


def test_before_opening_a_delivery_is_offered_its_own_first_slot_and_takes_it(client, bastille):
    opens = make_closed_for(bastille)
    add(client, bastille, size_of("reine", "Méga 40 cm"), 1)
    response = client.get(CART)
    first_delivery = schedule(bastille)[Fulfilment.DELIVERY].slots[0]
    assert first_delivery >= opens + timedelta(minutes=bastille.preparation_minutes + DELIVERY_MINUTES)
    assert checked_when(response) == slot_value(first_delivery)  # not the take-away's first slot
    phrase = (
        first_delivery.strftime("%H:%M")
        if first_delivery.date() == timezone.localdate()
        else "demain " + first_delivery.strftime("%H:%M")
    )
    assert f"Fermé — commandez pour {phrase}" in text_of(response)
    assert "Dès que possible" not in text_of(response)
    key = form_values(response.content.decode(), "form[data-checkout]")["checkout_key"]
    response = client.post(CHECKOUT, delivery_form(when=slot_value(first_delivery), checkout_key=key))
    assert response.status_code == 302, response.context["form"].errors
    assert Order.objects.get().requested_for == first_delivery


def test_a_take_away_time_is_too_early_for_a_delivery_and_says_the_first_one(client, bastille):
    make_closed_for(bastille)
    add(client, bastille, size_of("reine", "Méga 40 cm"), 1)
    times = schedule(bastille)
    first_pickup, first_delivery = times[Fulfilment.PICKUP].slots[0], times[Fulfilment.DELIVERY].slots[0]
    response = client.post(
        CHECKOUT, delivery_form(when=slot_value(first_pickup), checkout_key=issue_checkout_key(client))
    )
    assert response.status_code == 400 and Order.objects.count() == 0
    # After 20:00 the first delivery is past midnight: "demain 00:05".
    local = timezone.localtime(first_delivery)
    phrase = local.strftime("%H:%M") if local.date() == timezone.localdate() else "demain " + local.strftime("%H:%M")
    assert f"la première livraison possible est à {phrase}" in " ".join(response.context["form"].errors["when"])
    # The same time is fine for take-away.
    response = client.post(CHECKOUT, delivery_form(fulfilment="pickup", when=slot_value(first_pickup)))
    assert response.status_code == 302 and Order.objects.get().requested_for == first_pickup


def test_as_soon_as_possible_says_when_for_each_fulfilment(cart, bastille):
    response = cart.get(CART)
    label = page(response).select_one("label[for=when-asap]")
    times = schedule(bastille)
    assert label.select_one(".if-delivery").get_text(strip=True) == f"· vers {times[Fulfilment.DELIVERY].asap:%H:%M}"
    assert label.select_one(".if-pickup").get_text(strip=True) == f"· prête vers {times[Fulfilment.PICKUP].asap:%H:%M}"
    assert checked_when(response) == "asap"
    assert not page(response).select("select[name=when]")  # day and time chips, no 100-entry drop-down


def test_times_are_grouped_by_day_with_consistent_capitals(cart):
    days = [label.get_text(strip=True) for label in page(cart.get(CART)).select(".days label")]
    # After the last slot of the night (the CI runs then), the first day offered is tomorrow.
    assert days[:2] == ["Aujourd'hui", "Demain"] or days[0] == "Demain"
    assert all(day[0].isupper() for day in days)


def test_a_time_that_no_longer_exists_is_refused(cart):
    response = cart.post(
        CHECKOUT, delivery_form(when="2020-01-01T12:00:00+01:00", checkout_key=issue_checkout_key(cart))
    )
    assert response.status_code == 400 and "plus disponible" in " ".join(response.context["form"].errors["when"])


def test_a_form_built_at_a_given_time_offers_that_times_slots(bastille):
    now = timezone.make_aware(datetime.combine(timezone.localdate(), time(12, 0)))
    form = CheckoutForm(restaurant=bastille, payment_methods=["on_site"], issued_keys=IssuedCheckoutKeys({}), now=now)
    values = [value for value, _label in form.fields["when"].choices]
    assert values[0] == "asap" and values[1] == slot_value(
        now + timedelta(minutes=30)
    )  # ready at 12:20, the 15-minute slot after


# --- the cart on the page --------------------------------------------------------


def test_lines_are_shown_in_the_order_added(client, bastille):
    for slug in ("tiramisu", "reine", "coca-cola", "margherita"):
        add(client, bastille, size_of(slug), 1)
    names = [el.get_text(strip=True) for el in page(client.get(CART)).select(".line__name")]
    assert names == ["Tiramisu", "Reine", "Coca-Cola", "Margherita"]


def test_the_page_shows_delivery_fee_and_totals_per_fulfilment(cart, bastille):
    soup = page(cart.get(CART))
    subtotal = size_of("reine", "Sénior 33 cm").price + size_of("margherita").price + size_of("coca-cola").price
    assert soup.select_one("[data-subtotal]").get_text() == f"{subtotal:.2f}\u00a0€".replace(".", ",")
    with_delivery = f"{subtotal + bastille.delivery_fee:.2f}\u00a0€".replace(".", ",")
    assert soup.select_one("[data-total-delivery]").get_text() == with_delivery
    button = soup.select_one("[data-place-order]")
    assert (
        button.select_one(".if-delivery.if-on-site").get_text(strip=True)
        == f"Commander · {with_delivery} à payer à la livraison"
    )
    assert button.select_one(".if-pickup.if-on-site").get_text(strip=True).endswith("à payer au comptoir")
    assert (
        "if-delivery" in soup.find(string=re.compile("^Livraison$")).find_parent("p")["class"]
    )  # no fee line for take-away


def test_the_delivery_minimum_shows_what_is_missing_and_is_a_first_round_error(client, bastille):
    add(client, bastille, size_of("coca-cola"), 2)
    response = client.get(CART)
    assert "il manque 10,00\u00a0€" in text_of(response)
    response = client.post(CHECKOUT, delivery_form(checkout_key=issue_checkout_key(client)))
    assert response.status_code == 400 and "fulfilment" in response.context["form"].errors
    assert "ajoutez 10,00" in " ".join(response.context["form"].errors["fulfilment"])


def test_take_away_ignores_what_the_hidden_address_fields_hold(cart):
    response = cart.post(
        CHECKOUT,
        delivery_form(
            fulfilment="pickup", postcode="7501", street_address="x" * 500, checkout_key=issue_checkout_key(cart)
        ),
    )
    assert response.status_code == 302
    order = Order.objects.get()
    assert (order.street_address, order.postcode, order.city, order.delivery_fee) == ("", "", "", Decimal("0.00"))


def test_a_stepper_without_javascript_changes_the_line_and_keeps_what_was_typed(cart):
    reine = size_of("reine", "Sénior 33 cm")
    typed = delivery_form(name="Léa Durand", street_address="3 rue Keller", note="Code 1234B")
    response = cart.post(UPDATE, {**typed, "line": f"{reine.pk}:3"})
    assert response.status_code == 302 and response["Location"] == CART + "#cart"
    assert cart.session["cart"]["lines"][str(reine.pk)] == 3
    values = form_values(cart.get(CART).content.decode(), "form[data-checkout]")
    assert (values["name"], values["street_address"], values["note"].strip()) == (
        "Léa Durand",
        "3 rue Keller",
        "Code 1234B",
    )


def test_a_stepper_with_javascript_gets_the_cart_block_and_the_pay_button(cart, bastille):
    margherita = size_of("margherita")
    response = cart.post(UPDATE, {"line": f"{margherita.pk}:2"}, HTTP_ACCEPT="application/json")
    data = response.json()
    assert response.status_code == 200 and data["count"] == 4 and not data["error"]
    assert data["total"] == "36,00\u00a0€"  # for the header's total
    block = BeautifulSoup(data["html"]["cart"], "html.parser")
    assert block.select_one(f'[data-line="{margherita.pk}"] [data-quantity]').get_text() == "2"
    assert "Commander ·" in data["html"]["pay"]
    response = cart.post(UPDATE, {"line": f"{margherita.pk}:0"}, HTTP_ACCEPT="application/json")
    assert response.json()["count"] == 2 and str(margherita.pk) not in cart.session["cart"]["lines"]


def test_plus_stops_at_what_can_be_made_and_says_why(cart, bastille):
    reine = size_of("reine", "Sénior 33 cm")
    per_unit = reine.recipe_lines.get(ingredient__name="Jambon blanc").quantity
    Stock.objects.filter(restaurant=bastille, ingredient__name="Jambon blanc").update(quantity=per_unit * 2)
    cart.post(UPDATE, {"line": f"{reine.pk}:2"})
    line = page(cart.get(CART)).select_one(f'[data-line="{reine.pk}"]')
    plus = line.select("[data-step]")[1]
    assert plus.has_attr("disabled") and plus["aria-describedby"] == f"limit-{reine.pk}"
    assert "2 × Reine Sénior 33 cm" in line.select_one(".line__limit").get_text()
    response = cart.post(UPDATE, {"line": f"{reine.pk}:3"}, HTTP_ACCEPT="application/json")  # a forged "+": capped
    assert cart.session["cart"]["lines"][str(reine.pk)] == 2 and response.status_code == 400


def test_a_line_over_the_stock_is_flagged_before_ordering(cart, bastille):
    reine = size_of("reine", "Sénior 33 cm")
    Stock.objects.filter(restaurant=bastille, ingredient__name="Jambon blanc").update(quantity=0)
    line = page(cart.get(CART)).select_one(f'[data-line="{reine.pk}"]')
    assert "épuisé" in line.select_one(".line__limit--error").get_text() and "Retirez-le" in line.get_text()


def test_bad_stepper_values_are_a_400_that_changes_nothing(cart):
    before = dict(cart.session["cart"]["lines"])
    for value in ("", "x", "1:", ":2", "1:-1", f"{size_of('reine').pk}:999999999999", "1:2:3", "\x00"):
        assert cart.post(UPDATE, {"line": value}).status_code == 400, value
    assert cart.session["cart"]["lines"] == before


def test_add_more_keeps_what_was_typed_and_goes_back_to_the_menu(cart, bastille):
    response = cart.post(DRAFT, {**delivery_form(name="Léa Durand", phone="0699999999"), "then": "menu"})
    assert response.status_code == 302 and response["Location"] == bastille.url
    values = form_values(cart.get(CART).content.decode(), "form[data-checkout]")
    assert (values["name"], values["phone"]) == ("Léa Durand", "0699999999")
    assert cart.post(DRAFT, {"then": "menu"}).status_code == 400


def test_the_draft_keeps_only_the_forms_fields_cut_to_their_length(cart):
    cart.post(DRAFT, {**delivery_form(name="N" * 5000, postcode="7501199"), "total": "0.01", "unknown": "x"})
    draft = cart.session["checkout_draft"]
    assert (
        len(draft["name"]) == 120 and draft["postcode"] == "75011" and "total" not in draft and "unknown" not in draft
    )


def test_after_an_order_the_next_checkout_keeps_contact_but_not_note_or_time(cart, bastille):
    cart.post(CHECKOUT, delivery_form(note="Sonnez deux fois", checkout_key=issue_checkout_key(cart)))
    assert Order.objects.count() == 1
    add(cart, bastille, size_of("reine"), 1)
    values = form_values(cart.get(CART).content.decode(), "form[data-checkout]")
    assert values["name"] == "Camille Martin" and values["note"].strip() == "" and values["when"] == ["asap"]


def test_the_error_summary_links_each_error_to_its_field(cart):
    response = cart.post(CHECKOUT, delivery_form(name="", postcode="7501", checkout_key=issue_checkout_key(cart)))
    summary = page(response).select_one("[data-error-summary]")
    assert summary.has_attr("tabindex") and summary["role"] == "alert"
    links = [(a["href"], a.get_text()) for a in summary.select("a")]
    assert links == [
        ("#id_postcode", "Code postal : Un code postal comporte cinq chiffres, par exemple 75011."),
        ("#id_name", "Nom : Indiquez un nom."),
    ]
    name = page(response).select_one("#id_name")
    assert name["aria-invalid"] == "true" and name["aria-describedby"] == "id_name-error"
    assert form_values(response.content.decode(), "form[data-checkout]")["street_address"] == "10 rue de Lappe"


def test_the_checkout_page_reads_the_same_number_of_queries_for_1_or_8_lines(client, bastille):
    slugs = ["reine", "margherita", "diavola", "calzone", "savoyarde", "coca-cola", "tiramisu", "limonade"]
    add(client, bastille, size_of(slugs[0]), 1)
    client.get(CART)
    counts = []
    for count in (1, 8):
        for slug in slugs[1:count]:
            add(client, bastille, size_of(slug), 1)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CART).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- saved addresses -------------------------------------------------------------


@pytest.fixture
def customer(client):
    user = get_user_model().objects.create_user(
        "camille", "camille@example.fr", "Pizza-Reine-2026", first_name="Camille", last_name="Martin"
    )
    client.force_login(user)
    return user


@pytest.fixture
def stranger():
    user = get_user_model().objects.create_user("intrus", "intrus@example.fr", "Pizza-Reine-2026")
    return SavedAddress.remember(user, "1 rue Secrète", "75011", "Paris")


def test_a_customer_saves_an_address_at_checkout_then_it_is_picked_and_prefilled(client, bastille, customer):
    add(client, bastille, size_of("reine"), 2)
    key = form_values(client.get(CART).content.decode(), "form[data-checkout]")["checkout_key"]
    response = client.post(CHECKOUT, delivery_form(save_address="on", checkout_key=key, email="camille@example.fr"))
    assert response.status_code == 302
    saved = SavedAddress.objects.get(user=customer)
    assert (saved.street_address, saved.postcode, saved.city) == ("10 rue de Lappe", "75011", "Paris")

    add(client, bastille, size_of("reine"), 2)
    session = client.session  # a new visit: nothing typed kept, what the account knows is prefilled
    session.pop("checkout_draft", None)
    session.save()
    soup = page(client.get(CART))
    assert soup.select_one("input[name=saved_address]:checked")["value"] == str(saved.pk)
    assert (
        soup.select_one("#id_name")["value"] == "Camille Martin"
        and soup.select_one("#id_phone")["value"] == "06 12 34 56 78"
    )
    values = form_values(str(soup), "form[data-checkout]")
    response = client.post(
        CHECKOUT, {**values, "street_address": "", "postcode": "", "city": ""}
    )  # the saved one is used
    assert response.status_code == 302, response.context["form"].errors
    assert Order.objects.order_by("-pk")[0].street_address == "10 rue de Lappe" and SavedAddress.objects.count() == 1


def test_a_saved_address_outside_the_delivery_area_is_refused_on_its_choice(client, bastille, customer):
    outside = SavedAddress.remember(customer, "8 rue des Dames", "75017", "Paris")
    add(client, bastille, size_of("reine"), 2)
    response = client.post(
        CHECKOUT, delivery_form(saved_address=str(outside.pk), checkout_key=issue_checkout_key(client))
    )
    assert response.status_code == 400 and "ne livre pas au 75017" in " ".join(
        response.context["form"].errors["saved_address"]
    )


def test_another_customers_address_is_refused_at_checkout_and_nothing_is_written(client, bastille, customer, stranger):
    mine = SavedAddress.remember(customer, "3 rue Keller", "75011", "Paris")
    add(client, bastille, size_of("reine"), 2)
    response = client.post(
        CHECKOUT, delivery_form(saved_address=str(stranger.pk), checkout_key=issue_checkout_key(client))
    )
    assert response.status_code == 400 and "saved_address" in response.context["form"].errors
    assert "1 rue Secrète" not in response.content.decode()
    assert Order.objects.count() == 0 and SavedAddress.objects.filter(user=customer).get() == mine


def test_my_addresses_lists_and_deletes_only_mine(client, customer, stranger):
    mine = SavedAddress.remember(customer, "3 rue Keller", "75011", "Paris")
    response = client.get(ADDRESSES)
    assert "3 rue Keller" in text_of(response) and "1 rue Secrète" not in text_of(response)
    assert client.post(f"{ADDRESSES}{stranger.pk}/supprimer/").status_code == 404
    for bogus in ("0", "x", "99999999999999999999", "-1"):
        assert client.post(f"{ADDRESSES}{bogus}/supprimer/").status_code == 404
    assert client.get(f"{ADDRESSES}{mine.pk}/supprimer/").status_code == 405
    assert SavedAddress.objects.count() == 2
    response = client.post(f"{ADDRESSES}{mine.pk}/supprimer/")
    assert response.status_code == 302 and not SavedAddress.objects.filter(pk=mine.pk).exists()
    assert SavedAddress.objects.filter(pk=stranger.pk).exists()


def test_my_addresses_needs_an_account(stranger):
    anonymous = Client()
    assert anonymous.get(ADDRESSES).status_code == 302
    assert anonymous.post(f"{ADDRESSES}{stranger.pk}/supprimer/").status_code == 302
    assert SavedAddress.objects.filter(pk=stranger.pk).exists()


def test_a_customer_keeps_the_most_recent_addresses(customer):
    for number in range(SavedAddress.KEPT + 3):
        SavedAddress.remember(customer, f"{number} rue de Lappe", "75011", "Paris")
    kept = list(SavedAddress.objects.filter(user=customer).values_list("street_address", flat=True))
    assert len(kept) == SavedAddress.KEPT and kept[0] == f"{SavedAddress.KEPT + 2} rue de Lappe"


def test_a_restaurant_closed_for_days_says_so_and_takes_no_order(cart, bastille):
    today = timezone.localdate()
    ExceptionalClosure.objects.create(
        restaurant=bastille, start_date=today - timedelta(days=1), end_date=today + timedelta(days=5)
    )
    response = cart.get(CART)
    assert "Fermé — aucune commande en ligne possible pour le moment." in text_of(response)
    assert page(response).select_one("[data-place-order]").has_attr("disabled")
    response = cart.post(CHECKOUT, delivery_form(checkout_key=issue_checkout_key(cart)))
    assert response.status_code == 400 and Order.objects.count() == 0
