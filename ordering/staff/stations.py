"""The kitchen's stations: the same board cut for one post (the oven, the
preparation bench, drinks and desserts), and the "à préparer" totals of the
preparation bench, summed by the database from the recipes.

A line is *made* by the kitchen when its product has preparation steps or a
recipe of more than one ingredient (the recipe sheet's rule): a can of soda or a
dessert portion (one ingredient, itself) is not, and has no recipe to show.
Category slugs play no part; the drinks and desserts station groups by category."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from ..models import Ingredient, OrderLine, RecipeLine, RecipeSteps
from ..options import adjusted_recipe_rows
from ..workflow import Status

AHEAD = timedelta(minutes=30)


@dataclass(frozen=True)
class Station:
    slug: str
    label: str
    statuses: tuple
    made: bool | None  # lines made by the kitchen (True), the others (False), all (None)
    recipes: bool = True
    moves: bool = True  # the station's tickets carry the next-step button
    totals: bool = False  # "à préparer" for the next 30 minutes
    by_category: bool = False

    def shows(self, line):
        return self.made is None or line.made == self.made


BOARD = Station("", _("Kitchen"), (Status.PLACED, Status.IN_PREPARATION, Status.READY), made=None)
STATIONS = {
    station.slug: station
    for station in (
        Station("four", _("Oven"), (Status.IN_PREPARATION,), made=True, recipes=False),
        Station("preparation", _("Preparation"), (Status.PLACED, Status.IN_PREPARATION), made=True, totals=True),
        Station(
            "boissons-desserts",
            _("Drinks and desserts"),
            (Status.PLACED, Status.IN_PREPARATION, Status.READY),
            made=False,
            recipes=False,
            moves=False,
            by_category=True,
        ),
    )
}


def steps_of(product):
    try:
        return product.recipe_steps
    except ObjectDoesNotExist:
        return None


def mark_lines(line):
    """Sets line.made and line.steps from what the board query fetched (no query)."""
    size = line.size
    line.steps = steps_of(size.product) if size else None
    line.made = size is None or line.steps is not None or len(size.recipe_lines.all()) > 1 or bool(line.options_key)
    return line


def made_lines():
    """The same rule as mark_lines, as a filter on OrderLine for the database."""
    several = (
        RecipeLine.objects.filter(size=OuterRef("size"))
        .values("size")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("size")
    )
    return Q(Exists(RecipeSteps.objects.filter(product=OuterRef("size__product")))) | Q(Exists(several))


def to_prepare(restaurant, now=None):
    """What the orders not started yet and due within 30 minutes need: how many
    pizzas per size (the dough balls to shape) and how much of each ingredient.
    Two aggregate queries, whatever the number of orders."""
    horizon = (now or timezone.now()) + AHEAD
    lines = (
        OrderLine.objects.filter(order__restaurant=restaurant, order__status=Status.PLACED, size__isnull=False)
        .alias(due=Coalesce("order__requested_for", "order__estimated_ready_at", "order__created_at"))
        .filter(made_lines(), due__lte=horizon)
    )
    by_label, customised = {}, {}
    for row in lines.values("size_label", "options_key").annotate(count=Sum("quantity")):
        by_label[row["size_label"]] = by_label.get(row["size_label"], 0) + row["count"]
        if row["options_key"]:  # a customised pizza: its adjusted recipe, not the size's
            customised[row["options_key"]] = row["count"]
    sizes = sorted(((count, label) for label, count in by_label.items()), key=lambda pair: (-pair[0], pair[1]))
    totals = {
        (row["name"], row["unit"]): row["total"]
        for row in lines.filter(size__recipe_lines__isnull=False, options_key="")
        .values(name=F("size__recipe_lines__ingredient__name"), unit=F("size__recipe_lines__ingredient__unit"))
        .annotate(total=Sum(F("quantity") * F("size__recipe_lines__quantity")))
        .order_by("name")
    }
    for key, rows in adjusted_recipe_rows(customised).items():  # no query without customised pizzas
        for quantity, ingredient in rows:
            name = (ingredient.name, ingredient.unit)
            totals[name] = totals.get(name, Decimal("0")) + quantity * customised[key]
    ingredients = [(format_quantity(total, unit), name) for (name, unit), total in totals.items()]
    return {"sizes": sizes, "ingredients": ingredients, "minutes": int(AHEAD.total_seconds() // 60)}


def format_quantity(total, unit):
    """2100 g -> "2,1 kg", 750 ml -> "750 ml", 3 pieces -> "3" (in the request's language)."""
    total = Decimal(total)
    if unit in (Ingredient.Unit.GRAM, Ingredient.Unit.MILLILITRE) and total >= 1000:
        big = "kg" if unit == Ingredient.Unit.GRAM else "L"
        return (
            f"{number_format((total / 1000).quantize(Decimal('0.1')), 1).removesuffix(',0').removesuffix('.0')} {big}"
        )
    if unit == Ingredient.Unit.PIECE:
        return number_format(total.to_integral_value(rounding="ROUND_CEILING"), 0)
    return f"{number_format(total.quantize(Decimal('1')), 0)} {unit}"
