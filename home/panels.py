"""Admin panels of the restaurant pages."""

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from wagtail.admin.panels import Panel

from core.money import format_euros

from .models.catalogue import ProductSize


def _catalogue_sizes(request):
    """{product id: [sizes in menu order]} for every product, read once per request."""
    cached = getattr(request, "_catalogue_sizes", None)
    if cached is None:
        cached = {}
        for size in ProductSize.objects.order_by("product_id", "sort_order", "pk"):
            cached.setdefault(size.product_id, []).append(size)
        if request is not None:
            request._catalogue_sizes = cached
    return cached


class CataloguePricePanel(Panel):
    """Beside a menu item's price override: the product's catalogue prices and, when
    overridden, this restaurant's prices (computed by MenuItem.price_for, as the
    site and the cart compute them)."""

    class BoundPanel(Panel.BoundPanel):
        def render_html(self, parent_context=None):
            item = self.instance
            sizes = _catalogue_sizes(self.request).get(item.product_id) if item is not None and item.product_id else None
            if not sizes:
                return format_html('<p class="help">{}</p>', _("Choose a product: its catalogue price shows here once saved."))
            item.sizes = sizes  # the cached property MenuItem.price_for reads, filled without a query
            catalogue = format_html_join(" · ", "{}", ((self._labelled(size, size.price),) for size in sizes))
            lines = [format_html("<strong>{}</strong> {}", _("Catalogue price:"), catalogue)]
            if item.price_override is not None:
                here = format_html_join(" · ", "{}", ((self._labelled(size, item.price_for(size)),) for size in sizes))
                lines.append(format_html("<strong>{}</strong> {}", _("In this restaurant:"), here))
            return format_html('<div class="help" data-catalogue-price>{}</div>',
                               format_html_join("", "<p>{}</p>", ((line,) for line in lines)))

        @staticmethod
        def _labelled(size, price):
            return f"{size.label} {format_euros(price)}".strip()
