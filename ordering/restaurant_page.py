"""What the ordering app adds to a restaurant's page (the restaurant_page_context hook)."""

from .capacity import pace
from .options import offered_products
from .slots import asap_time, available_slots
from .stock import makeable_counts
from .workflow import Fulfilment


def add_stock_and_cart(page, request, context):
    """Marks each size with how many can be made now (0: "Sold out") and
    offers the "add to cart" form on the restaurant page."""
    sizes = [size for _category, items in context["menu"] for item in items for size in item.sizes]
    counts = makeable_counts(page, [size.pk for size in sizes]) if sizes else {}
    for size in sizes:
        size.can_make = counts.get(size.pk)
    context["add_to_cart_template"] = "ordering/includes/add_to_cart.html"
    # The products with options or half-and-half get a "Personnaliser" link (one query).
    products = {item.product.pk for _category, items in context["menu"] for item in items}
    context["customisable"] = offered_products(products) if products else set()


def add_next_slots(page, request, context):
    """When the kitchen cannot take an order for now (closed, or too close to closing):
    the first times it can keep, for take-away and for delivery ("Fermé — commandez pour 12:00")."""
    if asap_time(page, Fulfilment.PICKUP) is not None:
        return
    pickup, delivery = available_slots(page, Fulfilment.PICKUP), available_slots(page, Fulfilment.DELIVERY)
    context["order_for"] = {"pickup": pickup[0] if pickup else None, "delivery": delivery[0] if delivery else None}


def add_busy_notice(page, request, context):
    """The kitchen's busy mode, said on the restaurant's page (one query)."""
    context["busy_notice"] = pace(page).notice()
