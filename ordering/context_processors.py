from .cart import Cart
from .pricing import MAX_QUANTITY_PER_LINE


def cart(request):
    """The number of items in the cart, for the header of every page, and the most
    of one item a line holds, for the quantity inputs of every cart form."""
    limits = {"max_quantity_per_line": MAX_QUANTITY_PER_LINE}
    if not hasattr(request, "session"):
        return limits
    return {**limits, "cart_count": Cart(request.session).count()}
