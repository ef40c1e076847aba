"""Orders through the real order services, for the books' tests."""

from decimal import Decimal

from ordering.models import Order, PayPalPayment
from ordering.services import OrderDetails, accept_online_payment, place_order
from ordering.workflow import Fulfilment
from tests.conftest import size_of


def details(**overrides):
    values = {"fulfilment": Fulfilment.PICKUP, "name": "Léa", "phone": "0612345678", "email": "lea@example.fr"}
    values.update(overrides)
    return OrderDetails(**values)


def delivery_details(**overrides):
    return details(
        fulfilment=Fulfilment.DELIVERY, street_address="10 rue de Lappe", postcode="75011", city="Paris", **overrides
    )


def on_site_order(restaurant, quantities=None, **overrides):
    return place_order(restaurant, quantities or {size_of("reine").pk: 2}, details(**overrides))


def paid_online_order(restaurant, quantities=None, **overrides):
    """A PayPal order whose capture went through (recorded as the PayPal code does)."""
    order = place_order(
        restaurant,
        quantities or {size_of("reine").pk: 2},
        details(payment_method=Order.PaymentMethod.PAYPAL, **overrides),
    )
    PayPalPayment.objects.create(
        order=order,
        paypal_order_id=f"PP-{order.pk}",
        state=PayPalPayment.State.COMPLETED,
        amount=order.total,
        capture_id=f"CAP-{order.pk}",
        captured_amount=order.total,
        capture_currency="EUR",
    )
    assert accept_online_payment(order, "test capture")
    order.refresh_from_db()
    return order


def money(text):
    return Decimal(text)
