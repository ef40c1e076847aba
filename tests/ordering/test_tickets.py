"""Issue 11: printed kitchen and bag tickets (80 mm), the once-only print claim, the delivery
screen (refreshes itself, customer and payment, only the courier who took a delivery or a
manager hands it over), late orders on the dashboard and the promised-vs-actual report."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ordering import board_version
from ordering.models import Order, StaffMember, StatusChange
from ordering.services import take_delivery, transition
from ordering.staff.dashboard import late_by_restaurant
from ordering.staff.reports import percentile
from ordering.workflow import Fulfilment, Status
from tests.conftest import committed_db, text_of
from tests.ordering.test_concurrency import run_at_once
from tests.ordering.test_staff import login, move_json, nation, order_at  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def kitchen_ticket(order):
    return f"/admin/cuisine/commande/{order.pk}/ticket-cuisine/"


def bag_ticket(order):
    return f"/admin/cuisine/commande/{order.pk}/ticket-sac/"


def claim(client, order):
    return client.post(f"/admin/cuisine/commande/{order.pk}/ticket-cuisine/imprimer/", HTTP_ACCEPT="application/json")


# --- printed tickets -------------------------------------------------------------


def test_the_kitchen_ticket_of_a_take_away(client, bastille):
    order = order_at(bastille, Fulfilment.PICKUP, note="Sans olives, bien cuite")
    login(client, "pizzaiolo-bastille")
    response = client.get(kitchen_ticket(order))
    assert response.status_code == 200 and response["X-Frame-Options"] == "SAMEORIGIN"
    text = text_of(response)
    assert order.number in text and "Ticket cuisine" in text and "À EMPORTER" in text
    assert "2 × Reine Junior" in text and "Sans olives, bien cuite" in text
    assert "Léa" in text  # the customer's name on a take-away
    assert "Dès que possible" in text
    assert "ordering/ticket.css" in response.content.decode() and "<style" not in response.content.decode()
    assert "onclick" not in response.content.decode()


def test_the_kitchen_ticket_shows_the_changed_lines_and_the_slot(client, bastille):
    from ordering.services import change_order
    from tests.conftest import size_of

    order = order_at(bastille)
    change_order(order, {size_of("margherita").pk: 3})
    slot = timezone.make_aware(datetime(2026, 12, 24, 19, 45))
    Order.objects.filter(pk=order.pk).update(requested_for=slot, estimated_ready_at=slot)
    text = text_of(login(client, "gerant-bastille").get(kitchen_ticket(order)))
    assert "3 × Margherita Junior" in text and "Reine" not in text
    assert "Pour le 24/12 à 19:45" in text and "LIVRAISON" in text


def test_the_bag_ticket_of_a_delivery_to_pay(client, bastille):
    order = order_at(bastille)
    text = text_of(login(client, "livreur-bastille").get(bag_ticket(order)))
    assert "Ticket sac" in text and order.number in text
    assert "Léa" in text and "0612345678" in text and "1 rue de Lappe" in text and "75011 Paris" in text
    assert "Frais de livraison" in text and "25,50\u00a0€" in text
    assert "NON PAYÉE" in text and "À encaisser : 25,50\u00a0€" in text


def test_the_bag_ticket_of_an_order_paid_online(client, bastille):
    order = order_at(bastille, Fulfilment.PICKUP)
    Order.objects.filter(pk=order.pk).update(
        payment_method=Order.PaymentMethod.PAYPAL, payment_state=Order.PaymentState.PAID
    )
    text = text_of(login(client, "comptoir-bastille").get(bag_ticket(order)))
    assert "PAYÉE EN LIGNE" in text and "À encaisser" not in text and "NON PAYÉE" not in text
    assert "rue de Lappe" not in text  # no address on a take-away's bag


def test_tickets_are_sized_for_80_mm_thermal_printers():
    with open(finders.find("ordering/ticket.css")) as css:
        style = css.read()
    assert "@page { size: 80mm auto;" in style and "monospace" in style and "width: 72mm" in style


@pytest.mark.parametrize(
    "username, own, other",
    [
        ("gerant-bastille", 200, 403),
        ("pizzaiolo-bastille", 200, 403),
        ("livreur-bastille", 200, 403),
        ("comptoir-bastille", 200, 403),
        ("siege", 200, 200),
        ("pizzaiolo-nation", 403, 200),
        ("marketing", 403, 403),
    ],
)
def test_tickets_are_scoped_to_the_members_restaurants(client, bastille, nation, username, own, other):
    ours, theirs = order_at(bastille), order_at(nation)
    login(client, username)
    for url in (kitchen_ticket, bag_ticket):
        assert client.get(url(ours)).status_code == own
        response = client.get(url(theirs))
        assert response.status_code == other
        if other != 200:
            assert theirs.number not in response.content.decode()


@pytest.mark.parametrize("order_id", ["999999", "9" * 30, "x", "-1", "1e309"])
def test_tickets_of_orders_that_cannot_exist_are_404(client, bastille, order_id):
    login(client, "gerant-bastille")
    for kind in ("ticket-cuisine/", "ticket-sac/"):
        assert client.get(f"/admin/cuisine/commande/{order_id}/{kind}").status_code == 404
    assert client.post(f"/admin/cuisine/commande/{order_id}/ticket-cuisine/imprimer/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, bastille):
    order = order_at(bastille)
    assert client.get(kitchen_ticket(order)).status_code == 302
    assert claim(client, order).status_code == 302
    assert Order.objects.get(pk=order.pk).kitchen_ticket_printed_at is None


def test_tickets_are_reachable_from_the_board_the_delivery_screen_and_the_order_page(client, bastille):
    order = order_at(bastille)
    login(client, "gerant-bastille")
    board_html = client.get(f"/admin/cuisine/{bastille.pk}/colonnes/").content.decode()
    assert kitchen_ticket(order) in board_html and bag_ticket(order) in board_html
    kitchen_page = client.get(f"/admin/cuisine/{bastille.pk}/").content.decode()
    assert (
        "ordering/print.js" in kitchen_page
        and 'data-claim-url="/admin/cuisine/commande/0/ticket-cuisine/imprimer/"' in kitchen_page
    )
    inspect = client.get(f"/admin/ordering/order/inspect/{order.pk}/").content.decode()
    assert kitchen_ticket(order) in inspect and bag_ticket(order) in inspect
    transition(order, Status.IN_PREPARATION)
    transition(order, Status.READY)
    assert bag_ticket(order) in client.get(f"/admin/cuisine/livraisons/{bastille.pk}/").content.decode()


# --- the print claim -------------------------------------------------------------


def test_the_first_claim_prints_and_every_later_one_is_refused(client, bastille):
    order = order_at(bastille)
    login(client, "pizzaiolo-bastille")
    first = claim(client, order)
    assert first.status_code == 200 and first.json() == {"url": kitchen_ticket(order)}
    printed_at = Order.objects.get(pk=order.pk).kitchen_ticket_printed_at
    assert printed_at is not None
    again = claim(login(Client(), "gerant-bastille"), order)  # another tablet
    assert again.status_code == 409 and "déjà imprimé" in again.json()["error"]
    assert claim(client, order).status_code == 409  # a reload
    assert Order.objects.get(pk=order.pk).kitchen_ticket_printed_at == printed_at


@pytest.mark.parametrize("username", ["livreur-bastille", "siege", "pizzaiolo-nation", "marketing"])
def test_who_may_not_claim_changes_nothing(client, bastille, username):
    order = order_at(bastille)
    assert claim(login(client, username), order).status_code == 403
    assert Order.objects.get(pk=order.pk).kitchen_ticket_printed_at is None


def test_the_counter_may_claim_and_a_claim_is_a_post(client, bastille):
    order = order_at(bastille, Fulfilment.PICKUP)
    login(client, "comptoir-bastille")
    assert client.get(f"/admin/cuisine/commande/{order.pk}/ticket-cuisine/imprimer/").status_code == 405
    assert claim(client, order).status_code == 200


def test_orders_off_the_board_are_not_claimed(client, bastille):
    order = order_at(bastille)
    Order.objects.filter(pk=order.pk).update(status=Status.AWAITING_PAYMENT)
    login(client, "pizzaiolo-bastille")
    refused = claim(client, order)
    assert refused.status_code == 409 and "pas sur l'écran" in refused.json()["error"]
    assert Order.objects.get(pk=order.pk).kitchen_ticket_printed_at is None
    Order.objects.filter(pk=order.pk).update(status=Status.PLACED)
    assert claim(client, order).status_code == 200  # paid since: printed now


@committed_db
def test_concurrent_claims_on_postgresql_exactly_one_wins(demo_committed):
    from home.models import RestaurantPage

    bastille = RestaurantPage.objects.get(slug="bastille")
    order = order_at(bastille)
    tablets = [
        login(Client(), username) for username in ["pizzaiolo-bastille", "gerant-bastille", "comptoir-bastille"] * 4
    ]
    results = run_at_once([lambda tablet=tablet: claim(tablet, order).status_code for tablet in tablets])
    assert sorted(results) == [200] + [409] * (len(tablets) - 1), results
    assert Order.objects.get(pk=order.pk).kitchen_ticket_printed_at is not None


# --- the delivery screen ---------------------------------------------------------


@pytest.fixture
def second_courier(bastille):
    user = get_user_model().objects.create_user("livreur2-bastille", "l2@ocpizza.fr", "pizza", first_name="Léo")
    user.groups.add(Group.objects.get(name="Livreur"))
    StaffMember.objects.create(user=user).restaurants.add(bastille)
    return user


def out_with(order, username):
    transition(order, Status.IN_PREPARATION)
    transition(order, Status.READY)
    take_delivery(order, get_user_model().objects.get(username=username))
    return Order.objects.get(pk=order.pk)


def test_a_courier_cannot_hand_over_another_couriers_delivery(client, bastille, second_courier):
    order = out_with(order_at(bastille), "livreur-bastille")
    changes = order.status_changes.count()
    login(client, "livreur2-bastille")
    refused = client.post(
        f"/admin/cuisine/commande/{order.pk}/etape/", {"status": "delivered", "collected_with": "cash"}
    )
    assert refused.status_code == 403
    refused = move_json(client, order, "delivered", collected_with="cash")
    assert refused.status_code == 403 and "autre livreur" in refused.json()["error"]
    after = Order.objects.get(pk=order.pk)
    assert (after.status, after.payment_state, after.collected_with, after.courier.username) == (
        Status.OUT_FOR_DELIVERY,
        Order.PaymentState.PENDING,
        "",
        "livreur-bastille",
    )
    assert after.status_changes.count() == changes
    screen = client.get(f"/admin/cuisine/livraisons/{bastille.pk}/").content.decode()
    assert order.number in screen and f'action="/admin/cuisine/commande/{order.pk}/etape/"' not in screen


def test_the_courier_who_took_it_or_a_manager_hands_it_over(client, bastille, second_courier):
    mine = out_with(order_at(bastille), "livreur-bastille")
    assert move_json(login(client, "livreur-bastille"), mine, "delivered", collected_with="cash").status_code == 200
    theirs = out_with(order_at(bastille), "livreur2-bastille")
    login(client, "gerant-bastille")
    screen = client.get(f"/admin/cuisine/livraisons/{bastille.pk}/").content.decode()
    assert f'action="/admin/cuisine/commande/{theirs.pk}/etape/"' in screen  # the manager may hand it over
    assert move_json(client, theirs, "delivered", collected_with="card").status_code == 200
    assert Order.objects.get(pk=theirs.pk).status == Status.DELIVERED
    assert Order.objects.get(pk=theirs.pk).status_changes.last().by.username == "gerant-bastille"


def test_the_delivery_screen_shows_the_customer_and_what_to_collect(client, bastille):
    waiting, mine, paid = order_at(bastille), order_at(bastille), order_at(bastille)
    Order.objects.filter(pk=paid.pk).update(
        payment_method=Order.PaymentMethod.PAYPAL, payment_state=Order.PaymentState.PAID
    )
    for order in (waiting, mine, paid):
        transition(order, Status.IN_PREPARATION)
        transition(order, Status.READY)
    courier = get_user_model().objects.get(username="livreur-bastille")
    take_delivery(mine, courier)
    take_delivery(paid, courier)
    response = login(client, "livreur-bastille").get(f"/admin/cuisine/livraisons/{bastille.pk}/")
    html = response.content.decode()
    for order in (waiting, mine, paid):
        card = html.split(f'data-order="{order.number}"')[1].split("</article>")[0]
        assert "Léa" in card and 'href="tel:0612345678"' in card and "1 rue de Lappe, 75011 Paris" in card
        assert ("Payé en ligne" in card) if order == paid else ("À encaisser : 25,50\u00a0€" in card)
    mine_card = html.split(f'data-order="{mine.number}"')[1].split("</article>")[0]
    assert "data-confirm-box" in mine_card and "Oui, livrée" in mine_card and "Livrée</button>" in mine_card
    assert "ordering/delivery.js" in html and "<script>" not in html.split("</main>")[0].split("<main>")[1]


def test_the_delivery_screen_polls_the_board_version(client, bastille):
    login(client, "livreur-bastille")
    url = f"/admin/cuisine/livraisons/{bastille.pk}/liste/"
    first = client.get(url)
    assert first.status_code == 200 and "no-store" in first["Cache-Control"]
    version = first["X-Board-Version"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"v": version}).status_code == 204
    assert not [q for q in queries.captured_queries if "ordering_order" in q["sql"]]
    order = order_at(bastille)
    transition(order, Status.IN_PREPARATION)
    transition(order, Status.READY)
    board_version.bump(bastille.pk)  # done on commit; the test transaction never commits
    changed = client.get(url, {"v": version})
    assert (
        changed.status_code == 200
        and changed["X-Board-Version"] != version
        and order.number in changed.content.decode()
    )


@pytest.mark.parametrize(
    "username, expected",
    [("livreur-bastille", 200), ("gerant-bastille", 200), ("pizzaiolo-bastille", 403), ("pizzaiolo-nation", 403)],
)
def test_the_delivery_list_is_for_the_restaurants_couriers_and_managers(client, bastille, username, expected):
    assert login(client, username).get(f"/admin/cuisine/livraisons/{bastille.pk}/liste/").status_code == expected


# --- late orders on the dashboard ------------------------------------------------


def promise(order, moment, status=None, asap=False):
    Order.objects.filter(pk=order.pk).update(
        requested_for=None if asap else moment, estimated_ready_at=moment, **({"status": status} if status else {})
    )
    return order


def test_late_orders_per_restaurant_in_one_query(bastille, nation):
    now = timezone.now()
    promise(order_at(bastille), now - timedelta(minutes=10))  # placed, late
    promise(order_at(bastille), now - timedelta(minutes=30), Status.OUT_FOR_DELIVERY, asap=True)  # on the way, late
    promise(order_at(bastille, Fulfilment.PICKUP), now - timedelta(minutes=50), Status.READY)  # waits for its customer
    promise(order_at(bastille), now + timedelta(minutes=10))  # not yet
    promise(order_at(bastille), now - timedelta(minutes=40), Status.DELIVERED)  # done
    promise(order_at(bastille), now - timedelta(minutes=40), Status.CANCELLED)
    promise(order_at(bastille), now - timedelta(minutes=40), Status.AWAITING_PAYMENT)  # not the kitchen's yet
    promise(order_at(bastille, Fulfilment.PICKUP), now - timedelta(minutes=5), Status.IN_PREPARATION)  # late
    promise(order_at(nation), now - timedelta(minutes=1))
    with CaptureQueriesContext(connection) as queries:
        late = late_by_restaurant([bastille, nation], now)
    assert len(queries) == 1
    assert late == {bastille.pk: (3, now - timedelta(minutes=30)), nation.pk: (1, now - timedelta(minutes=1))}


def test_the_dashboard_shows_late_orders_to_managers(client, bastille, nation):
    now = timezone.now()
    promise(order_at(bastille), now - timedelta(minutes=12))
    promise(order_at(bastille), now - timedelta(minutes=31))
    promise(order_at(nation), now - timedelta(minutes=3))
    page = login(client, "gerant-bastille").get("/admin/").content.decode()
    row = page.split('data-restaurant="bastille"')[1].split("</tr>")[0]
    assert 'data-late="2"' in row and "2 commandes en retard" in row and "la plus ancienne de 31 min" in row
    assert 'data-restaurant="nation"' not in page
    assert "/admin/cuisine/rapport/" in page
    page = login(client, "siege").get("/admin/").content.decode()
    row = page.split('data-restaurant="nation"')[1].split("</tr>")[0]
    assert 'data-late="1"' in row and "1 commande en retard" in row


# --- promised against actual times ------------------------------------------------

DAY = datetime(2026, 3, 10)


def at(hour, minute):
    return timezone.make_aware(DAY.replace(hour=hour, minute=minute))


def served(restaurant, fulfilment, promised, actual, asap=False, status=None):
    """An order promised at `promised`, ready (take-away) or delivered (delivery) at `actual`."""
    order = promise(
        order_at(restaurant, fulfilment),
        promised,
        asap=asap,
        status=status or (Status.DELIVERED if fulfilment == Fulfilment.DELIVERY else Status.COLLECTED),
    )
    steps = [(Status.READY, promised - timedelta(minutes=25))] if fulfilment == Fulfilment.DELIVERY else []
    steps.append((Status.DELIVERED if fulfilment == Fulfilment.DELIVERY else Status.READY, actual))
    for status, moment in steps:
        if moment is not None:
            change = StatusChange.objects.create(order=order, from_status="", to_status=status)
            StatusChange.objects.filter(pk=change.pk).update(at=moment)
    return order


@pytest.fixture
def service(bastille, nation):
    """Bastille's deliveries promised 19:00, delivered 18:55, 19:00, 19:04, 19:12, 19:20 (gaps -5, 0, +4, +12,
    +20 min); its take-aways promised 12:30, ready 12:20 and 12:45 (-10, +15); Nation: one delivery promised
    20:00 "as soon as possible", delivered 20:30 (+30). Not counted: a cancelled order, an order promised
    the next day, a delivery still on the way."""
    for minute in (-5, 0, 4, 12, 20):
        served(bastille, Fulfilment.DELIVERY, at(19, 0), at(19, 0) + timedelta(minutes=minute))
    served(bastille, Fulfilment.PICKUP, at(12, 30), at(12, 20))
    served(bastille, Fulfilment.PICKUP, at(12, 30), at(12, 45))
    served(nation, Fulfilment.DELIVERY, at(20, 0), at(20, 30), asap=True)
    served(bastille, Fulfilment.DELIVERY, at(19, 0), at(19, 1), status=Status.CANCELLED)
    served(bastille, Fulfilment.DELIVERY, at(19, 0) + timedelta(days=1), at(19, 30) + timedelta(days=1))
    served(bastille, Fulfilment.DELIVERY, at(19, 0), None, status=Status.OUT_FOR_DELIVERY)


def report_rows(response):
    rows = {}
    for line in response.content.decode().split("<tr data-row=")[1:]:
        key = line.split('"')[1]
        cells = [cell.split("<")[0] for cell in line.split("<td>")[1:]]
        rows[key] = cells
    return rows


def test_nearest_rank_percentiles():
    assert [percentile([1, 2, 3, 4, 5], p) for p in (50, 90, 100)] == [3, 5, 5]
    assert [percentile([7], p) for p in (50, 90)] == [7, 7]
    assert [percentile(list(range(1, 11)), p) for p in (50, 90)] == [5, 9]


def test_the_report_figures_against_hand_computed_values(client, service, bastille, nation):
    response = login(client, "siege").get("/admin/cuisine/rapport/", {"date": "2026-03-10"})
    assert response.status_code == 200
    #                                 kind,        orders, on time, late, >15, p50,  p90,  worst
    assert report_rows(response) == {
        "bastille-delivery": ["Livraison", "5", "2", "3", "1", "+4", "+20", "+20"],
        "bastille-pickup": ["À emporter", "2", "1", "1", "0", "-10", "+15", "+15"],
        "nation-delivery": ["Livraison", "1", "0", "1", "1", "+30", "+30", "+30"],
    }
    only_nation = login(client, "siege").get("/admin/cuisine/rapport/", {"date": "2026-03-10", "restaurant": nation.pk})
    assert list(report_rows(only_nation)) == ["nation-delivery"]
    assert "Aucune commande" in text_of(client.get("/admin/cuisine/rapport/", {"date": "2026-03-12"}))


def test_the_report_as_csv(client, service, bastille):
    response = login(client, "gerant-bastille").get("/admin/cuisine/rapport/csv/", {"date": "2026-03-10"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="ponctualite-2026-03-10.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Restaurant", "Jour", "Livraison ou à emporter", "Commandes"]
    assert rows[1:] == [
        [bastille.title, "2026-03-10", "Livraison", "5", "2", "3", "1", "+4", "+20", "+20"],
        [bastille.title, "2026-03-10", "À emporter", "2", "1", "1", "0", "-10", "+15", "+15"],
    ]  # a manager: their restaurant only


@pytest.mark.parametrize(
    "username, expected",
    [
        ("gerant-bastille", 200),
        ("siege", 200),
        ("admin", 200),
        ("pizzaiolo-bastille", 403),
        ("livreur-bastille", 403),
        ("comptoir-bastille", 403),
        ("marketing", 403),
    ],
)
def test_the_report_is_for_managers_and_head_office(client, bastille, username, expected):
    login(client, username)
    assert client.get("/admin/cuisine/rapport/").status_code == expected
    assert client.get("/admin/cuisine/rapport/csv/").status_code == expected


@pytest.mark.parametrize(
    "query",
    [
        {"date": "notadate"},
        {"date": "2026-13-45"},
        {"restaurant": "x"},
        {"restaurant": "9" * 30},
        {"restaurant": "1e309"},
        {"date": "2026-03-10\x00"},
        {"status": "late"},
        {"date": ["2026-03-10", "2026-03-11"]},
        {"restaurant__title": "B"},
    ],
)
def test_the_report_refuses_anything_but_its_two_filters(client, bastille, query):
    login(client, "siege")
    assert client.get("/admin/cuisine/rapport/", query).status_code == 400
    assert client.get("/admin/cuisine/rapport/csv/", query).status_code == 400


def test_a_manager_cannot_report_on_another_restaurant(client, service, nation):
    login(client, "gerant-bastille")
    response = client.get("/admin/cuisine/rapport/", {"date": "2026-03-10", "restaurant": nation.pk})
    assert response.status_code == 400 and "nation-delivery" not in response.content.decode()
    assert client.get("/admin/cuisine/rapport/csv/", {"date": "2026-03-10", "restaurant": nation.pk}).status_code == 400
    page = client.get("/admin/cuisine/rapport/", {"date": "2026-03-10"}).content.decode()
    assert "nation-delivery" not in page and nation.title not in page
