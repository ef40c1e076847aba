"""Demo ingredients, recipes and a realistic stock for every restaurant, and the
restaurants' staff. Idempotent like the rest of the demo: only what is missing is created."""

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from home.models import Product, RestaurantPage
from ordering.models import Ingredient, RecipeLine, RecipeSteps, StaffMember, Stock, StockMovement

G, ML, PIECE = Ingredient.Unit.GRAM, Ingredient.Unit.MILLILITRE, Ingredient.Unit.PIECE

# name: (unit, stock per restaurant)
INGREDIENTS = {
    "Pâte à pizza": (G, 30000),
    "Sauce tomate": (G, 12000),
    "Crème fraîche": (G, 5000),
    "Mozzarella": (G, 15000),
    "Jambon blanc": (G, 4000),
    "Champignons": (G, 4000),
    "Anchois": (G, 1500),
    "Olives noires": (G, 2000),
    "Câpres": (G, 800),
    "Gorgonzola": (G, 2500),
    "Chèvre": (G, 3000),
    "Parmesan": (G, 2000),
    "Œufs": (PIECE, 90),
    "Salami piquant": (G, 3000),
    "Oignons rouges": (G, 4000),
    "Poivrons": (G, 4000),
    "Courgettes": (G, 3000),
    "Aubergines": (G, 3000),
    "Miel": (G, 1500),
    "Noix": (G, 1000),
    "Merguez": (G, 3000),
    "Pommes de terre": (G, 5000),
    "Lardons": (G, 3000),
    "Reblochon": (G, 3000),
    "Crevettes": (G, 2000),
    "Moules": (G, 2000),
    "Calamars": (G, 2000),
    "Tomates cerises": (G, 3000),
    "Roquette": (G, 1000),
    "Pesto": (G, 1500),
    "Burrata": (PIECE, 40),
    "Basilic frais": (G, 500),
    "Huile d'olive": (ML, 5000),
    "Pignons de pin": (G, 800),
    "Canette Coca-Cola 33 cl": (PIECE, 96),
    "Bouteille d'eau 50 cl": (PIECE, 96),
    "Limonade 33 cl": (PIECE, 48),
    "Bière italienne 33 cl": (PIECE, 48),
    "Tiramisu (portion)": (PIECE, 24),
    "Panna cotta (pot)": (PIECE, 24),
    "Fondant au chocolat": (PIECE, 24),
}

BASE = {"Pâte à pizza": 250, "Mozzarella": 120}
TOMATO_BASE = {**BASE, "Sauce tomate": 80}
CREAM_BASE = {**BASE, "Crème fraîche": 70}
# Recipes for the Sénior (33 cm) size; Junior uses 75 %, Méga 150 %.
PIZZA_RECIPES = {
    "margherita": {**TOMATO_BASE, "Basilic frais": 5, "Huile d'olive": 10},
    "reine": {**TOMATO_BASE, "Jambon blanc": 80, "Champignons": 60},
    "napolitaine": {**TOMATO_BASE, "Anchois": 30, "Câpres": 10, "Olives noires": 20},
    "quatre-fromages": {**CREAM_BASE, "Gorgonzola": 50, "Chèvre": 50, "Parmesan": 30},
    "calzone": {**TOMATO_BASE, "Jambon blanc": 80, "Œufs": 1, "Champignons": 50},
    "diavola": {**TOMATO_BASE, "Salami piquant": 70, "Oignons rouges": 30},
    "vegetarienne": {**TOMATO_BASE, "Poivrons": 50, "Courgettes": 50, "Aubergines": 50, "Oignons rouges": 30},
    "chevre-miel": {**CREAM_BASE, "Chèvre": 90, "Miel": 15, "Noix": 15},
    "orientale": {**TOMATO_BASE, "Merguez": 90, "Poivrons": 40, "Oignons rouges": 30, "Œufs": 1},
    "savoyarde": {**CREAM_BASE, "Pommes de terre": 100, "Lardons": 60, "Reblochon": 80, "Oignons rouges": 20},
    "fruits-de-mer": {**TOMATO_BASE, "Crevettes": 50, "Moules": 50, "Calamars": 50},
    "marinara-vegan": {
        "Pâte à pizza": 250,
        "Sauce tomate": 100,
        "Tomates cerises": 60,
        "Roquette": 20,
        "Huile d'olive": 15,
    },
    "pesto-burrata": {"Pâte à pizza": 250, "Pesto": 50, "Burrata": 1, "Tomates cerises": 60, "Pignons de pin": 10},
}
SIZE_FACTORS = [Decimal("0.75"), Decimal("1"), Decimal("1.5")]
SINGLE_ITEM = {
    "coca-cola": "Canette Coca-Cola 33 cl",
    "eau-minerale": "Bouteille d'eau 50 cl",
    "limonade": "Limonade 33 cl",
    "biere-italienne": "Bière italienne 33 cl",
    "tiramisu": "Tiramisu (portion)",
    "panna-cotta": "Panna cotta (pot)",
    "fondant-chocolat": "Fondant au chocolat",
}


def _quantity(base, factor, unit):
    quantity = Decimal(base) * factor
    # Pieces (an egg, a burrata) are not split: a bigger pizza takes whole ones.
    return quantity.to_integral_value(rounding="ROUND_CEILING") if unit == PIECE else quantity


@transaction.atomic
def load_stock():
    ingredients = {
        name: Ingredient.objects.get_or_create(name=name, defaults={"unit": unit})[0]
        for name, (unit, _level) in INGREDIENTS.items()
    }
    products = {p.slug: p for p in Product.objects.prefetch_related("sizes")}
    for slug, recipe in PIZZA_RECIPES.items():
        sizes = sorted(products[slug].sizes.all(), key=lambda s: s.sort_order or 0) if slug in products else []
        for size, factor in zip(sizes, SIZE_FACTORS, strict=False):  # a product may have fewer sizes
            if RecipeLine.objects.filter(size=size).exists():
                continue
            RecipeLine.objects.bulk_create(
                [
                    RecipeLine(
                        size=size,
                        ingredient=ingredients[name],
                        quantity=_quantity(base, factor, ingredients[name].unit),
                    )
                    for name, base in recipe.items()
                ]
            )
    for slug, name in SINGLE_ITEM.items():
        for size in products[slug].sizes.all() if slug in products else []:
            RecipeLine.objects.get_or_create(size=size, ingredient=ingredients[name], defaults={"quantity": 1})
    for restaurant in RestaurantPage.objects.all():
        for name, (_unit, level) in INGREDIENTS.items():
            stock, created = Stock.objects.get_or_create(restaurant=restaurant, ingredient=ingredients[name])
            if created:
                stock.quantity = Decimal(level)
                stock.save(update_fields=["quantity"])
                StockMovement.objects.create(stock=stock, delta=Decimal(level), reason=StockMovement.Reason.INITIAL)


STEPS = {
    "margherita": "Étaler la pâte en disque\nSauce tomate en spirale, bord libre de 2 cm\nMozzarella déchirée\nFour 2 min 30\nBasilic frais et filet d'huile d'olive à la sortie",
    "reine": "Étaler la pâte\nSauce tomate\nMozzarella\nJambon en lanières, champignons émincés\nFour 3 min",
    "calzone": "Étaler la pâte\nSauce tomate sur une moitié\nMozzarella, jambon, champignons, œuf cassé au centre\nReplier et souder le bord\nFour 4 min",
    "savoyarde": "Étaler la pâte\nCrème\nMozzarella, pommes de terre en rondelles, lardons, oignons\nReblochon en tranches\nFour 3 min 30",
}
STAFF = [  # username, role, first name
    ("gerant-bastille", "Gérant", "Gabriel"),
    ("pizzaiolo-bastille", "Pizzaiolo", "Luigi"),
    ("livreur-bastille", "Livreur", "Lina"),
    ("comptoir-bastille", "Comptoir", "Chloé"),
    ("pizzaiolo-nation", "Pizzaiolo", "Nadia"),
]


@transaction.atomic
def load_staff(password):
    """Demo staff of Bastille (one per role), a pizzaiolo at Nation, head office."""
    for slug, steps in STEPS.items():
        product = Product.objects.filter(slug=slug).first()
        if product:
            RecipeSteps.objects.get_or_create(product=product, defaults={"steps": steps})
    User = get_user_model()
    for username, role, first_name in STAFF + [("siege", "Siège", "Sophie")]:
        if User.objects.filter(username=username).exists():
            continue
        user = User.objects.create_user(username, f"{username}@ocpizza.fr", password, first_name=first_name)
        user.groups.add(Group.objects.get(name=role))
        if role != "Siège":
            member = StaffMember.objects.create(user=user)
            member.restaurants.set(RestaurantPage.objects.filter(slug=username.rsplit("-", 1)[1]))
