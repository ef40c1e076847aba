"""Marketing staff run the content from the Wagtail admin, and nothing else."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from home.models import Product, RestaurantPage
from tests.conftest import form_values, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def marketing_client(client):
    client.force_login(get_user_model().objects.get(username="marketing"))
    return client


def edit_first_size_price(client, product, price, publish, go_live_at=None):
    """Open the product's edit page in the admin, change the first size's price, submit."""
    url = reverse("wagtailsnippets_home_product:edit", args=[product.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_values(page.content.decode(), "form[data-edit-form]")
    data["sizes-0-price"] = price
    if go_live_at:
        data["go_live_at"] = go_live_at.strftime("%Y-%m-%d %H:%M")
    if publish:
        data["action-publish"] = "action-publish"
    response = client.post(url, data)
    assert response.status_code == 302, text_of(response)[:2000]
    return response


def menu_text(client):
    client.logout()
    return text_of(client.get(RestaurantPage.objects.get(slug="bastille").url, HTTP_ACCEPT_LANGUAGE="fr"))


def test_published_price_change_shows_on_the_site(marketing_client):
    product = Product.objects.get(slug="reine")
    edit_first_size_price(marketing_client, product, "11.90", publish=True)
    assert "Junior 26 cm 11,90\u00a0€" in menu_text(marketing_client)


def test_draft_price_change_waits_for_publishing(marketing_client):
    product = Product.objects.get(slug="reine")
    edit_first_size_price(marketing_client, product, "13.90", publish=False)
    product.refresh_from_db()
    assert product.has_unpublished_changes
    text = menu_text(marketing_client)
    assert "13,90" not in text and "Junior 26 cm 11,50\u00a0€" in text

    product.get_latest_revision().publish()
    assert "Junior 26 cm 13,90\u00a0€" in menu_text(marketing_client)


def test_scheduled_price_goes_live_at_its_time(marketing_client):
    product = Product.objects.get(slug="diavola")
    go_live = timezone.localtime() + timedelta(hours=2)
    edit_first_size_price(marketing_client, product, "10.00", publish=True, go_live_at=go_live)
    assert "10,00" not in menu_text(marketing_client)

    call_command("publish_scheduled")  # too early: nothing happens
    assert "10,00" not in menu_text(marketing_client)

    three_hours_later = timezone.now() + timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=three_hours_later):
        call_command("publish_scheduled")
    assert "Junior 26 cm 10,00\u00a0€" in menu_text(marketing_client)


def test_invalid_price_is_refused_with_a_message(marketing_client):
    product = Product.objects.get(slug="reine")
    url = reverse("wagtailsnippets_home_product:edit", args=[product.pk])
    data = form_values(marketing_client.get(url).content.decode(), "form[data-edit-form]")
    data["sizes-0-price"] = "-3"
    data["action-publish"] = "action-publish"
    response = marketing_client.post(url, data)
    assert response.status_code == 200  # the form comes back with its errors
    assert Product.objects.get(pk=product.pk).sizes.first().price > 0


def test_marketing_edits_restaurant_pages(marketing_client):
    restaurant = RestaurantPage.objects.get(slug="bastille")
    url = reverse("wagtailadmin_pages:edit", args=[restaurant.pk])
    data = form_values(marketing_client.get(url).content.decode(), "form[data-edit-form]")
    data["intro"] = "Nouvelle terrasse chauffée."
    data.setdefault(
        "body-count", "0"
    )  # the StreamField's inputs are built by the admin's JavaScript; the demo body is empty
    data["action-publish"] = "action-publish"
    assert marketing_client.post(url, data).status_code == 302
    assert "Nouvelle terrasse chauffée." in menu_text(marketing_client)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/users/",
        "/admin/groups/",
        "/admin/sites/",
        "/admin/workflows/list/",
        "/admin/redirects/",
        "/admin/locales/",
        "/admin/snippets/wagtailcore/",
    ],
)
def test_marketing_cannot_reach_admin_areas_beyond_content(marketing_client, url):
    response = marketing_client.get(url)
    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert response["Location"] in ("/admin/", reverse("wagtailadmin_home"))


def test_marketing_reaches_content_areas(marketing_client):
    for url in ("/admin/", "/admin/snippets/home/product/", "/admin/images/"):
        assert marketing_client.get(url).status_code == 200, url


def test_marketing_cannot_create_users(marketing_client):
    before = get_user_model().objects.count()
    marketing_client.post("/admin/users/add/", {"username": "intruder", "password1": "x" * 12, "password2": "x" * 12})
    assert get_user_model().objects.count() == before
