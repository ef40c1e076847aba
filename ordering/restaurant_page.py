"""What the ordering app adds to a restaurant's page (the restaurant_page_context hook)."""

from .stock import makeable_counts


def add_stock_and_cart(page, request, context):
    """Marks each size with how many can be made now (0: "Sold out") and
    offers the "add to cart" form on the restaurant page."""
    sizes = [size for _category, items in context["menu"] for item in items for size in item.sizes]
    counts = makeable_counts(page, [size.pk for size in sizes]) if sizes else {}
    for size in sizes:
        size.can_make = counts.get(size.pk)
    context["add_to_cart_template"] = "ordering/includes/add_to_cart.html"
