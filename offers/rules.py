"""The discount arithmetic, pure (no database): what each kind of promotion takes off
a basket, and the loyalty reward. Every amount is a Decimal in euros, rounded half-up
to the cent (core.money); the discounts of one order never exceed what it costs, so
subtotal + delivery fee - discounts = total >= 0.

A basket line only needs `unit_price`, `quantity` and its product's category id
(`kind_of(line)`); ordering's PricedLine and OrderLine rows both fit.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from core.money import to_money

ZERO = Decimal("0.00")

PERCENT = "percent"
FIXED = "fixed"
FREE_DELIVERY = "free_delivery"
SECOND_PIZZA = "second_pizza"
MEAL_DEAL = "meal_deal"

PIZZA, DRINK, DESSERT = "pizza", "drink", "dessert"


@dataclass(frozen=True)
class Item:
    """One unit of a product in the basket: its kind (pizza, drink, dessert or other) and price."""

    kind: str
    price: Decimal


@dataclass
class Discount:
    """A discount line of an order: its name and the amount taken off (positive)."""

    label: str
    amount: Decimal
    promotion: object = None
    stamps: int = 0  # loyalty stamps it spends


@dataclass
class Basket:
    items: list  # of Item, one per unit
    delivery_fee: Decimal = ZERO
    subtotal: Decimal = field(init=False)

    def __post_init__(self):
        self.subtotal = to_money(sum((item.price for item in self.items), ZERO))

    @property
    def gross(self):
        return to_money(self.subtotal + self.delivery_fee)

    def of_kind(self, kind):
        """Prices of the units of that kind, dearest first."""
        return sorted((item.price for item in self.items if item.kind == kind), reverse=True)


def items_of(lines, kinds):
    """Units from basket lines; kinds maps category ids to PIZZA, DRINK or DESSERT."""
    return [
        Item(kinds.get(category_id, ""), to_money(price))
        for category_id, price, quantity in lines
        for _unit in range(quantity)
    ]


def raw_amount(kind, value, basket):
    """What a promotion of this kind and value takes off the basket, before any cap."""
    value = value or ZERO
    if kind == PERCENT:
        rate = min(max(value, ZERO), Decimal("100"))
        return to_money(basket.subtotal * rate / Decimal("100"))
    if kind == FIXED:
        return to_money(max(value, ZERO))
    if kind == FREE_DELIVERY:
        return basket.delivery_fee
    if kind == SECOND_PIZZA:
        # Pizzas in pairs, dearest first: the cheaper of each pair is half price.
        return to_money(sum((to_money(price / 2) for price in basket.of_kind(PIZZA)[1::2]), ZERO))
    if kind == MEAL_DEAL:
        # Each pizza + drink + dessert (dearest together) costs `value`, when that is cheaper.
        meals = zip(basket.of_kind(PIZZA), basket.of_kind(DRINK), basket.of_kind(DESSERT), strict=False)
        return to_money(sum((max(sum(meal) - value, ZERO) for meal in meals), ZERO))
    return ZERO


def loyalty_amount(basket):
    """The loyalty reward: the cheapest pizza of the basket is free (nothing without a pizza)."""
    pizzas = basket.of_kind(PIZZA)
    return pizzas[-1] if pizzas else ZERO


def capped(basket, discounts):
    """The discounts in order, each cut so that together they never exceed the
    basket's price (food and delivery); discounts that end at zero are dropped."""
    left, kept = basket.gross, []
    for discount in discounts:
        amount = min(to_money(discount.amount), left)
        if amount > ZERO:
            discount.amount = amount
            left -= amount
            kept.append(discount)
    return kept


def total_after(basket, discounts):
    return to_money(basket.gross - sum((d.amount for d in discounts), ZERO))
