"""The restaurant page in the Wagtail admin (issue 16): a settings tab with the
publishing schedule, the catalogue price beside each menu override, and prices
typed the French way ("10,50") through the admin's own forms."""

import re
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from home.models import MenuItem, Product, RestaurantPage
from tests.conftest import form_values, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing_client(client):
    client.force_login(get_user_model().objects.get(username="marketing"))
    return client


def edit_url(restaurant):
    return reverse("wagtailadmin_pages:edit", args=[restaurant.pk])


def page_form(client, restaurant):
    response = client.get(edit_url(restaurant))
    assert response.status_code == 200
    data = form_values(response.content.decode(), "form[data-edit-form]")
    data.setdefault(
        "body-count", "0"
    )  # the StreamField's inputs are built by the admin's JavaScript; the demo body is empty
    return response, data


def menu_index(data, product):
    """The menu formset's index of a product's row."""
    for key, value in data.items():
        match = re.fullmatch(r"menu_items-(\d+)-product", key)
        if match and value == str(product.pk):
            return match.group(1)
    raise AssertionError(f"{product} is not on the menu form")


def site_text(client, restaurant):
    client.logout()
    return text_of(client.get(restaurant.url, HTTP_ACCEPT_LANGUAGE="fr"))


# --- the publishing schedule -------------------------------------------------


def test_the_restaurant_page_has_the_settings_with_the_publishing_schedule(marketing_client):
    """Wagtail 8 shows the settings' publishing schedule as the status side panel's "Programmer"
    dialog (a tab with nothing else visible is not drawn), as on its own page types."""
    response, _data = page_form(marketing_client, RestaurantPage.objects.get(slug="bastille"))
    soup = BeautifulSoup(response.content, "html.parser")
    assert soup.select_one("[data-a11y-dialog-show=schedule-publishing-dialog]").get_text(strip=True) == "Programmer"
    dialog = soup.find(id="schedule-publishing-dialog")  # in a <template>, which CSS selectors do not enter
    assert dialog.find("input", attrs={"name": "go_live_at"}) and dialog.find("input", attrs={"name": "expire_at"})
    assert dialog.find("label", attrs={"for": "id_go_live_at"}) and dialog.find("label", attrs={"for": "id_expire_at"})


def test_a_scheduled_menu_change_goes_live_at_its_time(marketing_client):
    bastille = RestaurantPage.objects.get(slug="bastille")
    margherita = Product.objects.get(slug="margherita")
    _response, data = page_form(marketing_client, bastille)
    data[f"menu_items-{menu_index(data, margherita)}-price_override"] = "10,50"
    data["go_live_at"] = (timezone.localtime() + timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    data["action-publish"] = "action-publish"
    response = marketing_client.post(edit_url(bastille), data)
    assert response.status_code == 302, text_of(response)[:2000]
    bastille.refresh_from_db()
    assert bastille.live and bastille.latest_revision.approved_go_live_at is not None  # scheduled, the page stays live
    assert "10,50" not in site_text(marketing_client, bastille)
    assert MenuItem.objects.get(restaurant=bastille, product=margherita).price_override is None

    call_command("publish_scheduled")  # too early: nothing happens
    assert "10,50" not in site_text(marketing_client, bastille)

    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(hours=3)):
        call_command("publish_scheduled")
    assert MenuItem.objects.get(restaurant=bastille, product=margherita).price_override == Decimal("10.50")
    assert "Junior 26 cm 10,50\u00a0€" in site_text(marketing_client, bastille)


def test_a_restaurant_page_can_be_set_to_expire(marketing_client):
    nation = RestaurantPage.objects.get(slug="nation")
    _response, data = page_form(marketing_client, nation)
    data["expire_at"] = (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    data["action-publish"] = "action-publish"
    assert marketing_client.post(edit_url(nation), data).status_code == 302
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(hours=2)):
        call_command("publish_scheduled")
    nation.refresh_from_db()
    assert not nation.live and nation.expired


# --- the catalogue price beside the override ------------------------------------


def test_the_menu_tab_shows_the_catalogue_price_beside_the_override(marketing_client):
    response, _data = page_form(marketing_client, RestaurantPage.objects.get(slug="nation"))
    rows = [
        row.get_text(" ", strip=True)
        for row in BeautifulSoup(response.content, "html.parser").select("[data-catalogue-price]")
    ]
    margherita = next(row for row in rows if "9,50" in row and "Junior" in row)
    assert (
        "Prix du catalogue : Junior 26 cm 9,50\u00a0€ · Sénior 33 cm 12,50\u00a0€ · Méga 40 cm 16,00\u00a0€"
        in margherita
    )
    # Nation sells it 8,90: the other sizes keep their difference (MenuItem.price_for, as on the site)
    assert (
        "Dans ce restaurant : Junior 26 cm 8,90\u00a0€ · Sénior 33 cm 11,90\u00a0€ · Méga 40 cm 15,40\u00a0€"
        in margherita
    )
    drink = next(row for row in rows if "33 cl 2,50" in row)
    assert "Dans ce restaurant" not in drink  # no override: the catalogue price applies
    assert len(rows) == MenuItem.objects.filter(restaurant__slug="nation").count()


def test_the_catalogue_prices_cost_one_query_whatever_the_menu_length(marketing_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bastille = RestaurantPage.objects.get(slug="bastille")
    with CaptureQueriesContext(connection) as full:
        marketing_client.get(edit_url(bastille))
    sizes_queries = [q for q in full.captured_queries if 'FROM "home_productsize"' in q["sql"]]
    assert len(sizes_queries) <= 2, [q["sql"][:120] for q in sizes_queries]


# --- prices typed the French way -------------------------------------------------


def test_a_product_price_typed_with_a_comma_is_stored_as_the_same_decimal(marketing_client):
    product = Product.objects.get(slug="reine")
    url = reverse("wagtailsnippets_home_product:edit", args=[product.pk])
    page = marketing_client.get(url)
    assert 'value="11,50"' in page.content.decode() and 'inputmode="decimal"' in page.content.decode()
    data = form_values(page.content.decode(), "form[data-edit-form]")
    data["sizes-0-price"] = "10,50"
    data["action-publish"] = "action-publish"
    assert marketing_client.post(url, data).status_code == 302
    assert product.sizes.order_by("sort_order").first().price == Decimal("10.50")


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("10,50", "10.50"),
        ("10.50", "10.50"),
        ("10,5", "10.50"),
        (" 3,20 € ", "3.20"),
        ("7", "7.00"),
        ("1\u00a0250,00", "1250.00"),
    ],
)
def test_restaurant_prices_accept_a_decimal_comma(marketing_client, typed, stored):
    nation = RestaurantPage.objects.get(slug="nation")
    _response, data = page_form(marketing_client, nation)
    data["delivery_fee"] = typed
    data["minimum_order"] = typed
    data[f"menu_items-{menu_index(data, Product.objects.get(slug='diavola'))}-price_override"] = typed
    data["action-publish"] = "action-publish"
    response = marketing_client.post(edit_url(nation), data)
    assert response.status_code == 302, text_of(response)[:2000]
    nation = RestaurantPage.objects.get(pk=nation.pk)
    assert nation.delivery_fee == nation.minimum_order == Decimal(stored)
    assert MenuItem.objects.get(restaurant=nation, product__slug="diavola").price_override == Decimal(stored)


@pytest.mark.parametrize("typed", ["10,50,1", "abc", "10;50", "-1,00", "100000,00", "1,234", "\x00"])
def test_a_price_that_is_no_amount_is_refused_and_nothing_changes(marketing_client, typed):
    nation = RestaurantPage.objects.get(slug="nation")
    _response, data = page_form(marketing_client, nation)
    data["delivery_fee"] = typed
    data["action-publish"] = "action-publish"
    response = marketing_client.post(edit_url(nation), data)
    assert response.status_code == 200  # the form comes back with its error
    assert RestaurantPage.objects.get(pk=nation.pk).delivery_fee == nation.delivery_fee


def test_an_emptied_override_falls_back_to_the_catalogue_price(marketing_client):
    nation = RestaurantPage.objects.get(slug="nation")
    _response, data = page_form(marketing_client, nation)
    row = menu_index(data, Product.objects.get(slug="margherita"))
    assert data[f"menu_items-{row}-price_override"] == "8,90"  # shown the French way
    data[f"menu_items-{row}-price_override"] = ""
    data["action-publish"] = "action-publish"
    assert marketing_client.post(edit_url(nation), data).status_code == 302
    assert MenuItem.objects.get(restaurant=nation, product__slug="margherita").price_override is None
