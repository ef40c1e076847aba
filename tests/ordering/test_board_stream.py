"""Every writer of orders reaches an open kitchen board: the real stream process
(manage.py board_stream) on the real Redis, a board connected to it, and each
way an order is placed or changed (services, web checkout, PayPal return and
webhook, housekeeping, staff moves, phone orders): an event arrives carrying the
board's new version. Also: resuming with Last-Event-ID, and who may listen."""

import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from home.models import RestaurantPage
from ordering import board_version
from ordering.models import Order
from ordering.paypal.payments import release_unpaid_orders
from ordering.services import cancel_by_customer, change_order, transition
from ordering.workflow import Fulfilment, Status
from tests.board_stream import OpenBoard, board_stream  # noqa: F401 - the fixture
from tests.conftest import committed_db, delivery_form, issue_checkout_key, make_always_open, size_of
from tests.ordering.test_staff import new_order_form, order_at
from tests.payments.test_housekeeping import expire, paypal_order
from tests.payments.test_paypal import approve, captured_on_paypal, come_back, pay_with_paypal, post_event, shopper  # noqa: F401

pytestmark = committed_db


@pytest.fixture
def bastille(demo_committed):
    restaurant = RestaurantPage.objects.get(slug="bastille")
    make_always_open(restaurant)
    return restaurant


def session_of(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client, client.cookies["sessionid"].value


@pytest.fixture
def open_board(board_stream, bastille):  # noqa: F811
    """Bastille's board, open in the kitchen (pizzaiolo's session), past its first event."""
    _client, key = session_of("pizzaiolo-bastille")
    listening = OpenBoard(board_stream, bastille.pk, key, query=f"?v={board_version.current(bastille.pk)}")
    assert listening.status == 200 and listening.headers["content-type"].startswith("text/event-stream")
    yield listening
    listening.close()


def assert_reached(open_board, restaurant):
    """The board hears of the version the change left (within a few seconds)."""
    event = open_board.event_with_version(board_version.current(restaurant.pk), timeout=5)
    assert event["event"] == "version" and event["data"] == event["id"]


def test_placing_changing_and_cancelling_through_the_services(open_board, bastille):
    order = order_at(bastille)
    assert_reached(open_board, bastille)
    change_order(order, {size_of("reine").pk: 3})
    assert_reached(open_board, bastille)
    cancel_by_customer(order)
    assert_reached(open_board, bastille)
    assert Order.objects.get(pk=order.pk).status == Status.CANCELLED


def test_web_checkout(open_board, bastille):
    customer = Client()
    customer.post("/commande/panier/ajouter/", {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 2})
    placed = customer.post("/commande/valider/", delivery_form(checkout_key=issue_checkout_key(customer)))
    assert placed.status_code == 302 and Order.objects.count() == 1
    assert_reached(open_board, bastille)


def test_staff_moves_and_handing_over(open_board, bastille):
    order = order_at(bastille, fulfilment=Fulfilment.PICKUP)
    assert_reached(open_board, bastille)
    cook, _key = session_of("pizzaiolo-bastille")
    for status in (Status.IN_PREPARATION, Status.READY):
        assert cook.post(f"/admin/cuisine/commande/{order.pk}/etape/", {"status": status}).status_code == 302
        assert_reached(open_board, bastille)
    counter, _key = session_of("comptoir-bastille")
    counter.post(f"/admin/cuisine/commande/{order.pk}/etape/", {"status": Status.COLLECTED, "collected_with": "cash"})
    assert Order.objects.get(pk=order.pk).status == Status.COLLECTED
    assert_reached(open_board, bastille)


def test_phone_order(open_board, bastille):
    counter, _key = session_of("comptoir-bastille")
    response = counter.post(
        f"/admin/cuisine/{bastille.pk}/nouvelle-commande/",
        new_order_form(bastille, checkout_key=issue_checkout_key(counter, "9" * 32)),
    )
    assert response.status_code == 302 and Order.objects.get().channel == "phone"
    assert_reached(open_board, bastille)


def test_paypal_return(open_board, bastille, shopper, paypal):  # noqa: F811
    order, _response = pay_with_paypal(shopper)  # awaiting its payment: a version too
    assert_reached(open_board, bastille)
    come_back(shopper, order, approve(paypal, order))
    assert Order.objects.get(pk=order.pk).status == Status.PLACED
    assert_reached(open_board, bastille)


def test_paypal_webhook(open_board, bastille, shopper, paypal):  # noqa: F811
    order, _payment, event = captured_on_paypal(shopper, paypal)
    assert_reached(open_board, bastille)
    assert post_event(Client(), event).status_code == 200
    assert Order.objects.get(pk=order.pk).status == Status.PLACED
    assert_reached(open_board, bastille)


def test_housekeeping_releasing_an_unpaid_order(open_board, bastille, paypal):
    order = paypal_order(bastille)
    assert_reached(open_board, bastille)
    expire(order)
    assert release_unpaid_orders() == (0, 1)
    assert Order.objects.get(pk=order.pk).status == Status.CANCELLED
    assert_reached(open_board, bastille)


def test_only_the_restaurants_own_boards_hear_of_it(board_stream, bastille):  # noqa: F811
    _client, key = session_of("pizzaiolo-nation")
    nation = RestaurantPage.objects.get(slug="nation")
    elsewhere = OpenBoard(board_stream, nation.pk, key, query=f"?v={board_version.current(nation.pk)}")
    try:
        order_at(bastille)
        assert elsewhere.next_event(timeout=2) is None
    finally:
        elsewhere.close()


def test_resuming_with_last_event_id(board_stream, bastille):  # noqa: F811
    _client, key = session_of("pizzaiolo-bastille")
    seen = board_version.current(bastille.pk)
    up_to_date = OpenBoard(board_stream, bastille.pk, key, last_event_id=seen)
    assert up_to_date.next_event(timeout=1.5) is None  # nothing missed, nothing sent
    up_to_date.close()

    order_at(bastille)  # while the tablet was away
    order_at(bastille)
    back = OpenBoard(board_stream, bastille.pk, key, last_event_id=seen)
    try:
        event = back.next_event(timeout=2)
        assert event["id"] == str(board_version.current(bastille.pk)) != str(seen)  # at once, the current version
        transition(Order.objects.first(), Status.IN_PREPARATION)
        assert_reached(back, bastille)
    finally:
        back.close()


def test_the_stream_refuses_whoever_may_not_see_the_board(board_stream, bastille):  # noqa: F811
    assert OpenBoard(board_stream, bastille.pk).status == 401  # no session
    assert OpenBoard(board_stream, bastille.pk, "not-a-session-key-at-all").status == 401
    get_user_model().objects.create_user("client-lambda", "c@example.fr", "x")
    _client, customer = session_of("client-lambda")
    assert OpenBoard(board_stream, bastille.pk, customer).status == 401  # not staff: no admin access
    _client, nation_cook = session_of("pizzaiolo-nation")
    assert OpenBoard(board_stream, bastille.pk, nation_cook).status == 403  # another restaurant's
    _client, head_office = session_of("siege")
    assert OpenBoard(board_stream, bastille.pk, head_office).status == 200  # reads every restaurant
    assert OpenBoard(board_stream, 999999, head_office).status == 403


def test_a_session_that_ends_closes_the_stream(board_stream, bastille):  # noqa: F811
    client, key = session_of("pizzaiolo-bastille")
    listening = OpenBoard(board_stream, bastille.pk, key, query=f"?v={board_version.current(bastille.pk)}")
    try:
        assert listening.status == 200
        client.logout()
        started = time.monotonic()
        event = listening.next_event(timeout=5)  # checked again every second here (every minute in production)
        assert event == {"event": "session", "data": "ended"} and time.monotonic() - started < 5
        assert listening.next_event(timeout=5) == {"closed": True}
    finally:
        listening.close()
