"""What the kitchen can make from its stock, and the arithmetic of reservations."""

from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from . import signals
from .exceptions import OrderError
from .models import RecipeLine, Stock, StockMovement


def recipes_for(size_ids):
    """{size_id: [(ingredient_id, quantity per unit)]} in one query."""
    recipes = defaultdict(list)
    for line in RecipeLine.objects.filter(size_id__in=size_ids).values_list("size_id", "ingredient_id", "quantity"):
        recipes[line[0]].append((line[1], line[2]))
    return recipes


def ingredient_needs(quantities, recipes):
    """{size_id: quantity} -> {ingredient_id: total quantity}."""
    needs = defaultdict(Decimal)
    for size_id, quantity in quantities.items():
        for ingredient_id, per_unit in recipes.get(size_id, ()):
            needs[ingredient_id] += per_unit * quantity
    return dict(needs)


def how_many_can_be_made(recipe, levels):
    """Units of a size the levels allow; None when its recipe uses nothing tracked."""
    if not recipe:
        return None
    return min(int(levels.get(ingredient_id, Decimal("0")) // per_unit) for ingredient_id, per_unit in recipe)


def levels_of(restaurant):
    return dict(Stock.objects.filter(restaurant=restaurant).values_list("ingredient_id", "quantity"))


def makeable_counts(restaurant, size_ids):
    """{size_id: units that can be made now, or None if unlimited}, in two queries."""
    recipes = recipes_for(size_ids)
    levels = levels_of(restaurant)
    return {size_id: how_many_can_be_made(recipes.get(size_id), levels) for size_id in size_ids}


def highest_level():
    """The largest level the stock column holds (999999999.999)."""
    field = Stock._meta.get_field("quantity")
    return Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal(10) ** -field.decimal_places


def record_movement(stock, delta, reason, by=None, note="", set_level=None):
    """Changes a stock level through the movement log, under a row lock.
    set_level (an inventory count) computes the delta from the locked level.
    Refuses to go below zero or above what the column holds; returns the movement."""
    with transaction.atomic():
        stock = Stock.objects.select_for_update().get(pk=stock.pk)
        if set_level is not None:
            delta = Decimal(set_level) - stock.quantity
        if stock.quantity + delta < 0:
            raise OrderError(
                _("Only %(level)s left: cannot remove %(quantity)s.") % {"level": stock.quantity, "quantity": -delta}
            )
        if stock.quantity + delta > highest_level():
            raise OrderError(
                _("%(level)s in stock: adding %(quantity)s would exceed the most a stock can hold (%(most)s).")
                % {"level": stock.quantity, "quantity": delta, "most": highest_level()}
            )
        stock.quantity += delta
        stock.save(update_fields=["quantity"])
        movement = StockMovement.objects.create(stock=stock, delta=delta, reason=reason, created_by=by, note=note)
        signals.send_on_commit(signals.stock_changed, Stock, restaurant_id=stock.restaurant_id, movement=movement)
    return movement
