from functools import cache

from core.money import format_euros

from .cart import Cart
from .pricing import MAX_QUANTITY_PER_LINE


def cart(request):
    """The cart's size and total, for the header of every page and the menu's cart bar
    (the total is computed, a few queries, only by the pages that show it, and once),
    and the most of one item a line holds, for the quantity inputs of every cart form."""
    limits = {"max_quantity_per_line": MAX_QUANTITY_PER_LINE}
    if not hasattr(request, "session"):
        return limits
    current = Cart(request.session)

    @cache
    def cart_total():
        total = current.total()
        return "" if total is None else format_euros(total)

    return {**limits, "cart_count": current.count(), "cart_total": cart_total}
