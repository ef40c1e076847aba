"""Demo option groups (marketing's) and what they do to the recipes (head office's):
extra toppings priced per size with the first one free, removable ingredients, a
thinner or a cheese-filled crust, and half-and-half at the higher price. Idempotent."""

from decimal import Decimal

from django.db import transaction

from home.models import Option, OptionGroup, OptionSizePrice, Product
from ordering.models import Ingredient, OptionRecipeLine

JUNIOR, SENIOR, MEGA = "Junior 26 cm", "Sénior 33 cm", "Méga 40 cm"
HALVES = [
    "margherita",
    "reine",
    "napolitaine",
    "quatre-fromages",
    "diavola",
    "vegetarienne",
    "chevre-miel",
    "orientale",
]
TOMATO_PIZZAS = ["margherita", "reine", "napolitaine", "diavola", "vegetarienne", "orientale"]
# group name: (kind, products, min, max, free, prices per size, [(option, price, [(size, action, ingredient, qty)])])
GROUPS = [
    (
        "Pâte",
        OptionGroup.Kind.BASE,
        HALVES,
        (0, 1, 0),
        [],
        [
            (
                "Pâte fine",
                Decimal("0.00"),
                [
                    ("", "remove", "Pâte à pizza", None),
                    (JUNIOR, "add", "Pâte à pizza", 140),
                    (SENIOR, "add", "Pâte à pizza", 190),
                    (MEGA, "add", "Pâte à pizza", 280),
                ],
            ),
            (
                "Bords fourrés au fromage",
                Decimal("2.00"),
                [(JUNIOR, "add", "Mozzarella", 30), (SENIOR, "add", "Mozzarella", 40), (MEGA, "add", "Mozzarella", 60)],
            ),
        ],
    ),
    (
        "Suppléments",
        OptionGroup.Kind.EXTRA,
        HALVES,
        (0, 4, 1),
        [(JUNIOR, "1.00"), (SENIOR, "1.50"), (MEGA, "2.00")],
        [
            (name, None, [(JUNIOR, "add", name, q * 3 // 4), (SENIOR, "add", name, q), (MEGA, "add", name, q * 3 // 2)])
            for name, q in [
                ("Champignons", 40),
                ("Olives noires", 20),
                ("Chèvre", 40),
                ("Lardons", 40),
                ("Roquette", 20),
            ]
        ]
        + [("Œuf", None, [("", "add", "Œufs", 1)])],
    ),
    (
        "Sans…",
        OptionGroup.Kind.REMOVE,
        TOMATO_PIZZAS,
        (0, None, 0),
        [],
        [
            ("oignons rouges", None, [("", "remove", "Oignons rouges", None)]),
            ("champignons", None, [("", "remove", "Champignons", None)]),
            ("olives", None, [("", "remove", "Olives noires", None)]),
            ("anchois", None, [("", "remove", "Anchois", None)]),
            ("basilic", None, [("", "remove", "Basilic frais", None)]),
        ],
    ),
    ("Moitié-moitié", OptionGroup.Kind.HALF, HALVES, (0, None, 0), [], []),
]


@transaction.atomic
def load_options():
    if OptionGroup.objects.exists():
        return
    products = {p.slug: p for p in Product.objects.all()}
    ingredients = {i.name: i for i in Ingredient.objects.all()}
    for order, (name, kind, slugs, (least, most, free), size_prices, options) in enumerate(GROUPS):
        group = OptionGroup.objects.create(
            name=name, kind=kind, min_choices=least, max_choices=most, free_choices=free, sort_order=order
        )
        group.products.set([products[slug] for slug in slugs if slug in products])
        group.save()  # a ParentalManyToManyField is written when its owner is saved
        for i, (label, price) in enumerate(size_prices):
            OptionSizePrice.objects.create(group=group, size_label=label, price=Decimal(price), sort_order=i)
        for i, (option_name, price, lines) in enumerate(options):
            option = Option.objects.create(group=group, name=option_name, price=price, sort_order=i)
            for size_label, action, ingredient, quantity in lines:
                OptionRecipeLine.objects.create(
                    option=option,
                    size_label=size_label,
                    action=action,
                    ingredient=ingredients[ingredient],
                    quantity=None if quantity is None else Decimal(quantity),
                )
