"""The "Personnaliser" page of a pizza: size, options (extra toppings, removed
ingredients, crust) and the other half, then into the cart. Works without
JavaScript: the size is a link (the page comes back with what that size can have),
the rest one form. Prices and what can be made are the server's (ordering.options)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from home.models import RestaurantPage

from .cart import Cart
from .exceptions import OrderError
from .options import LineSpec, OptionCatalogue, half_price, recipes_for_keys
from .pricing import MAX_QUANTITY_PER_LINE, parse_id, price_lines
from .stock import how_many_can_be_made, levels_of
from .views import _bad_request, add_to_cart


def _menu_item(restaurant_id, slug):
    restaurant_pk = parse_id(restaurant_id)
    restaurant = RestaurantPage.objects.live().filter(pk=restaurant_pk).first() if restaurant_pk else None
    if restaurant is None:
        raise Http404
    items = restaurant.published_menu_items()
    item = next((item for item in items if item.product.slug == slug), None)
    if item is None:
        raise Http404
    return restaurant, item, items


class Choices:
    """What this pizza can have in one size, with prices and what the stock allows."""

    def __init__(self, restaurant, item, items, size):
        self.item, self.size = item, size
        product = item.product
        catalogue = OptionCatalogue([menu_item.product_id for menu_item in items])
        self.groups = catalogue.groups_for(product)
        half_group = catalogue.half_group(product)
        self.half_rule = half_group.get_half_price_rule_display() if half_group else ""
        self.halves = []  # (size of the other half, its product, price of the pizza)
        if half_group is not None:
            for other in items:
                if other.product_id == product.pk or catalogue.half_group(product, other.product) is None:
                    continue
                same = [s for s in other.sizes if s.label.strip().casefold() == size.label.strip().casefold()]
                if same:
                    price = half_price(half_group.half_price_rule, item.price_for(size), other.price_for(same[0]))
                    self.halves.append((same[0], other.product, price))
        keys = {LineSpec(size.pk, None, (option.pk,)).key: option for g in self.groups for option in g.options.all()}
        half_keys = {LineSpec(size.pk, half.pk).key: half for half, _p, _price in self.halves}
        recipes = recipes_for_keys([size.pk, *keys, *half_keys])
        levels = levels_of(restaurant)

        def can_make(key):
            count = how_many_can_be_made(recipes.get(key), levels)
            return count is None or count > 0

        self.sold_out = not can_make(size.pk)
        self.available_options = {option.pk for key, option in keys.items() if can_make(key)}
        self.available_halves = {half.pk for key, half in half_keys.items() if can_make(key)}
        self.halves = [(half, other, price, half.pk in self.available_halves) for half, other, price in self.halves]
        self.option_ids = {option.pk for option in keys.values()}
        self.half_ids = {half.pk for half, *_rest in self.halves}

    def rows(self, chosen=()):
        """[(group, [(option, price, available, checked)])] for the template."""
        return [
            (
                group,
                [
                    (
                        option,
                        option.price_for(self.size.label),
                        option.pk in self.available_options,
                        option.pk in chosen,
                    )
                    for option in group.options.all()
                ],
            )
            for group in self.groups
        ]


def customise(request, restaurant_id, product):
    restaurant, item, items = _menu_item(restaurant_id, product)
    sizes = item.sizes
    data = request.POST if request.method == "POST" else request.GET
    raw_size = data.get("taille")
    size_id = parse_id(raw_size) if raw_size is not None else None
    size = next((s for s in sizes if s.pk == size_id), None)
    if raw_size is not None and size is None:
        return _bad_request(request, _("This size is not one of this product's."))
    if size is None:
        size = sizes[0]
    choices = Choices(restaurant, item, items, size)
    context = {
        "restaurant": restaurant,
        "item": item,
        "product": item.product,
        "size": size,
        "choices": choices,
        "priced_sizes": item.priced_sizes(),
        "base_price": item.price_for(size),
    }
    if request.method != "POST":
        context.update(rows=choices.rows(), half=None, quantity=1)
        return render(request, "ordering/customise.html", context)

    option_ids = [parse_id(raw) for raw in request.POST.getlist("option")]
    if len(option_ids) > 50 or not all(option_id in choices.option_ids for option_id in option_ids):
        return _bad_request(request, _("One of the options is not offered on this pizza."))
    raw_half = request.POST.get("half", "")
    half_id = parse_id(raw_half) if raw_half else None
    if raw_half and half_id not in choices.half_ids:
        return _bad_request(request, _("These two pizzas cannot be ordered half-and-half."))
    quantity = parse_id(request.POST.get("quantity", "1"))
    if quantity is None or quantity > MAX_QUANTITY_PER_LINE:
        return _bad_request(request, _("Choose a quantity between 1 and %(max)s.") % {"max": MAX_QUANTITY_PER_LINE})
    key = LineSpec(size.pk, half_id, tuple(sorted(set(option_ids)))).key
    cart = Cart(request.session)
    try:
        price_lines(restaurant, {key: quantity})  # offered here, at least / at most per group
        if cart.belongs_to_another(restaurant):
            return add_to_cart(request, restaurant, key, quantity)  # asks before emptying the cart
        capped = cart.add(restaurant, key, quantity)  # what the stock can make
    except OrderError as error:
        context.update(rows=choices.rows(set(option_ids)), half=half_id, quantity=quantity, error=str(error))
        return render(request, "ordering/customise.html", context, status=400)
    if capped:
        messages.warning(request, capped)
    else:
        messages.success(request, _("Added to your cart."))
    return redirect(f"{restaurant.url}#{item.product.slug}")
