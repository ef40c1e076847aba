"""What follows an order's, a stock's or a refund's change, once it is committed:
the receivers of ordering.signals, connected by OrderingConfig.ready().

Receivers of one signal run in the order they are connected: the customer's
e-mail, then the boards' version, then (their own signal, sent after) the
refunds. Each only sends what the committed transaction recorded; what it
cannot send is retried by the periodic commands (send_notifications,
paypal_housekeeping). The senders are called through their modules, so that a
test can hold one back (monkeypatch) as it could before."""

from . import board_version, notifications, push
from .paypal import payments as paypal_payments
from .signals import ORDER_SIGNALS, order_placed, order_status_changed, refund_recorded, stock_changed


def send_customer_email(sender, notification=None, **kwargs):
    """The e-mail queued in the outbox with the change, if any."""
    if notification is not None:
        notifications.send_notification(notification.pk)


def bump_order_board(sender, order, **kwargs):
    """Open kitchen and delivery boards of the order's restaurant refresh."""
    _bump_and_push(order.restaurant_id)


def bump_tracking_page(sender, order, **kwargs):
    """The customer's tracking page sees the change at its next poll (until then: 304)."""
    board_version.bump_tracking(order.tracking_token)


def bump_stock_board(sender, restaurant_id, **kwargs):
    """The boards show what can be made: they refresh when a stock moves."""
    _bump_and_push(restaurant_id)


def _bump_and_push(restaurant_id):
    """A new version, published to the open boards (the board stream relays it)."""
    push.publish(restaurant_id, board_version.bump(restaurant_id))


def send_recorded_refund(sender, refund, **kwargs):
    """Asks PayPal for the refund recorded in the committed transaction."""
    paypal_payments.send_refund(refund.pk)


def connect():
    for signal in (order_placed, order_status_changed):
        signal.connect(send_customer_email, dispatch_uid="ordering.send_customer_email")
    for signal in ORDER_SIGNALS:
        signal.connect(bump_order_board, dispatch_uid="ordering.bump_order_board")
        signal.connect(bump_tracking_page, dispatch_uid="ordering.bump_tracking_page")
    stock_changed.connect(bump_stock_board, dispatch_uid="ordering.bump_stock_board")
    refund_recorded.connect(send_recorded_refund, dispatch_uid="ordering.send_recorded_refund")
