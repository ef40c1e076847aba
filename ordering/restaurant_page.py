"""What the ordering app adds to a restaurant's page (the restaurant_page_context hook)."""

from django.utils import timezone

from core import page_cache

from . import board_version
from .capacity import pace_from
from .models import CapacitySettings
from .options import offered_products
from .slots import asap_time, available_slots, lead_time
from .stock import makeable_counts
from .workflow import Fulfilment


def add_stock_and_cart(page, request, context):
    """Marks each size with how many can be made now (0: "Sold out") and
    offers the "add to cart" form on the restaurant page. The page (and its menu
    fragment) is stamped with the restaurant's stock version, read before the stock."""
    page_cache.depends_on(request, board_version.stock_name(page.pk))
    context["add_to_cart_template"] = "ordering/includes/add_to_cart.html"
    context.setdefault("menu_builders", []).append(_mark_stock)


def _mark_stock(page, context):
    sizes = [size for _category, items in context["menu"] for item in items for size in item.sizes]
    counts = makeable_counts(page, [size.pk for size in sizes]) if sizes else {}
    for size in sizes:
        size.can_make = counts.get(size.pk)
    # The products with options or half-and-half get a "Personnaliser" link (one query).
    products = {item.product.pk for _category, items in context["menu"] for item in items}
    context["customisable"] = offered_products(products) if products else set()


def add_next_slots(page, request, context):
    """When the kitchen cannot take an order for now (closed, or too close to closing):
    the first times it can keep, for take-away and for delivery ("Fermé — commandez pour 12:00")."""
    now = timezone.now()
    if asap_time(page, Fulfilment.PICKUP, now) is not None:
        status = context.get("status")
        if status is not None and status.is_open:  # "too late for now" from this moment on
            page_cache.valid_until(request, status.closes_at - lead_time(page, Fulfilment.PICKUP))
        return
    pickup, delivery = available_slots(page, Fulfilment.PICKUP), available_slots(page, Fulfilment.DELIVERY)
    context["order_for"] = {"pickup": pickup[0] if pickup else None, "delivery": delivery[0] if delivery else None}


def add_busy_notice(page, request, context):
    """The kitchen's busy mode, said on the restaurant's page (one query). A saved setting
    ends the page cache's entries (ordering.apps); a busy mode or pause ends them when it does.
    Settings are content (ordering.apps watches them): read once per content version."""
    row = page.once_per_content("capacity-settings", lambda: CapacitySettings.objects.filter(restaurant=page).first())
    current = pace_from(row)
    for moment in (current.extra_until, current.paused_until):
        page_cache.valid_until(request, moment)
    context["busy_notice"] = current.notice()
