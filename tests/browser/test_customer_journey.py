import os

import pytest

from tests.conftest import committed_db

pytestmark = [pytest.mark.browser, committed_db]


@pytest.fixture(params=["phone", "desktop"])
def device(request):
    """The customer's screen: a phone (390×844), then a laptop (1280×800)."""
    page = request.getfixturevalue(request.param)
    page.device_name = request.param
    return page


def test_find_a_restaurant_by_postcode_and_see_its_menu(device, live_server, demo_committed, artifacts_dir):
    device.goto(live_server.url + "/")
    assert device.locator("h1").inner_text() == "Des pizzas généreuses, livrées chaudes"

    device.get_by_label("Votre code postal").fill("75012")
    device.get_by_role("button", name="Rechercher").click()
    result = device.locator(".postcode-result")
    result.wait_for()
    assert "Ces restaurants livrent au 75012" in result.inner_text()
    result.get_by_role("link", name="OC Pizza Bastille").click()

    device.wait_for_url("**/bastille/")
    assert device.locator("h1").inner_text() == "OC Pizza Bastille"
    pizzas = device.locator("#cat-pizzas .product-card")
    assert pizzas.count() >= 12
    margherita = device.locator(".product-card[data-product='margherita']")
    margherita.scroll_into_view_if_needed()
    assert "9,50\u00a0€" in margherita.locator(".sizes").inner_text()
    photo = margherita.locator("img")
    photo.scroll_into_view_if_needed()
    device.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())

    device.screenshot(path=os.path.join(artifacts_dir, f"restaurant-menu-{device.device_name}.png"), full_page=False)


def test_unknown_postcode_offers_take_away(device, live_server, demo_committed, artifacts_dir):
    device.goto(live_server.url + "/")
    device.get_by_label("Votre code postal").fill("13001")
    device.get_by_role("button", name="Rechercher").click()
    notice = device.locator(".postcode-result .notice")
    notice.wait_for()
    assert "Aucun de nos restaurants ne livre encore au 13001" in notice.inner_text()
    assert device.locator(".postcode-result li").count() == 5
    device.screenshot(path=os.path.join(artifacts_dir, f"unknown-postcode-{device.device_name}.png"))
