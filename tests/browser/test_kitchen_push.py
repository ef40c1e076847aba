"""The kitchen board 2.0 in Chromium, fed by the real board stream process:
a new order appears without a reload (highlighted, rung, announced to print.js),
an open recipe stays open, the mute button is remembered, and a lost connection
or an ended session shows a banner instead of a stale board or the login page."""

import re
import time

import pytest
from django.contrib.sessions.backends.cached_db import SessionStore
from django.contrib.sessions.models import Session

from ordering.models import Order
from ordering.services import transition
from ordering.workflow import Fulfilment, Status
from tests.board_stream import stream_process
from tests.conftest import committed_db
from tests.ordering.test_staff import order_at

pytestmark = [pytest.mark.browser, committed_db]


@pytest.fixture(scope="session")
def browser_stream(live_server, django_db_setup, tmp_path_factory):
    """The stream on another port of the live server's host: allowed to that origin."""
    with stream_process(
        tmp_path_factory.mktemp("board-stream-browser"), host="localhost", BOARD_STREAM_ALLOWED_ORIGINS=live_server.url
    ) as url:
        yield url


@pytest.fixture
def kitchen(browser, live_server, bastille, browser_stream, settings):
    """Bastille's board on a tablet, logged in as the pizzaiolo, its stream open."""
    settings.BOARD_STREAM_URL = f"{browser_stream}/admin/cuisine/flux/"
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/admin/login/?next=/admin/cuisine/")
    page.fill("#id_username", "pizzaiolo-bastille")
    page.fill("#id_password", "pizza")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/cuisine/\d+/$"))
    page.locator("[data-board][data-stream='open']").wait_for()
    page.evaluate("""() => {
        window.__notReloaded = true;
        window.__newTickets = [];
        document.addEventListener("ocpizza:new-ticket", (event) => window.__newTickets.push(event.detail.orderId));
    }""")
    yield page
    context.close()


def end_every_session():
    for key in Session.objects.values_list("session_key", flat=True):
        SessionStore(session_key=key).delete()  # from the cache and the database


def ticket(page, order):
    return page.locator(f"[data-order-id='{order.pk}']")


def test_a_new_order_arrives_without_reload_and_an_open_recipe_stays_open(kitchen, bastille):
    first = Order.objects.get(pk=order_at(bastille).pk)  # placed while the board is open
    ticket(kitchen, first).wait_for()
    kitchen.evaluate("window.__newTickets = []")
    ticket(kitchen, first).locator("summary").first.click()  # the pizzaiolo reads the recipe
    ticket(kitchen, first).evaluate("element => { element.__same = true; }")

    placed = time.time()
    second = order_at(bastille, fulfilment=Fulfilment.PICKUP)
    ticket(kitchen, second).wait_for(timeout=5_000)
    assert time.time() - placed < 3
    assert kitchen.evaluate("window.__notReloaded") is True
    assert kitchen.evaluate("window.__newTickets") == [second.pk]  # for print.js, once
    assert "ticket--new" in ticket(kitchen, second).get_attribute("class")
    assert kitchen.locator("[data-board]").get_attribute("data-rang") is not None  # it rang (muted or not, counted)
    assert "Léa" in ticket(kitchen, second).text_content()  # take-away: the customer's name
    # The first ticket did not change: the same element, its recipe still open.
    assert ticket(kitchen, first).evaluate("element => element.__same === true")
    assert ticket(kitchen, first).locator("details[open]").count() == 1

    transition(second, Status.IN_PREPARATION)  # another tablet starts it
    kitchen.locator(f"[data-column='in_preparation'] [data-order-id='{second.pk}']").wait_for(timeout=5_000)
    assert ticket(kitchen, first).locator("details[open]").count() == 1
    assert kitchen.evaluate("window.__newTickets") == [second.pk]  # moved, not new


def test_mute_is_remembered_on_the_tablet(kitchen):
    mute = kitchen.locator("[data-board-mute]")
    assert mute.inner_text() == "Son : activé"
    mute.click()
    assert mute.inner_text() == "Son : coupé"
    assert kitchen.evaluate("localStorage.getItem('ocpizza.board.muted')") == "1"
    kitchen.reload()
    assert kitchen.locator("[data-board-mute]").inner_text() == "Son : coupé"
    kitchen.locator("[data-board-mute]").click()
    assert kitchen.locator("[data-board-mute]").inner_text() == "Son : activé"


def test_a_lost_connection_shows_a_banner_until_it_is_back(kitchen, bastille):
    kitchen.route("**/colonnes/**", lambda route: route.abort())
    order = order_at(bastille)
    lost = kitchen.locator("[data-board-banner='lost']")
    lost.wait_for(state="visible", timeout=5_000)
    assert "Connexion perdue" in lost.inner_text()
    kitchen.unroute("**/colonnes/**")
    transition(order, Status.IN_PREPARATION)
    kitchen.locator(f"[data-column='in_preparation'] [data-order-id='{order.pk}']").wait_for(timeout=5_000)
    assert lost.is_hidden()


def test_an_ended_session_shows_a_banner_not_the_login_page(kitchen, bastille):
    end_every_session()  # logged out elsewhere (or expired)
    ended = kitchen.locator("[data-board-banner='ended']")
    ended.wait_for(state="visible", timeout=5_000)  # the stream checks the session again (every second here)
    assert "Session terminée" in ended.inner_text()
    assert kitchen.locator("#id_username").count() == 0  # no login form injected into the board
    assert kitchen.locator("[data-board] [data-column='placed']").count() == 1
    assert kitchen.evaluate("window.__notReloaded") is True


def test_without_the_stream_a_refresh_answered_by_the_login_page_is_a_session_end(kitchen, bastille):
    """The slow poll (the stream refused or away) meets the admin's redirect to its login page."""
    kitchen.route("**/admin/cuisine/flux/**", lambda route: route.fulfill(status=503, body=""))
    kitchen.reload()
    kitchen.locator("[data-board][data-stream='closed']").wait_for()
    end_every_session()
    kitchen.evaluate("document.querySelector('[data-board]').dataset.version = 'stale'")
    kitchen.locator("[data-board-banner='lost']").wait_for(state="visible")  # the stream closed
    kitchen.locator("[data-board-banner='ended']").wait_for(state="visible", timeout=20_000)  # the next poll
    assert kitchen.locator("#id_username").count() == 0
