"""Issue 11 in a browser: a kitchen tablet set to print prints each new ticket once (a second
announcement, a reload or another tablet never print it again); the delivery screen refreshes
by itself and asks for confirmation before "Livrée"."""

import re
import time

import pytest
from django.contrib.auth import get_user_model

from ordering.models import Order
from ordering.services import take_delivery, transition
from ordering.workflow import Status
from tests.conftest import committed_db
from tests.ordering.test_staff import order_at

pytestmark = [pytest.mark.browser, committed_db]

# Records each print and the ticket the hidden frame held when it printed.
# Resets the list of prints; the listener is added once per page load (a tablet watched
# twice without a reload would otherwise record each of its prints twice).
WATCH_PRINTS = """() => {
  window.__printed = [];
  if (window.__watching) return;
  window.__watching = true;
  document.addEventListener("ocpizza:ticket-printed", (e) => {
    const frame = document.querySelector(".print-frame");
    window.__printed.push([String(e.detail.orderId), frame && frame.contentDocument.body.dataset.ticket]);
  });
}"""
NEW_TICKET = "(id) => document.dispatchEvent(new CustomEvent('ocpizza:new-ticket', { detail: { orderId: id } }))"


def wait_until(check, timeout=10):
    """Polls from Python: the admin's policy forbids the eval Playwright's wait_for_function uses."""
    deadline = time.time() + timeout
    while not check():
        assert time.time() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def tablets(browser):
    contexts = []
    yield contexts
    for context in contexts:
        context.close()


def tablet(browser, live_server, username, path, opened):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="fr-FR")
    opened.append(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/admin/login/?next={path}")
    page.fill("#id_username", username)
    page.fill("#id_password", "pizza")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(re.escape(path) + "$"))
    return page


def test_a_tablet_set_to_print_prints_each_new_ticket_once(browser, live_server, bastille, tablets):
    kitchen_path = f"/admin/cuisine/{bastille.pk}/"
    first = tablet(browser, live_server, "pizzaiolo-bastille", kitchen_path, tablets)
    second = tablet(browser, live_server, "gerant-bastille", kitchen_path, tablets)
    toggle = first.get_by_label("Imprimer les nouveaux tickets sur cette tablette")
    assert not toggle.is_checked()
    toggle.check()
    second.get_by_label("Imprimer les nouveaux tickets sur cette tablette").check()

    # Watching before the order exists: the push board announces the new ticket itself, at once.
    for page in (first, second):
        page.evaluate(WATCH_PRINTS)
    order = order_at(bastille)
    # The board announces the new ticket (the push board does it; announced here too, and twice).
    for page in (first, second, first):
        page.evaluate(NEW_TICKET, order.pk)
    wait_until(lambda: first.evaluate("window.__printed.length") or second.evaluate("window.__printed.length"))
    time.sleep(1.5)  # leave time for any second print
    printed = first.evaluate("window.__printed") + second.evaluate("window.__printed")
    assert printed == [[str(order.pk), order.number]], printed
    assert Order.objects.get(pk=order.pk).kitchen_ticket_printed_at is not None

    first.reload()
    assert first.get_by_label("Imprimer les nouveaux tickets sur cette tablette").is_checked()  # kept by the tablet
    for page in (first, second):
        page.evaluate(WATCH_PRINTS)
    first.evaluate(NEW_TICKET, order.pk)  # after a reload: already printed
    later = order_at(bastille)
    first.locator(f"[data-order='{later.number}']").wait_for()  # on the board, as when the board announces it
    first.evaluate(NEW_TICKET, later.number)  # the board may name it by its number too
    # Both boards announce it too: whichever tablet claims it first prints it, once.
    wait_until(lambda: first.evaluate("window.__printed.length") or second.evaluate("window.__printed.length"))
    time.sleep(1.5)
    assert first.evaluate("window.__printed") + second.evaluate("window.__printed") == [[str(later.pk), later.number]]


def test_a_tablet_not_set_to_print_prints_nothing(browser, live_server, bastille, tablets):
    page = tablet(browser, live_server, "pizzaiolo-bastille", f"/admin/cuisine/{bastille.pk}/", tablets)
    assert not page.get_by_label("Imprimer les nouveaux tickets sur cette tablette").is_checked()
    order = order_at(bastille)
    page.evaluate(WATCH_PRINTS)
    page.evaluate(NEW_TICKET, order.pk)
    time.sleep(1.5)
    assert page.evaluate("window.__printed") == []
    assert Order.objects.get(pk=order.pk).kitchen_ticket_printed_at is None


def test_the_delivery_screen_refreshes_and_confirms_livree(browser, live_server, bastille, tablets):
    courier = get_user_model().objects.get(username="livreur-bastille")
    mine = order_at(bastille)
    for status in (Status.IN_PREPARATION, Status.READY):
        transition(mine, status)
    take_delivery(mine, courier)
    page = tablet(browser, live_server, "livreur-bastille", f"/admin/cuisine/livraisons/{bastille.pk}/", tablets)
    page.evaluate("window.__notReloaded = true")

    ready = order_at(bastille)
    for status in (Status.IN_PREPARATION, Status.READY):
        transition(ready, status)
    page.locator(f"[data-list='waiting'] [data-order='{ready.number}']").wait_for(timeout=10_000)  # came by itself
    assert page.evaluate("window.__notReloaded") is True

    card = page.locator(f"[data-list='mine'] [data-order='{mine.number}']")
    card.get_by_label("Espèces").check()
    card.get_by_role("button", name="Livrée").click()
    confirm = card.get_by_role("button", name="Oui, livrée")
    confirm.wait_for()
    assert "remise au client" in card.inner_text() and "(Espèces)" in card.inner_text()
    assert Order.objects.get(pk=mine.pk).status == Status.OUT_FOR_DELIVERY  # not before the confirmation
    confirm.click()
    page.locator("[data-delivery-status]", has_text=f"Livrée : {mine.number}").wait_for()
    page.locator(f"[data-list='mine'] [data-order='{mine.number}']").wait_for(state="detached")
    delivered = Order.objects.get(pk=mine.pk)
    assert (delivered.status, delivered.collected_with, delivered.payment_state) == (
        Status.DELIVERED,
        "cash",
        Order.PaymentState.PAID,
    )
    assert page.evaluate("window.__notReloaded") is True
