"""The cart lives in the session (Redis in production): one restaurant, and
quantities per product size. Prices are never stored; they are computed from
the published menu every time the cart is shown."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from home.models import RestaurantPage

from .exceptions import OrderError
from .options import parse_key, recipes_for_keys
from .pricing import MAX_ITEMS_PER_ORDER, MAX_QUANTITY_PER_LINE, clean_quantities, price_lines, subtotal_of
from .stock import how_many_can_be_made, ingredient_needs, levels_of

SESSION_KEY = "cart"


class Cart:
    def __init__(self, session):
        self.session = session
        data = session.get(SESSION_KEY) or {}
        self.restaurant_id = data.get("restaurant")
        # Lines without a restaurant cannot be priced nor ordered: they are no cart.
        lines = (data.get("lines") or {}) if self.restaurant_id else {}
        # Keys: a size id, or a customised pizza's key (ordering.options).
        self.quantities = {}
        for k, v in lines.items():
            key = parse_key(int(k) if k.isdecimal() and k.isascii() else k)
            if key is not None:
                self.quantities[key] = int(v)

    def _save(self):
        if not self.quantities:
            self.restaurant_id = None
        self.session[SESSION_KEY] = {
            "restaurant": self.restaurant_id,
            "lines": {str(k): v for k, v in self.quantities.items()},
        }
        self.session.modified = True

    @property
    def restaurant(self):
        if not self.restaurant_id:
            return None
        if not hasattr(self, "_restaurant"):
            self._restaurant = RestaurantPage.objects.live().filter(pk=self.restaurant_id).first()
        return self._restaurant

    def belongs_to_another(self, restaurant):
        return bool(self.quantities) and self.restaurant_id != restaurant.pk

    def add(self, restaurant, size_id, quantity):
        """Adds after checking the product is on this restaurant's menu and its
        stock can make it; raises OrderError (nothing changed). Returns a
        message when the quantity had to be lowered to what can be made."""
        if self.belongs_to_another(restaurant):
            raise OrderError("another restaurant")  # the view asks the customer first
        return self._put(restaurant, size_id, self.quantities.get(size_id, 0) + quantity)

    def set(self, size_id, quantity):
        """Changes the quantity of a line already in the cart (0 removes it);
        same checks and result as add."""
        if size_id not in self.quantities:
            raise OrderError(_("This item is not in your cart."))
        if quantity == 0:
            new = dict(self.quantities)
            del new[size_id]
            self.quantities = new
            self._save()
            return None
        restaurant = self.restaurant
        if restaurant is None:  # unpublished meanwhile
            self.clear()
            raise OrderError(_("This restaurant does not take orders at the moment."))
        return self._put(restaurant, size_id, quantity)

    def _put(self, restaurant, size_id, quantity):
        new = dict(self.quantities)
        new[size_id] = quantity
        clean_quantities(new)  # refuses bad or too large quantities
        (line,) = price_lines(restaurant, {size_id: quantity})  # refuses what is not for sale here
        alone, makeable = _makeable(restaurant, size_id, {k: v for k, v in new.items() if k != size_id})
        capped = None
        if makeable is not None and quantity > makeable:
            name = line.name
            if alone <= 0:
                raise OrderError(_("%(product)s is sold out.") % {"product": name})
            if makeable <= 0 or makeable == self.quantities.get(size_id, 0):  # capping would change nothing
                raise OrderError(
                    _("No more %(product)s can be made with what is left beside your cart.") % {"product": name}
                )
            quantity = new[size_id] = makeable
            capped = _("Only %(count)s × %(product)s can be made at the moment: your cart holds %(count)s.") % {
                "count": makeable,
                "product": name,
            }
        self.quantities = clean_quantities(new)
        self.restaurant_id = restaurant.pk
        self._restaurant = restaurant
        self._save()
        return capped

    def clear(self):
        self.quantities = {}
        self._save()

    def lines(self):
        """Priced lines in the order they were added; drops what is no longer for sale (and says so)."""
        restaurant = self.restaurant
        if restaurant is None:
            return [], []
        try:
            kept, dropped = price_lines(restaurant, self.quantities), []
        except OrderError:
            kept, dropped = [], []
            for size_id, quantity in list(self.quantities.items()):
                try:
                    kept += price_lines(restaurant, {size_id: quantity})
                except OrderError:
                    dropped.append(size_id)
                    del self.quantities[size_id]
            self._save()
        added = list(self.quantities)  # the session keeps the order lines were added in
        kept.sort(key=lambda line: added.index(line.key))
        return kept, dropped

    def limits(self, lines):
        """{line key: Limit} for each priced line: the most it may hold beside the
        other lines (stock shared between them, the per-line and per-order caps),
        and why. Two queries, whatever the number of lines."""
        restaurant = self.restaurant
        quantities = {line.key: line.quantity for line in lines}
        recipes = recipes_for_keys(list(quantities))
        levels = levels_of(restaurant) if restaurant else {}
        total = sum(quantities.values())
        limits = {}
        for line in lines:
            size_id = line.key
            others = {k: v for k, v in quantities.items() if k != size_id}
            left = dict(levels)
            for ingredient_id, need in ingredient_needs(others, recipes).items():
                left[ingredient_id] = left.get(ingredient_id, 0) - need
            by_stock = how_many_can_be_made(recipes.get(size_id), left)
            by_order = line.quantity + MAX_ITEMS_PER_ORDER - total
            name = line.name
            candidates = [
                (MAX_QUANTITY_PER_LINE, _("%(max)s at most of each item.") % {"max": MAX_QUANTITY_PER_LINE}),
                (by_order, _("An online order holds at most %(max)s items.") % {"max": MAX_ITEMS_PER_ORDER}),
            ]
            if by_stock is not None:
                by_stock = max(by_stock, 0)
                reason = (
                    _("%(product)s is sold out for now.") % {"product": name}
                    if by_stock == 0
                    else _("Only %(count)s × %(product)s can be made at the moment.")
                    % {"count": by_stock, "product": name}
                )
                candidates.insert(0, (by_stock, reason))
            most, reason = min(candidates, key=lambda pair: pair[0])
            limits[size_id] = Limit(most=most, reason=reason)
        return limits

    def count(self):
        return sum(self.quantities.values())

    def total(self):
        """What the cart costs at today's prices (for the header and the menu's cart bar),
        without changing it; None when it cannot be priced now (the cart page says why)."""
        if not self.quantities:
            return subtotal_of([])
        restaurant = self.restaurant
        if restaurant is None:
            return None
        try:
            return subtotal_of(price_lines(restaurant, self.quantities))
        except OrderError:
            return None


@dataclass(frozen=True)
class Limit:
    most: int  # the most this line may hold now
    reason: str  # why not more (shown when the line is at or over it)


def _makeable(restaurant, size_id, other_lines):
    """How many of size_id the restaurant's stock can make (alone, and on top
    of the cart's other lines, which may share its ingredients); None when
    unlimited. A hint for the customer: the checkout re-checks under locks."""
    recipes = recipes_for_keys([size_id, *other_lines])
    levels = levels_of(restaurant)
    alone = how_many_can_be_made(recipes.get(size_id), levels)
    for ingredient_id, need in ingredient_needs(other_lines, recipes).items():
        levels[ingredient_id] = levels.get(ingredient_id, 0) - need
    return alone, how_many_can_be_made(recipes.get(size_id), levels)
