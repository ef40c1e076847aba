"""Customised pizzas: options (extra toppings, removed ingredients, crusts) and half-and-half.

A cart or order line is identified by its *key*: a plain size is its id (an int, as
before); a customised pizza is a canonical string, "12h15o3.7": size 12, other half
size 15 (optional), options 3 and 7 (sorted, optional). Two identical customised
pizzas have the same key, so the cart keeps them as one line with a quantity.

Prices (the menu's price, the half-and-half rule, the options' prices per size with
"first N free") and recipes (each option a recipe delta; each half half of its
recipe) are computed here on the server, from the catalogue (home.OptionGroup,
marketing) and the option recipe lines (head office). The stock ledger, the kitchen
and the order lines read the result; nothing here writes.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from core.money import to_money
from home.models import OptionGroup, ProductSize

from .exceptions import OrderError
from .models import Ingredient, OptionRecipeLine
from .stock import recipes_for

MAX_OPTIONS = 20  # per pizza
_MAX_ID = 2**31 - 1
_ID = r"[0-9]{1,10}"
_KEY = re.compile(rf"({_ID})(?:h({_ID}))?(?:o({_ID}(?:\.{_ID}){{0,{MAX_OPTIONS - 1}}}))?")
_THOUSANDTH = Decimal("0.001")


@dataclass(frozen=True)
class LineSpec:
    size_id: int
    half_size_id: int | None = None
    option_ids: tuple = ()

    @property
    def customised(self):
        return bool(self.half_size_id or self.option_ids)

    @property
    def key(self):
        if not self.customised:
            return self.size_id
        key = str(self.size_id)
        if self.half_size_id:
            key += f"h{self.half_size_id}"
        if self.option_ids:
            key += "o" + ".".join(str(option_id) for option_id in self.option_ids)
        return key

    @property
    def size_ids(self):
        return (self.size_id, self.half_size_id) if self.half_size_id else (self.size_id,)


def spec_of(key):
    """The LineSpec of a line key (an int, or a string from untrusted input), or None."""
    if isinstance(key, bool):
        return None
    if isinstance(key, int):
        return LineSpec(key) if 0 < key <= _MAX_ID else None
    if not isinstance(key, str):
        return None
    match = _KEY.fullmatch(key)
    if match is None:
        return None
    size_id = int(match[1])
    half_size_id = int(match[2]) if match[2] is not None else None
    option_ids = [int(raw) for raw in match[3].split(".")] if match[3] else []
    ids = [size_id, *option_ids] + ([] if half_size_id is None else [half_size_id])
    if not all(0 < value <= _MAX_ID for value in ids):
        return None
    if len(set(option_ids)) != len(option_ids) or half_size_id == size_id:
        return None
    return LineSpec(size_id, half_size_id, tuple(sorted(option_ids)))


def parse_key(raw):
    """A canonical line key from untrusted input ("12", "12h15o3.7"), or None."""
    spec = spec_of(raw)
    return None if spec is None else spec.key


# --- recipes ------------------------------------------------------------------


def halve(quantity):
    """Half of a recipe quantity, to the thousandth the stock counts in (rounded up)."""
    return (Decimal(quantity) / 2).quantize(_THOUSANDTH, rounding=ROUND_HALF_UP)


def _same_size(label, other):
    return label.strip().casefold() == other.strip().casefold()


def adjusted_recipe(recipe, half_recipe, size_label, option_lines):
    """A customised pizza's recipe: [(ingredient_id, quantity)], by ingredient.

    recipe: the size's recipe; half_recipe: the other half's (each half consumes half
    of its own), or None for a whole pizza; option_lines: (size_label, action,
    ingredient_id, quantity) of the chosen options. A line for another size is
    ignored; removals take the ingredient out (from both halves), then additions add."""
    amounts = defaultdict(Decimal)
    if half_recipe is None:
        for ingredient_id, quantity in recipe:
            amounts[ingredient_id] += quantity
    else:
        for ingredient_id, quantity in (*recipe, *half_recipe):
            amounts[ingredient_id] += halve(quantity)
    lines = [line for line in option_lines if not line[0] or _same_size(line[0], size_label)]
    for _label, action, ingredient_id, _quantity in lines:
        if action == OptionRecipeLine.Action.REMOVE:
            amounts.pop(ingredient_id, None)
    for _label, action, ingredient_id, quantity in lines:
        if action == OptionRecipeLine.Action.ADD and quantity:
            amounts[ingredient_id] += quantity
    return sorted((ingredient_id, quantity) for ingredient_id, quantity in amounts.items() if quantity > 0)


def recipes_for_keys(keys):
    """{key: [(ingredient_id, quantity per unit)]} for line keys (plain or customised):
    one query for plain keys only (like stock.recipes_for), three with customised ones."""
    specs = {key: spec_of(key) for key in keys}
    specs = {key: spec for key, spec in specs.items() if spec is not None}
    recipes = recipes_for({size_id for spec in specs.values() for size_id in spec.size_ids})
    custom = {key: spec for key, spec in specs.items() if spec.customised}
    if not custom:
        return {key: recipes.get(spec.size_id, []) for key, spec in specs.items()}
    labels = dict(ProductSize.objects.filter(pk__in={s.size_id for s in custom.values()}).values_list("pk", "label"))
    option_lines = defaultdict(list)
    for option_id, *line in OptionRecipeLine.objects.filter(
        option_id__in={option_id for spec in custom.values() for option_id in spec.option_ids}
    ).values_list("option_id", "size_label", "action", "ingredient_id", "quantity"):
        option_lines[option_id].append(tuple(line))
    result = {}
    for key, spec in specs.items():
        if not spec.customised:
            result[key] = recipes.get(spec.size_id, [])
            continue
        result[key] = adjusted_recipe(
            recipes.get(spec.size_id, []),
            recipes.get(spec.half_size_id, []) if spec.half_size_id else None,
            labels.get(spec.size_id, ""),
            [line for option_id in spec.option_ids for line in option_lines[option_id]],
        )
    return result


# --- prices and names ---------------------------------------------------------


class OptionCatalogue:
    """The option groups offered on some products, read in four queries."""

    def __init__(self, product_ids):
        through = OptionGroup.products.through
        self.groups_of = defaultdict(list)  # product_id -> [group]
        links = list(through.objects.filter(product_id__in=product_ids).values_list("optiongroup_id", "product_id"))
        groups = {
            group.pk: group
            for group in OptionGroup.objects.filter(pk__in={g for g, _p in links}).prefetch_related(
                "options", "size_prices"
            )
        }
        for group_id, product_id in links:
            self.groups_of[product_id].append(groups[group_id])
        for product_groups in self.groups_of.values():
            product_groups.sort(key=lambda group: (group.sort_order, group.name, group.pk))
        self.options = {option.pk: option for group in groups.values() for option in group.options.all()}
        for option in self.options.values():
            option.group = groups[option.group_id]

    def groups_for(self, *products):
        """The non-half groups offered on any of these products, in page order, once each."""
        seen, groups = set(), []
        for product in products:
            for group in self.groups_of.get(product.pk, ()):
                if group.kind != OptionGroup.Kind.HALF and group.pk not in seen:
                    seen.add(group.pk)
                    groups.append(group)
        groups.sort(key=lambda group: (group.sort_order, group.name, group.pk))
        return groups

    def half_group(self, product, other=None):
        """The half-and-half group this product (and the other half) belongs to, or None."""
        for group in self.groups_of.get(product.pk, ()):
            if group.kind == OptionGroup.Kind.HALF and (other is None or group in self.groups_of.get(other.pk, ())):
                return group
        return None


def half_price(rule, price, other_price):
    if rule == OptionGroup.HalfPrice.AVERAGE:
        return to_money((price + other_price) / 2)
    return max(price, other_price)


def options_price(chosen, size_label):
    """What the chosen options cost on this size: per group, the free_choices cheapest are free."""
    by_group = defaultdict(list)
    for option in chosen:
        by_group[option.group.pk].append(option)
    total = Decimal("0.00")
    for options in by_group.values():
        prices = sorted(option.price_for(size_label) for option in options)
        total += sum(prices[options[0].group.free_choices :], Decimal("0.00"))
    return to_money(total)


def option_wording(option):
    if option.group.kind == OptionGroup.Kind.REMOVE:
        return _("without %(name)s") % {"name": option.name}
    if option.group.kind == OptionGroup.Kind.EXTRA:
        return f"+ {option.name}"
    return option.name


def options_label(product, half_product, chosen):
    """ "moitié Reine / moitié 4 fromages, sans olives, + chorizo": what the kitchen makes."""
    parts = []
    if half_product is not None:
        parts.append(_("half %(first)s / half %(second)s") % {"first": product.name, "second": half_product.name})
    ordered = sorted(chosen, key=lambda o: (o.group.sort_order, o.group.name, o.group.pk, o.sort_order or 0, o.pk))
    parts += [option_wording(option) for option in ordered]
    return ", ".join(parts)


@dataclass
class Customisation:
    unit_price: Decimal
    half: ProductSize | None
    options: list
    label: str


def customise(spec, size, price, sizes, menu_items, catalogue):
    """Checks a customised pizza against the menu and the option groups, and prices it.
    sizes: {size_id: ProductSize}; menu_items: {product_id: MenuItem}; raises OrderError."""
    product = size.product
    half, half_product = None, None
    if spec.half_size_id:
        half = sizes.get(spec.half_size_id)
        half_item = menu_items.get(half.product_id) if half else None
        group = catalogue.half_group(product, half.product) if half_item else None
        if (
            half_item is None
            or group is None
            or half.product_id == product.pk
            or not _same_size(half.label, size.label)
        ):
            raise OrderError(_("These two pizzas cannot be ordered half-and-half."))
        half_product = half.product
        price = half_price(group.half_price_rule, price, half_item.price_for(half))
    groups = catalogue.groups_for(*([product, half_product] if half_product else [product]))
    offered = {option.pk: option for group in groups for option in group.options.all()}
    chosen = []
    for option_id in spec.option_ids:
        option = offered.get(option_id)
        if option is None:
            raise OrderError(_("One of the options is not offered on %(product)s.") % {"product": product.name})
        chosen.append(offered[option_id])
    if len(chosen) > MAX_OPTIONS:
        raise OrderError(_("At most %(max)s options per pizza.") % {"max": MAX_OPTIONS})
    for group in groups:
        count = sum(1 for option in chosen if option.group_id == group.pk)
        check_choice_count(group, count)
    price = to_money(price + options_price(chosen, size.label))
    return Customisation(
        unit_price=price, half=half, options=chosen, label=options_label(product, half_product, chosen)
    )


def check_choice_count(group, count):
    if count < group.min_choices:
        raise OrderError(_("%(group)s: choose at least %(min)s.") % {"group": group.name, "min": group.min_choices})
    if group.max_choices is not None and count > group.max_choices:
        raise OrderError(_("%(group)s: choose at most %(max)s.") % {"group": group.name, "max": group.max_choices})


def offered_products(product_ids):
    """The ids of these products that can be customised (options or half-and-half), in one query."""
    return set(
        OptionGroup.products.through.objects.filter(product_id__in=product_ids).values_list("product_id", flat=True)
    )


def adjusted_recipe_rows(keys):
    """{key: [(quantity, ingredient)]} of customised lines' adjusted recipes, for the
    kitchen (ingredients by name); four queries whatever the number of keys, none without."""
    keys = [key for key in set(keys) if key]
    if not keys:
        return {}
    recipes = recipes_for_keys(keys)
    ingredients = Ingredient.objects.in_bulk({i for recipe in recipes.values() for i, _q in recipe})
    return {
        key: sorted(((quantity, ingredients[i]) for i, quantity in recipe), key=lambda row: row[1].name)
        for key, recipe in recipes.items()
    }
