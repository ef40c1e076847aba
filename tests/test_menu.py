"""The restaurant page's menu (issue 16): product rows with size chips that carry their
price, the diet and allergen filters (declared values only: anything else is a 400), the
cart's total in the header and the menu's bar, a closed restaurant saying when to order
for, and the home page's postcode search listing who delivers first, nearest first."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from home.menu_filters import InvalidFilter, MenuFilters, allergen_key, parse_filters
from home.models import Allergen, MenuItem, OpeningHours, Product, RestaurantPage
from home.nearest import by_distance, location_of
from home.templatetags.ocpizza import moment_label
from tests.conftest import make_always_open, size_of, text_of

pytestmark = pytest.mark.django_db
ADD = "/commande/panier/ajouter/"
DIETS = {"vegetarien": "Végétarien", "vegan": "Vegan", "epice": "Épicé"}
ALLERGENS = {"gluten": "Gluten", "lait": "Lait", "oeufs": "Œufs"}


def soup(response):
    return BeautifulSoup(response.content, "html.parser")


def shown_products(response):
    return {card["data-product"] for card in soup(response).select(".product-card") if not card.has_attr("hidden")}


def products(**filters):
    return set(Product.objects.filter(live=True, **filters).values_list("slug", flat=True))


# --- parsing the filters ------------------------------------------------------


def parse(query):
    return parse_filters(QueryDict(query), lambda: DIETS, lambda: ALLERGENS)


def test_filters_are_read_from_the_query_string():
    filters = parse("regime=vegetarien&sans=gluten&sans=oeufs&sans=gluten&utm_source=x")
    assert filters == MenuFilters(diets=frozenset({"vegetarien"}), without=frozenset({"gluten", "oeufs"}))
    assert filters.allergen_names == {"gluten": "Gluten", "oeufs": "Œufs"} and filters.diet_names == {
        "vegetarien": "Végétarien"
    }
    assert not parse("") and not parse("postcode=75011")


def test_the_catalogue_is_asked_only_for_the_kind_of_filter_used():
    asked = []

    def declared(kind, values):
        return lambda: asked.append(kind) or values

    parse_filters(QueryDict("page=2"), declared("diets", DIETS), declared("allergens", ALLERGENS))
    assert asked == []
    parse_filters(QueryDict("sans=lait"), declared("diets", DIETS), declared("allergens", ALLERGENS))
    assert asked == ["allergens"]


GARBAGE = [
    "",
    " ",
    "Gluten",
    "gluten ",
    "glu\x00ten",
    "\x00",
    "x" * 61,
    "x" * 10_000,
    "gluten,lait",
    "-gluten",
    "glüten",
    "١٢",
    "🍕",
    "<script>",
    "' OR 1=1 --",
    "../lait",
    "ananas",
    "1",
]


@pytest.mark.parametrize("name", ["regime", "sans"])
@pytest.mark.parametrize("value", GARBAGE)
def test_garbage_filters_are_refused(name, value):
    query = QueryDict(mutable=True)
    query.setlist(name, [value])
    with pytest.raises(InvalidFilter):
        parse_filters(query, lambda: DIETS, lambda: ALLERGENS)


def test_a_diet_is_not_an_allergen_nor_the_other_way_round():
    with pytest.raises(InvalidFilter):
        parse("regime=gluten")
    with pytest.raises(InvalidFilter):
        parse("sans=vegan")


def test_too_many_filters_are_refused():
    with pytest.raises(InvalidFilter):
        parse("&".join(["sans=gluten"] * 31))
    assert parse("&".join(["sans=gluten"] * 30)).without == {"gluten"}


def test_allergens_have_a_plain_key_for_the_address():
    assert [allergen_key(name) for name in ("Œufs", "Fruits à coque", "Graines de sésame", "Crustacés")] == [
        "oeufs",
        "fruits-a-coque",
        "graines-de-sesame",
        "crustaces",
    ]
    keys = [allergen.key for allergen in Allergen.objects.all()]
    assert len(keys) == len(set(keys)) and all(keys)  # one key each, never empty


# --- the restaurant page ------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "sans=ananas",
        "regime=carnivore",
        "sans=",
        "regime=",
        "sans=" + "x" * 10_000,
        "sans=glu%00ten",
        "sans=GLUTEN",
        "regime=gluten",
        "&".join(["sans=lait"] * 40),
    ],
)
def test_a_garbage_filter_is_a_clear_400(client, demo, query):
    response = client.get(demo["bastille"].url + "?" + query, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    text = text_of(response)
    assert "Ce filtre de la carte n'est pas valide" in text and "Voir toute la carte de OC Pizza Bastille" in text
    assert soup(response).select_one(f"main a[href='{demo['bastille'].url}']")


def test_filters_keep_what_matches_and_say_how_many(client, demo):
    bastille = demo["bastille"]
    on_the_menu = set(bastille.menu_items.values_list("product__slug", flat=True))
    everything = shown_products(client.get(bastille.url))
    assert everything == on_the_menu & products()

    response = client.get(bastille.url + "?sans=gluten", HTTP_ACCEPT_LANGUAGE="fr")
    gluten_free = on_the_menu & (products() - products(allergens__name="Gluten"))
    assert response.status_code == 200 and shown_products(response) == gluten_free
    assert f"{len(gluten_free)} produits correspondent à vos filtres" in text_of(response)
    assert soup(response).select_one("#cat-pizzas").has_attr("hidden")  # every pizza has gluten
    assert soup(response).select_one("input[name=sans][value=gluten]").has_attr("checked")

    response = client.get(bastille.url + "?regime=vegetarien&sans=lait")
    assert shown_products(response) == on_the_menu & products(diet_tags__slug="vegetarien") - products(
        allergens__name="Lait"
    )

    response = client.get(
        bastille.url + "?regime=vegan&regime=epice", HTTP_ACCEPT_LANGUAGE="fr"
    )  # no vegan spicy pizza
    assert shown_products(response) == set()
    assert not soup(response).select_one("[data-menu-empty]").has_attr("hidden")


def test_a_filter_for_what_this_menu_lacks_is_still_offered_to_untick(client, demo):
    bastille = demo["bastille"]
    MenuItem.objects.filter(restaurant=bastille, product__diet_tags__slug="vegan").delete()
    page = soup(client.get(bastille.url + "?regime=vegan"))
    assert page.select_one("input[name=regime][value=vegan]").has_attr("checked")
    assert not soup(client.get(bastille.url)).select_one("input[name=regime][value=vegan]")


def test_filtered_menu_queries_do_not_grow_with_the_menu(client, demo):
    restaurant = demo["bastille"]
    url = restaurant.url + "?regime=vegetarien&sans=lait"
    client.get(url)  # warm renditions and caches
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for product in Product.objects.all():
        MenuItem.objects.create(restaurant=restaurant, product=product, price_override=Decimal("20.00"))
    client.get(url)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_a_plain_menu_asks_nothing_about_filters(client, demo):
    client.get(demo["bastille"].url)
    with CaptureQueriesContext(connection) as queries:
        client.get(demo["bastille"].url)
    assert not [
        q for q in queries.captured_queries if "home_allergen" in q["sql"] and "home_product_allergens" not in q["sql"]
    ]


def test_each_price_is_shown_once_on_its_size_chip(client, bastille):
    card = soup(client.get(bastille.url, HTTP_ACCEPT_LANGUAGE="fr")).select_one("#margherita")
    chips = [" ".join(chip.get_text(" ").split()) for chip in card.select(".size-chip")]
    assert chips == ["Junior 26 cm 9,50 €", "Sénior 33 cm 12,50 €", "Méga 40 cm 16,00 €"]
    assert card.get_text().count("9,50") == 1
    assert [button.get_text(" ", strip=True) for button in card.select("button")] == ["Ajouter Margherita"]
    radios = card.select("input[type=radio][name=size]")
    assert [radio.has_attr("checked") for radio in radios] == [True, False, False]
    assert card.select_one("input[name=quantity]")["value"] == "1"


def test_sold_out_sizes_are_shown_and_cannot_be_chosen(client, bastille):
    from ordering.models import Stock

    Stock.objects.filter(restaurant=bastille, ingredient__name="Reblochon").update(quantity=0)
    card = soup(client.get(bastille.url, HTTP_ACCEPT_LANGUAGE="fr")).select_one("#savoyarde")
    chips = card.select(".size-chip")
    assert len(chips) == 3 and all(
        "Épuisé" in chip.get_text() and chip.select_one("input").has_attr("disabled") for chip in chips
    )
    assert card.select_one("button").has_attr("disabled")


def test_the_first_size_that_can_be_made_is_chosen():
    from types import SimpleNamespace

    from home.templatetags.ocpizza import first_available

    sold_out, unlimited, three = (SimpleNamespace(can_make=n) for n in (0, None, 3))
    assert first_available([(sold_out, 1), (unlimited, 2), (three, 3)]) is unlimited
    assert first_available([(sold_out, 1)]) is None
    assert first_available([(SimpleNamespace(), 1)]) is not None  # a preview: no stock known


def test_the_page_to_come_back_to_keeps_the_filters(client, bastille):
    form = soup(client.get(bastille.url + "?sans=lait")).select_one("#coca-cola form")
    assert form.select_one("input[name=next]")["value"] == bastille.url + "?sans=lait#coca-cola"
    response = client.post(
        ADD,
        {
            "restaurant": bastille.pk,
            "size": size_of("coca-cola").pk,
            "quantity": 1,
            "next": bastille.url + "?sans=lait#coca-cola",
        },
    )
    assert response.status_code == 302 and response["Location"] == bastille.url + "?sans=lait#coca-cola"


# --- the cart's total in the header and the bar --------------------------------


def test_the_header_and_the_bar_show_the_carts_total(client, bastille):
    page = soup(client.get(bastille.url, HTTP_ACCEPT_LANGUAGE="fr"))
    assert page.select_one("[data-cart-count]").get_text() == "0"
    assert page.select_one("[data-cart-bar]").has_attr("hidden") and page.select_one("[data-cart-total]").has_attr(
        "hidden"
    )

    response = client.post(
        ADD,
        {"restaurant": bastille.pk, "size": size_of("margherita", "Sénior 33 cm").pk, "quantity": 2},
        HTTP_ACCEPT="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.json()["count"] == 2 and response.json()["total"] == "25,00\u00a0€"

    for url in (bastille.url, "/"):
        page = soup(client.get(url, HTTP_ACCEPT_LANGUAGE="fr"))
        bar = page.select_one("[data-cart-bar]")
        assert not bar.has_attr("hidden")
        assert " ".join(bar.get_text(" ").split()) == "2 Voir le panier · 25,00 €"
        assert page.select_one("[data-cart-total]").get_text() == "25,00\u00a0€"


def test_the_header_total_changes_nothing_in_the_cart(client, bastille):
    client.post(ADD, {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 1})
    MenuItem.objects.filter(restaurant=bastille, product__slug="reine").delete()  # no longer sold here
    before = dict(client.session["cart"])
    page = soup(client.get("/"))
    assert (
        page.select_one("[data-cart-count]").get_text() == "1" and page.select_one("[data-cart-total]").get_text() == ""
    )
    assert client.session["cart"] == before  # the cart page says what was removed, not the header


# --- a closed restaurant ------------------------------------------------------


def closed_for_two_hours(restaurant):
    now = timezone.localtime()
    opens = (now + timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    restaurant.opening_hours.all().delete()
    restaurant.closures.all().delete()
    for weekday in range(7):
        OpeningHours.objects.create(
            restaurant=restaurant, weekday=weekday, opens=opens.time(), closes=(opens + timedelta(hours=2)).time()
        )
    return opens


def test_a_closed_restaurant_says_when_to_order_for(client, demo):
    from ordering.slots import available_slots
    from ordering.workflow import Fulfilment

    bastille = demo["bastille"]
    opens = closed_for_two_hours(bastille)
    pickup = available_slots(bastille, Fulfilment.PICKUP)[0]
    delivery = available_slots(bastille, Fulfilment.DELIVERY)[0]
    assert pickup == opens + timedelta(minutes=30) and delivery == opens + timedelta(minutes=45)  # 20 min, 15-min steps
    text = text_of(client.get(bastille.url, HTTP_ACCEPT_LANGUAGE="fr"))
    assert f"Fermé — commandez pour {moment_label(pickup)}" in text
    assert f"À emporter dès {moment_label(pickup)}, en livraison dès {moment_label(delivery)}." in text


def test_an_open_restaurant_says_nothing_more(client, bastille):
    assert "commandez pour" not in text_of(client.get(bastille.url, HTTP_ACCEPT_LANGUAGE="fr"))


def test_too_late_for_tonight(client, bastille):
    now = timezone.localtime()
    if now.time() >= time(23, 30) or now.time() < time(0, 30):
        pytest.skip("the interval below would cross midnight")
    bastille.opening_hours.all().delete()
    closes = (now + timedelta(minutes=10)).time()  # open, but 20 minutes of preparation do not fit
    for weekday in range(7):
        OpeningHours.objects.create(restaurant=bastille, weekday=weekday, opens=time(0, 0), closes=closes)
    text = text_of(client.get(bastille.url, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Ouvert · ferme à" in text and "Plus de commande pour ce service — commandez pour demain 00:30" in text


def test_moment_labels():
    now = timezone.localtime()
    assert moment_label(now.replace(hour=12, minute=0)) == "12:00"
    with timezone.override("Europe/Paris"):
        assert moment_label(timezone.localtime() + timedelta(days=1)).startswith("demain ")


# --- the postcode search ----------------------------------------------------


def test_nearest_first():
    restaurants = [RestaurantPage(title=code, postcode=code) for code in ("75020", "75014", "75011", "75017")]
    assert [r.postcode for r in by_distance(restaurants, "75012")] == ["75011", "75020", "75014", "75017"]
    assert [r.postcode for r in by_distance(restaurants, "13001")] == [
        "75020",
        "75014",
        "75011",
        "75017",
    ]  # unknown: as they were
    assert location_of("92100") and location_of("75116") and location_of("13001") is None and location_of("") is None


def test_postcode_search_lists_who_delivers_first(client, demo):
    page = soup(client.get("/?postcode=75012", HTTP_ACCEPT_LANGUAGE="fr"))
    names = [name.get_text(strip=True) for name in page.select(".postcode-result .restaurant-card__name")]
    assert names[:2] == ["OC Pizza Bastille", "OC Pizza Nation"]
    assert len(names) == 5 and len(page.select(".restaurant-card--delivers")) == 2
    assert not page.select("#restaurants-title")  # the list is not shown twice


def test_postcode_nobody_delivers_names_the_nearest(client, demo):
    page = soup(client.get("/?postcode=75001", HTTP_ACCEPT_LANGUAGE="fr"))
    first = page.select_one(".postcode-result .restaurant-card")
    assert first.select_one(".restaurant-card__name").get_text(strip=True) == "OC Pizza République"
    assert "Le plus proche de chez vous" in first.get_text()
    text = text_of(client.get("/?postcode=13001", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "l'un de nos restaurants parisiens" in text and "Le plus proche" not in text


def test_home_page_queries_do_not_grow_with_the_restaurants(client, demo):
    client.get("/?postcode=75012")
    with CaptureQueriesContext(connection) as few:
        client.get("/?postcode=75012")
    home = demo["home"]
    for number in range(3):
        restaurant = RestaurantPage.objects.get(slug="bastille")
        copy = restaurant.copy(to=home, update_attrs={"slug": f"bastille-{number}", "title": f"Bastille {number}"})
        make_always_open(copy)
    client.get("/?postcode=75012")
    with CaptureQueriesContext(connection) as more:
        response = client.get("/?postcode=75012")
    assert text_of(response).count("OC Pizza Bastille") >= 1 and "Bastille 2" in text_of(response)
    assert len(more) == len(few), [q["sql"] for q in more.captured_queries]
