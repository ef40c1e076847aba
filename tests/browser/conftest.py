import os

import pytest

from devtools.chromium import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test body
    # still makes plain ORM calls, which Django would otherwise refuse.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    """A French customer's phone."""
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True, has_touch=True, locale="fr-FR"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    """A French customer's laptop."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def bastille(demo_committed):
    """The Bastille restaurant, committed for the live server, open around the clock."""
    from home.models import RestaurantPage
    from tests.conftest import make_always_open

    restaurant = RestaurantPage.objects.get(slug="bastille")
    make_always_open(restaurant)
    return restaurant


def order_take_away(page, live_server, restaurant, products, payment=None):
    """A customer adds one of each product from the menu, then checks out for take-away
    (payment: the label of a payment choice, e.g. "PayPal")."""
    page.goto(live_server.url + restaurant.url)
    for count, slug in enumerate(products, start=1):
        page.locator(f"#{slug}").get_by_role("button", name="Ajouter").click()
        page.locator("[data-cart-count]").filter(has_text=str(count)).wait_for()
    page.goto(live_server.url + "/commande/panier/")
    page.get_by_label("À emporter").check()
    page.get_by_label("Nom").fill("Camille Martin")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("E-mail").fill("camille@example.fr")
    if payment:
        page.get_by_label(payment).check()
    page.locator("[data-place-order]").click()
