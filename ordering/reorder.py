"""Ordering a past order again: its lines go back in a cart through the cart's own
rules (today's menu, prices and stock, ordering.cart and ordering.pricing), and
the customer is told, line by line, what is not as it was."""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.money import format_euros
from home.models import RestaurantPage

from .cart import SESSION_KEY, Cart
from .exceptions import OrderError
from .pricing import MAX_QUANTITY_PER_LINE, price_lines


class _ScratchSession(dict):
    """Where the new cart is built: the customer's cart changes only if something can be ordered."""

    modified = False


@dataclass
class Reorder:
    order: object
    cart_data: dict = field(default_factory=dict)  # the cart, as the session stores it
    changes: list = field(default_factory=list)  # what is not as it was, one sentence a line
    count: int = 0  # items put in the cart

    @property
    def when(self):
        """ "3 mars": the day the customer knows the order by."""
        return date_format(timezone.localtime(self.order.created_at), "j F")

    def apply_to(self, session):
        """Replaces the session's cart; True when it held something else before."""
        previous = Cart(session)
        replaced = bool(previous.quantities) and (
            previous.restaurant_id,
            {str(k): v for k, v in previous.quantities.items()},
        ) != (
            self.cart_data["restaurant"],
            {str(k): v for k, v in self.cart_data["lines"].items()},
        )
        session[SESSION_KEY] = self.cart_data
        session.modified = True
        return replaced


def reorder(order):
    """The cart that orders `order` again today, and what changed since. Nothing of
    the customer's is touched here. Raises OrderError when the restaurant no longer
    takes orders online."""
    restaurant = RestaurantPage.objects.live().filter(pk=order.restaurant_id).first()
    if restaurant is None:
        raise OrderError(
            _("%(restaurant)s does not take orders online any more.") % {"restaurant": order.restaurant.title}
        )
    scratch = _ScratchSession()
    cart = Cart(scratch)
    result = Reorder(order)
    put = []  # (line, name): what went in the cart, in the order's order
    for line in order.lines.all():
        name = f"{line.product_name} {line.size_label}".strip()
        if line.options_label:
            name = f"{name} ({line.options_label})"
        key = line.line_key  # a customised pizza comes back customised
        wanted = min(line.quantity, MAX_QUANTITY_PER_LINE)
        try:
            if line.size_id is None:  # the size was deleted from the catalogue
                raise OrderError(name)
            cart.add(restaurant, key, wanted)
        except OrderError:
            if line.size_id is None or not _on_menu(restaurant, key):
                result.changes.append(_("%(product)s is no longer on the menu.") % {"product": name})
            else:  # none left (or none beside the lines before it)
                result.changes.append(_("%(product)s: none left at the moment.") % {"product": name})
            continue
        put.append((line, name))
        got = cart.quantities[key]
        if got < wanted:
            result.changes.append(
                _("%(product)s: %(count)s instead of %(ordered)s: only %(count)s left.")
                % {"product": name, "count": got, "ordered": wanted}
            )
    prices = {priced.key: priced.unit_price for priced in cart.lines()[0]}
    for line, name in put:
        now = prices.get(line.line_key)
        if now is not None and now != line.unit_price:
            result.changes.append(
                _("%(product)s: price changed from %(before)s to %(now)s.")
                % {"product": name, "before": format_euros(line.unit_price), "now": format_euros(now)}
            )
    result.count = cart.count()
    result.cart_data = scratch.get(SESSION_KEY) or {}
    return result


def _on_menu(restaurant, size_id):
    try:
        price_lines(restaurant, {size_id: 1})
    except OrderError:
        return False
    return True
