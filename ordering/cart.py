"""The cart lives in the session (Redis in production): one restaurant, and
quantities per product size. Prices are never stored; they are computed from
the published menu every time the cart is shown."""

from home.models import RestaurantPage

from .pricing import OrderError, clean_quantities, price_lines, subtotal_of

SESSION_KEY = "cart"


class Cart:
    def __init__(self, session):
        self.session = session
        data = session.get(SESSION_KEY) or {}
        self.restaurant_id = data.get("restaurant")
        self.quantities = {int(k): int(v) for k, v in (data.get("lines") or {}).items()}

    def _save(self):
        if not self.quantities:
            self.restaurant_id = None
        self.session[SESSION_KEY] = {"restaurant": self.restaurant_id, "lines": {str(k): v for k, v in self.quantities.items()}}
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
        """Adds after checking the product is on this restaurant's menu; raises OrderError."""
        if self.belongs_to_another(restaurant):
            raise OrderError("another restaurant")  # the view asks the customer first
        new = dict(self.quantities)
        new[size_id] = new.get(size_id, 0) + quantity
        self.quantities = clean_quantities(new)  # refuses bad or too large quantities
        price_lines(restaurant, {size_id: new[size_id]})  # refuses what is not for sale here
        self.restaurant_id = restaurant.pk
        self._restaurant = restaurant
        self._save()

    def set(self, size_id, quantity):
        new = dict(self.quantities)
        new[size_id] = quantity
        self.quantities = clean_quantities(new)
        self._save()

    def clear(self):
        self.quantities = {}
        self._save()

    def lines(self):
        """Priced lines; drops what is no longer for sale (and says so)."""
        restaurant = self.restaurant
        if restaurant is None:
            return [], []
        try:
            return price_lines(restaurant, self.quantities), []
        except OrderError:
            kept, dropped = [], []
            for size_id, quantity in list(self.quantities.items()):
                try:
                    kept += price_lines(restaurant, {size_id: quantity})
                except OrderError:
                    dropped.append(size_id)
                    del self.quantities[size_id]
            self._save()
            return kept, dropped

    def count(self):
        return sum(self.quantities.values())

    @staticmethod
    def subtotal(lines):
        return subtotal_of(lines)
