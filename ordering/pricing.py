"""Prices come from the restaurant's published menu, never from the client."""

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from core.money import to_money
from home.models import MenuItem, ProductSize

from .exceptions import OrderError
from .options import OptionCatalogue, customise, spec_of

MAX_QUANTITY_PER_LINE = 20
MAX_ITEMS_PER_ORDER = 60


# Ids and quantities sent by browsers: plain decimal digits that fit a database integer.
_PLAIN_NUMBER = re.compile(r"[0-9]{1,10}")
MAX_DATABASE_ID = 2**31 - 1


def parse_id(raw):
    """A positive whole number from untrusted input ("12"), or None ("abc", "", "4.0", "-1", NUL, huge)."""
    if not isinstance(raw, str) or not _PLAIN_NUMBER.fullmatch(raw):
        return None
    value = int(raw)
    return value if 0 < value <= MAX_DATABASE_ID else None


@dataclass
class PricedLine:
    size: ProductSize
    quantity: int
    unit_price: Decimal
    key: object = None  # the cart's key: the size id, or a customised pizza's (ordering.options)
    half: ProductSize | None = None  # the other half of a half-and-half pizza
    options: list = field(default_factory=list)  # home.Option chosen
    options_label: str = ""  # "moitié Reine / moitié 4 fromages, sans olives, + chorizo"

    def __post_init__(self):
        if self.key is None:
            self.key = self.size.pk

    @property
    def product(self):
        return self.size.product

    @property
    def name(self):
        """ "Reine Sénior 33 cm (sans olives, + chorizo)": the product, its size and what was chosen."""
        name = f"{self.product.name} {self.size.label}".strip()
        return f"{name} ({self.options_label})" if self.options_label else name

    @property
    def options_key(self):
        return self.key if isinstance(self.key, str) else ""

    @property
    def line_total(self):
        return to_money(self.unit_price * self.quantity)


def clean_quantities(quantities):
    """{line key: quantity} from untrusted input -> {key: int}; raises OrderError.
    A key is a size id or a customised pizza's key (ordering.options), made canonical."""
    cleaned = Counter()
    for raw_id, raw_quantity in quantities.items():
        spec = spec_of(int(raw_id) if isinstance(raw_id, str) and raw_id.isdecimal() and raw_id.isascii() else raw_id)
        try:
            quantity = int(raw_quantity)
        except (TypeError, ValueError):
            quantity = None
        if spec is None or quantity is None:
            raise OrderError(_("This product or quantity is not valid."))
        size_id = spec.key
        if quantity < 0 or quantity > MAX_QUANTITY_PER_LINE:
            raise OrderError(_("You can order between 1 and %(max)s of each item.") % {"max": MAX_QUANTITY_PER_LINE})
        if quantity:
            cleaned[size_id] += quantity
    if any(q > MAX_QUANTITY_PER_LINE for q in cleaned.values()):
        raise OrderError(_("You can order between 1 and %(max)s of each item.") % {"max": MAX_QUANTITY_PER_LINE})
    if sum(cleaned.values()) > MAX_ITEMS_PER_ORDER:
        raise OrderError(
            _("An online order holds at most %(max)s items; please call the restaurant.") % {"max": MAX_ITEMS_PER_ORDER}
        )
    return dict(cleaned)


def price_lines(restaurant, quantities):
    """The lines of an order at today's published prices of this restaurant.

    Refuses sizes that do not exist, products that are unpublished or not on
    this restaurant's published menu.
    """
    quantities = clean_quantities(quantities)
    if not quantities:
        return []
    if not restaurant.live:
        raise OrderError(_("This restaurant does not take orders at the moment."))
    specs = {key: spec_of(key) for key in quantities}
    size_ids = {size_id for spec in specs.values() for size_id in spec.size_ids}
    sizes = {s.pk: s for s in ProductSize.objects.filter(pk__in=size_ids, product__live=True).select_related("product")}
    menu_items = {
        item.product_id: item
        for item in MenuItem.objects.filter(
            restaurant=restaurant, product_id__in={s.product_id for s in sizes.values()}
        ).prefetch_related("product__sizes")
    }
    customised = [spec for spec in specs.values() if spec.customised]
    catalogue = OptionCatalogue({s.product_id for s in sizes.values()}) if customised else None
    lines = []
    for key, quantity in quantities.items():
        spec = specs[key]
        size = sizes.get(spec.size_id)
        item = menu_items.get(size.product_id) if size else None
        if item is None:
            raise OrderError(
                _("One of the products is no longer on the menu of %(restaurant)s.") % {"restaurant": restaurant.title}
            )
        line = PricedLine(size=size, quantity=quantity, unit_price=item.price_for(size), key=key)
        if spec.customised:
            custom = customise(spec, size, line.unit_price, sizes, menu_items, catalogue)
            line.unit_price, line.half, line.options, line.options_label = (
                custom.unit_price,
                custom.half,
                custom.options,
                custom.label,
            )
        lines.append(line)
    lines.sort(key=lambda line: (line.product.name, line.size.sort_order or 0, line.options_key))
    return lines


def subtotal_of(lines):
    return to_money(sum((line.line_total for line in lines), Decimal("0")))
