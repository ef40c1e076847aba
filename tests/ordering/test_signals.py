"""Every change of an order, a stock or a refund is told by a signal once committed
(ordering.signals), whoever made it: the receivers (board version, e-mails,
refunds) hang off them, and a later receiver (the boards' live updates) will too."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.utils import timezone

from ordering import board_version, signals
from ordering.exceptions import OutOfStock, TransitionNotAllowed
from ordering.models import Notification, Order, PayPalRefund, Stock, StockMovement
from ordering.paypal import payments
from ordering.services import LINES_AND_TOTALS, cancel_by_customer, change_order, transition
from ordering.stock import record_movement
from ordering.workflow import Status
from tests.conftest import delivery_form, issue_checkout_key, size_of
from tests.ordering.test_staff import login, move, new_order_form, order_at
from tests.payments.test_paypal import approve, captured_on_paypal, come_back, pay_with_paypal, post_event, shopper  # noqa: F401

pytestmark = pytest.mark.django_db
SIGNALS = {
    name: getattr(signals, name)
    for name in ("order_placed", "order_status_changed", "order_changed", "stock_changed", "refund_recorded")
}


@pytest.fixture
def heard():
    """[(signal name, its arguments)] in the order they were sent."""
    told = []
    receivers = {}
    for name, signal in SIGNALS.items():
        receivers[name] = lambda sender, signal, _name=name, **arguments: told.append((_name, arguments))
        signal.connect(receivers[name])
    yield told
    for name, signal in SIGNALS.items():
        signal.disconnect(receivers[name])


def names(told):
    return [name for name, _arguments in told]


def test_an_order_placed_is_told_once_committed_with_its_confirmation(
    bastille, heard, django_capture_on_commit_callbacks
):
    before = board_version.current(bastille.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        order = order_at(bastille)
    assert heard == [] and mail.outbox == []  # nothing before the commit
    for callback in callbacks:
        callback()
    [(name, told)] = heard
    assert name == "order_placed" and told["order"] == order and told["by"] is None
    assert told["notification"] == Notification.objects.get(order=order, status=Status.PLACED)
    assert board_version.current(bastille.pk) == before + 1  # the receivers: one bump, one e-mail
    assert len(mail.outbox) == 1 and Notification.objects.get(order=order).sent_at is not None


def test_a_refused_change_is_never_told(bastille, heard, django_capture_on_commit_callbacks):
    order = order_at(bastille)
    Stock.objects.filter(restaurant=bastille).update(quantity=0)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(OutOfStock):
            order_at(bastille)
        with pytest.raises(OutOfStock):
            change_order(order, {size_of("reine").pk: 20})
        with pytest.raises(TransitionNotAllowed):
            transition(order, Status.DELIVERED)
    assert heard == []


def test_status_changes_and_line_changes_are_told_with_what_changed(
    bastille, heard, django_capture_on_commit_callbacks
):
    order = order_at(bastille)
    pizzaiolo = get_user_model().objects.get(username="pizzaiolo-bastille")
    with django_capture_on_commit_callbacks(execute=True):
        change_order(order, {size_of("reine").pk: 3})
    with django_capture_on_commit_callbacks(execute=True):
        transition(order, Status.IN_PREPARATION, by=pizzaiolo)
    (changed, lines), (moved, status) = heard
    assert changed == "order_changed" and lines["order"] == order and lines["fields"] == LINES_AND_TOTALS
    assert moved == "order_status_changed" and status["order"] == order and status["by"] == pizzaiolo
    assert (status["previous"], status["status"]) == (Status.PLACED, Status.IN_PREPARATION)
    assert status["notification"].status == Status.IN_PREPARATION


def test_a_staff_stock_movement_is_told(bastille, heard, django_capture_on_commit_callbacks):
    stock = Stock.objects.filter(restaurant=bastille).first()
    before = board_version.current(bastille.pk)
    with django_capture_on_commit_callbacks(execute=True):
        movement = record_movement(stock, Decimal("10"), StockMovement.Reason.RESTOCK)
    assert heard == [("stock_changed", {"restaurant_id": bastille.pk, "movement": movement})]
    assert board_version.current(bastille.pk) == before + 1


def test_a_paid_order_cancelled_is_told_then_its_refund_then_refunded(
    shopper, paypal, heard, django_capture_on_commit_callbacks
):
    order, _ = pay_with_paypal(shopper)
    come_back(shopper, order, approve(paypal, order))
    heard.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancel_by_customer(order)
    refund = PayPalRefund.objects.get()
    assert names(heard) == ["order_status_changed", "refund_recorded", "order_changed"]
    assert heard[0][1]["status"] == Status.CANCELLED
    assert heard[1][1]["refund"] == refund and refund.state == PayPalRefund.State.COMPLETED  # sent by its receiver
    assert heard[2][1]["fields"] == {"payment_state"}
    assert Order.objects.get(pk=order.pk).payment_state == Order.PaymentState.REFUNDED


# --- every writer of orders goes through the services, so every one is told ---
# (the test's transaction never commits: each request's on-commit signals are run by hand)


def test_the_web_checkout_and_the_customers_cancellation_are_told(
    client, bastille, heard, django_capture_on_commit_callbacks
):
    client.post("/commande/panier/ajouter/", {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 2})
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/commande/valider/", delivery_form(checkout_key=issue_checkout_key(client)))
    order = Order.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/commande/suivi/{order.tracking_token}/annuler/")
    assert names(heard) == ["order_placed", "order_status_changed"]
    assert heard[1][1]["status"] == Status.CANCELLED and heard[1][1]["notification"].status == Status.CANCELLED


def test_phone_orders_and_staff_moves_are_told(client, bastille, heard, django_capture_on_commit_callbacks):
    login(client, "comptoir-bastille")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/cuisine/{bastille.pk}/nouvelle-commande/",
            new_order_form(bastille, checkout_key=issue_checkout_key(client, "9" * 32)),
        )
    assert response.status_code == 302
    order = Order.objects.get()
    login(client, "pizzaiolo-bastille")
    with django_capture_on_commit_callbacks(execute=True):
        move(client, order, Status.IN_PREPARATION)
    assert names(heard) == ["order_placed", "order_status_changed"]
    assert heard[0][1]["by"].username == "comptoir-bastille" and heard[0][1]["notification"] is None  # no e-mail given
    assert heard[1][1]["by"].username == "pizzaiolo-bastille" and heard[1][1]["status"] == Status.IN_PREPARATION


def test_the_paypal_return_is_told(shopper, paypal, heard, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order, _ = pay_with_paypal(shopper)
    assert heard[0][1]["order"] == order and heard[0][1]["notification"] is None  # nothing to say while on PayPal
    payment = approve(paypal, order)
    with django_capture_on_commit_callbacks(execute=True):
        come_back(shopper, order, payment)
    assert names(heard) == ["order_placed", "order_status_changed"] and heard[1][1]["status"] == Status.PLACED


def test_the_paypal_webhook_is_told(shopper, paypal, heard, django_capture_on_commit_callbacks):
    order, _payment, event = captured_on_paypal(shopper, paypal)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_event(shopper, event).status_code == 200
    assert names(heard) == ["order_status_changed"] and heard[0][1]["order"].pk == order.pk
    assert heard[0][1]["status"] == Status.PLACED


def test_the_housekeeping_release_is_told(shopper, paypal, heard, django_capture_on_commit_callbacks):
    order, _ = pay_with_paypal(shopper)
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert payments.release_unpaid_orders() == (0, 1)
    assert names(heard) == ["order_status_changed"] and heard[0][1]["status"] == Status.CANCELLED
