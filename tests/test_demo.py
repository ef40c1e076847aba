import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.images import get_image_model
from wagtail.models import Page, Revision

from home.models import Allergen, Category, DietaryTag, MenuItem, OpeningHours, Product, ProductSize, RestaurantPage

pytestmark = pytest.mark.django_db


def snapshot():
    counted = [
        Allergen,
        Category,
        DietaryTag,
        Product,
        ProductSize,
        RestaurantPage,
        MenuItem,
        OpeningHours,
        Page,
        Revision,
        get_image_model(),
        get_user_model(),
    ]
    return {
        "counts": {model.__name__: model.objects.count() for model in counted},
        "prices": sorted(ProductSize.objects.values_list("product__slug", "label", "price")),
        "restaurants": sorted(RestaurantPage.objects.values_list("slug", "postcode", "delivery_postcodes", "live")),
        "menus": sorted(MenuItem.objects.values_list("restaurant__slug", "product__slug", "price_override")),
    }


def test_demo_content_is_complete():
    assert RestaurantPage.objects.live().count() == 5
    assert Product.objects.filter(live=True, category__slug="pizzas").count() >= 12
    assert Product.objects.filter(live=True, category__slug="boissons").exists()
    assert Product.objects.filter(live=True, category__slug="desserts").exists()
    assert not Product.objects.filter(photo__isnull=True).exists()
    assert get_user_model().objects.get(username="admin").is_superuser
    assert get_user_model().objects.get(username="marketing").groups.filter(name="Marketing").exists()


def test_demo_command_run_twice_leaves_the_same_data():
    before = snapshot()
    call_command("load_demo")
    call_command("load_demo")
    assert snapshot() == before
