from functools import cache

from core.money import format_euros

from .cart import Cart


def cart(request):
    """The cart's size and total, for the header of every page and the menu's cart bar.
    The total is computed (a few queries) only by the pages that show it, and once."""
    if not hasattr(request, "session"):
        return {}
    current = Cart(request.session)

    @cache
    def cart_total():
        total = current.total()
        return "" if total is None else format_euros(total)

    return {"cart_count": current.count(), "cart_total": cart_total}
