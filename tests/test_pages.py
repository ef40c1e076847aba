"""Page tree rules, rendering, menus and the postcode lookup, on the demo content."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from home.models import HomePage, MenuItem, Product, RestaurantPage, StandardPage
from tests.conftest import text_of

pytestmark = pytest.mark.django_db


def test_page_tree_rules():
    root = Page.objects.get(depth=1)
    home = HomePage.objects.get()
    restaurant = RestaurantPage.objects.first()
    assert HomePage.can_create_at(root) is False  # only one home page
    assert RestaurantPage.can_create_at(home) and StandardPage.can_create_at(home)
    assert not RestaurantPage.can_create_at(root)
    assert not RestaurantPage.can_create_at(restaurant)
    assert not StandardPage.can_create_at(restaurant)
    assert list(RestaurantPage.allowed_subpage_models()) == []


def test_every_page_type_renders(client, demo):
    legal = demo["home"].add_child(
        instance=StandardPage(title="Mentions légales", slug="mentions-legales", body="<p>OC Pizza SAS</p>")
    )
    for page, expected in ((demo["home"], "Nos restaurants"), (demo["bastille"], "Carte"), (legal, "OC Pizza SAS")):
        response = client.get(page.url, HTTP_ACCEPT_LANGUAGE="fr")
        assert response.status_code == 200, page
        assert expected in text_of(response)


def test_restaurant_page_shows_its_menu_by_category_with_french_prices(client, demo):
    response = client.get(demo["bastille"].url, HTTP_ACCEPT_LANGUAGE="fr")
    text = text_of(response)
    assert text.index("Pizzas") < text.index("Boissons") < text.index("Desserts")
    assert "Margherita" in text and "Junior 26 cm 9,50\u00a0€" in text and "Méga 40 cm 16,00\u00a0€" in text
    assert "Allergènes : Gluten, Lait" in text
    assert 'src="/media/images/pizza-margherita' in response.content.decode()


def test_price_override_applies_to_every_size(client):
    nation = RestaurantPage.objects.get(slug="nation")  # Margherita at 8,90 instead of 9,50
    text = text_of(client.get(nation.url, HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Junior 26 cm 8,90\u00a0€" in text and "Sénior 33 cm 11,90\u00a0€" in text


def test_unpublished_product_leaves_the_menu(client, demo):
    product = Product.objects.get(slug="calzone")
    product.unpublish()
    text = text_of(client.get(demo["bastille"].url))
    assert "Calzone" not in text and "Margherita" in text


def test_only_the_restaurants_own_menu_is_shown(client, demo):
    MenuItem.objects.filter(restaurant=demo["bastille"], product__slug="tiramisu").delete()
    assert "Tiramisu" not in text_of(client.get(demo["bastille"].url))
    assert "Tiramisu" in text_of(client.get(RestaurantPage.objects.get(slug="nation").url))


def test_restaurant_page_queries_do_not_grow_with_the_menu(client, demo):
    restaurant = demo["bastille"]
    client.get(restaurant.url)  # warm renditions and caches
    with CaptureQueriesContext(connection) as small:
        client.get(restaurant.url)
    for product in Product.objects.all():
        MenuItem.objects.create(restaurant=restaurant, product=product, price_override=Decimal("20.00"))
    client.get(restaurant.url)
    with CaptureQueriesContext(connection) as large:
        response = client.get(restaurant.url)
    assert response.content.decode().count('class="product-card"') == 2 * Product.objects.count()
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_product_photos_come_in_the_sizes_a_screen_needs(client, demo):
    """A phone downloads the thumbnail its screen needs (1x, 2x, 3x of 72-96 CSS px), not the largest."""
    html = client.get(demo["bastille"].url).content.decode()
    photo = re.search(r'<img [^>]*class="product-card__photo"[^>]*>', html).group(0)
    assert re.search(
        r'srcset="[^"]*fill-96x96[^"]* 96w, [^"]*fill-176x176[^"]* 176w, [^"]*fill-264x264[^"]* 264w"', photo
    )
    assert 'sizes="(max-width: 359px) 72px, (min-width: 640px) 96px, 88px"' in photo
    assert 'loading="lazy"' in photo and 'width="96"' in photo and 'height="96"' in photo


@pytest.mark.parametrize(
    "postcode, expected",
    [("75012", {"OC Pizza Bastille", "OC Pizza Nation"}), ("75017", {"OC Pizza Batignolles"}), ("75001", set())],
)
def test_postcode_lookup(postcode, expected, demo):
    restaurants = RestaurantPage.objects.live()
    assert {r.title for r in RestaurantPage.delivering_to(postcode, restaurants)} == expected


def test_postcode_lookup_ignores_partial_matches(demo):
    # "7501" is inside "75011" but is not a postcode of Bastille.
    assert RestaurantPage.delivering_to("7501", RestaurantPage.objects.live()) == []


def test_postcode_search_on_the_home_page(client, demo):
    text = text_of(client.get("/?postcode=75012", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Ces restaurants livrent au 75012" in text and "OC Pizza Nation" in text


def test_postcode_no_restaurant_offers_take_away(client, demo):
    text = text_of(client.get("/?postcode=75001", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Aucun de nos restaurants ne livre encore au 75001" in text
    assert "à emporter" in text and "12 rue de la Roquette" in text


def test_postcode_invalid_gets_a_clear_message(client, demo):
    text = text_of(client.get("/?postcode=75a", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Un code postal comporte cinq chiffres" in text


def test_bad_delivery_postcodes_are_refused_by_the_page(demo):
    from django.core.exceptions import ValidationError

    restaurant = demo["bastille"]
    restaurant.delivery_postcodes = "75011, 750"
    with pytest.raises(ValidationError) as error:
        restaurant.full_clean()
    assert "delivery_postcodes" in error.value.message_dict


def test_english_is_available(client, demo):
    assert "Our restaurants" in text_of(client.get("/", HTTP_ACCEPT_LANGUAGE="en"))
