"""Demo content: 5 Paris restaurants, a real menu, and two accounts.

Idempotent: what exists is left as it is (an editor's change is never
overwritten), what is missing is created.
"""

from datetime import time
from decimal import Decimal
from functools import partial
from io import BytesIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from wagtail.images import get_image_model

from home.models import (
    Allergen,
    Category,
    DietaryTag,
    HomePage,
    MenuItem,
    OpeningHours,
    Product,
    ProductSize,
    RestaurantPage,
)

from . import images as demo_images

ALLERGENS = [
    "Gluten",
    "Crustacés",
    "Œufs",
    "Poissons",
    "Arachides",
    "Soja",
    "Lait",
    "Fruits à coque",
    "Céleri",
    "Moutarde",
    "Graines de sésame",
    "Sulfites",
    "Lupin",
    "Mollusques",
]
DIET_TAGS = [("vegetarien", "Végétarien"), ("vegan", "Vegan"), ("epice", "Épicé")]
CATEGORIES = [("pizzas", "Pizzas", 1), ("boissons", "Boissons", 2), ("desserts", "Desserts", 3)]
PIZZA_SIZES = [("Junior 26 cm", Decimal("0")), ("Sénior 33 cm", Decimal("3.00")), ("Méga 40 cm", Decimal("6.50"))]
# Oven units per pizza size (ordering.capacity); drinks and desserts take none.
PIZZA_OVEN_LOADS = {"Junior 26 cm": 2, "Sénior 33 cm": 3, "Méga 40 cm": 4}

# Colours of the toppings drawn on the demo pictures.
TOMATO, HAM, MUSHROOM, OLIVE, BASIL, PEPPERONI = (
    (214, 60, 40),
    (235, 150, 150),
    (200, 180, 150),
    (40, 40, 40),
    (50, 120, 50),
    (170, 40, 30),
)
ONION, PEPPER, EGG, ANCHOVY, GOAT, POTATO = (
    (240, 225, 235),
    (60, 150, 60),
    (255, 210, 60),
    (120, 90, 70),
    (250, 250, 245),
    (230, 200, 120),
)
CREAM = (250, 240, 220)

# slug, name, composition, base price (Junior), allergens, diet tags, toppings, sauce
PIZZAS = [
    (
        "margherita",
        "Margherita",
        "Sauce tomate, mozzarella fior di latte, basilic frais, huile d'olive",
        "9.50",
        ["Gluten", "Lait"],
        ["vegetarien"],
        [BASIL],
        None,
    ),
    (
        "reine",
        "Reine",
        "Sauce tomate, mozzarella, jambon blanc, champignons de Paris",
        "11.50",
        ["Gluten", "Lait"],
        [],
        [HAM, MUSHROOM],
        None,
    ),
    (
        "napolitaine",
        "Napolitaine",
        "Sauce tomate, mozzarella, anchois, câpres, olives noires, origan",
        "11.00",
        ["Gluten", "Lait", "Poissons"],
        [],
        [ANCHOVY, OLIVE],
        None,
    ),
    (
        "quatre-fromages",
        "Quatre fromages",
        "Crème, mozzarella, gorgonzola, chèvre, parmesan",
        "12.50",
        ["Gluten", "Lait"],
        ["vegetarien"],
        [GOAT, (230, 220, 150)],
        CREAM,
    ),
    (
        "calzone",
        "Calzone",
        "Chausson : sauce tomate, mozzarella, jambon, œuf, champignons",
        "12.00",
        ["Gluten", "Lait", "Œufs"],
        [],
        [HAM, EGG, MUSHROOM],
        None,
    ),
    (
        "diavola",
        "Diavola",
        "Sauce tomate, mozzarella, salami piquant, piment, oignons rouges",
        "12.50",
        ["Gluten", "Lait"],
        ["epice"],
        [PEPPERONI, ONION],
        None,
    ),
    (
        "vegetarienne",
        "Végétarienne",
        "Sauce tomate, mozzarella, poivrons, courgettes, aubergines, oignons",
        "11.50",
        ["Gluten", "Lait"],
        ["vegetarien"],
        [PEPPER, ONION, (90, 40, 90)],
        None,
    ),
    (
        "chevre-miel",
        "Chèvre miel",
        "Crème, mozzarella, chèvre, miel, noix",
        "12.90",
        ["Gluten", "Lait", "Fruits à coque"],
        ["vegetarien"],
        [GOAT, (200, 150, 60)],
        CREAM,
    ),
    (
        "orientale",
        "Orientale",
        "Sauce tomate, mozzarella, merguez, poivrons, oignons, œuf",
        "12.90",
        ["Gluten", "Lait", "Œufs", "Moutarde"],
        ["epice"],
        [PEPPERONI, PEPPER, EGG],
        None,
    ),
    (
        "savoyarde",
        "Savoyarde",
        "Crème, mozzarella, pommes de terre, lardons, reblochon, oignons",
        "13.50",
        ["Gluten", "Lait"],
        [],
        [POTATO, HAM, ONION],
        CREAM,
    ),
    (
        "fruits-de-mer",
        "Fruits de mer",
        "Sauce tomate, mozzarella, crevettes, moules, calamars, ail, persil",
        "14.50",
        ["Gluten", "Lait", "Crustacés", "Mollusques"],
        [],
        [(240, 150, 120), (60, 50, 60), ONION],
        None,
    ),
    (
        "marinara-vegan",
        "Marinara vegan",
        "Sauce tomate, ail, origan, tomates cerises, roquette, huile d'olive",
        "9.00",
        ["Gluten"],
        ["vegetarien", "vegan"],
        [TOMATO, BASIL],
        None,
    ),
    (
        "pesto-burrata",
        "Pesto burrata",
        "Pesto de basilic, burrata, tomates cerises, pignons de pin",
        "14.00",
        ["Gluten", "Lait", "Fruits à coque"],
        ["vegetarien"],
        [GOAT, TOMATO, BASIL],
        (70, 130, 60),
    ),
]
# slug, name, composition, size label, price, allergens, colour
DRINKS = [
    ("coca-cola", "Coca-Cola", "", "33 cl", "2.50", [], (150, 20, 20)),
    ("eau-minerale", "Eau minérale", "", "50 cl", "1.80", [], (120, 170, 220)),
    ("limonade", "Limonade artisanale", "Citron de Sicile", "33 cl", "3.20", [], (230, 220, 120)),
    ("biere-italienne", "Bière italienne", "Blonde, 5 % vol.", "33 cl", "3.90", ["Gluten"], (210, 160, 40)),
]
DESSERTS = [
    ("tiramisu", "Tiramisu", "Mascarpone, café, biscuits", "5.50", ["Gluten", "Lait", "Œufs"], (200, 170, 130)),
    ("panna-cotta", "Panna cotta", "Coulis de fruits rouges", "4.90", ["Lait"], (250, 245, 235)),
    ("fondant-chocolat", "Fondant au chocolat", "Cœur coulant", "5.20", ["Gluten", "Lait", "Œufs"], (90, 50, 30)),
]

LUNCH, DINNER = (time(11, 30), time(14, 30)), (time(18, 30), time(22, 30))
LATE_DINNER = (time(18, 30), time(1, 0))  # closes after midnight
WEEK = range(7)

RESTAURANTS = [
    {
        "slug": "bastille",
        "title": "OC Pizza Bastille",
        "street_address": "12 rue de la Roquette",
        "postcode": "75011",
        "city": "Paris",
        "phone": "01 43 55 12 34",
        "delivery_postcodes": "75011 75012 75004",
        "seed": 1,
        "intro": "Notre première pizzeria, four à bois et terrasse.",
        "hours": [(d, *LUNCH) for d in WEEK]
        + [(d, *DINNER) for d in range(0, 4)]
        + [(d, *LATE_DINNER) for d in (4, 5)]
        + [(6, *DINNER)],
    },
    {
        "slug": "republique",
        "title": "OC Pizza République",
        "street_address": "45 rue du Faubourg du Temple",
        "postcode": "75010",
        "city": "Paris",
        "phone": "01 42 08 45 67",
        "delivery_postcodes": "75010 75003 75009",
        "seed": 2,
        "intro": "Au cœur du 10e, ouvert tard le week-end.",
        "hours": [(d, *LUNCH) for d in range(1, 7)]
        + [(d, *DINNER) for d in range(1, 5)]
        + [(d, *LATE_DINNER) for d in (5, 6)],
    },
    {
        "slug": "montparnasse",
        "title": "OC Pizza Montparnasse",
        "street_address": "8 rue de la Gaîté",
        "postcode": "75014",
        "city": "Paris",
        "phone": "01 45 38 22 10",
        "delivery_postcodes": "75014 75015 75006",
        "seed": 3,
        "intro": "À deux pas des théâtres de la rue de la Gaîté.",
        "hours": [(d, *LUNCH) for d in WEEK] + [(d, *DINNER) for d in WEEK],
        "minimum_order": Decimal("20.00"),
        "delivery_fee": Decimal("3.00"),
    },
    {
        "slug": "batignolles",
        "title": "OC Pizza Batignolles",
        "street_address": "21 rue des Dames",
        "postcode": "75017",
        "city": "Paris",
        "phone": "01 46 27 90 11",
        "delivery_postcodes": "75017 75008 75018",
        "seed": 4,
        "intro": "Des pizzas de quartier, pâte maturée 48 h.",
        "hours": [(d, *DINNER) for d in WEEK] + [(d, *LUNCH) for d in (5, 6)],
    },
    {
        "slug": "nation",
        "title": "OC Pizza Nation",
        "street_address": "3 boulevard de Charonne",
        "postcode": "75020",
        "city": "Paris",
        "phone": "01 43 70 33 44",
        "delivery_postcodes": "75020 75012",
        "seed": 5,
        "intro": "La petite dernière, avec son comptoir à emporter.",
        "hours": [(d, *LUNCH) for d in range(0, 6)] + [(d, *DINNER) for d in range(0, 6)],
        "price_overrides": {"margherita": Decimal("8.90")},
    },
]

ADMIN = ("admin", "admin@ocpizza.fr")
MARKETING = ("marketing", "marketing@ocpizza.fr")


def demo_image(title, make_bytes):
    """The demo image of that title, drawn on first use."""
    Image = get_image_model()
    image = Image.objects.filter(title=title).first()
    if image is None:
        data = make_bytes()
        image = Image(title=title)
        image.file = ImageFile(BytesIO(data), name=f"{title.replace(' ', '-').lower()}.jpg")
        image.save()
    return image


def ensure_product(slug, name, category, composition, sizes, allergens, diet_tags, photo, description=""):
    product = Product.objects.filter(slug=slug).first()
    if product is not None:
        return product
    product = Product(
        slug=slug,
        name=name,
        category=category,
        composition=composition,
        description=description,
        photo=photo,
        sizes=[
            ProductSize(label=label, price=price, sort_order=i, oven_load=PIZZA_OVEN_LOADS.get(label, 0))
            for i, (label, price) in enumerate(sizes)
        ],
    )
    product.save()
    product.allergens.set(allergens)
    product.diet_tags.set(diet_tags)
    product.save()
    product.save_revision(log_action=True).publish()
    return product


def load_catalogue():
    allergens = {name: Allergen.objects.get_or_create(name=name)[0] for name in ALLERGENS}
    tags = {slug: DietaryTag.objects.get_or_create(slug=slug, defaults={"name": name})[0] for slug, name in DIET_TAGS}
    categories = {
        slug: Category.objects.get_or_create(slug=slug, defaults={"name": name, "sort_order": order})[0]
        for slug, name, order in CATEGORIES
    }
    products = []
    for slug, name, composition, base, allergen_names, tag_slugs, toppings, sauce in PIZZAS:
        photo = demo_image(f"Pizza {name}", partial(demo_images.pizza, slug, toppings, sauce or demo_images.SAUCE))
        sizes = [(label, Decimal(base) + extra) for label, extra in PIZZA_SIZES]
        products.append(
            ensure_product(
                slug,
                name,
                categories["pizzas"],
                composition,
                sizes,
                [allergens[a] for a in allergen_names],
                [tags[t] for t in tag_slugs],
                photo,
            )
        )
    for slug, name, composition, label, price, allergen_names, colour in DRINKS:
        photo = demo_image(f"Boisson {name}", partial(demo_images.drink, colour))
        products.append(
            ensure_product(
                slug,
                name,
                categories["boissons"],
                composition,
                [(label, Decimal(price))],
                [allergens[a] for a in allergen_names],
                [tags["vegetarien"], tags["vegan"]],
                photo,
            )
        )
    for slug, name, composition, price, allergen_names, colour in DESSERTS:
        photo = demo_image(f"Dessert {name}", partial(demo_images.dessert, colour))
        products.append(
            ensure_product(
                slug,
                name,
                categories["desserts"],
                composition,
                [("", Decimal(price))],
                [allergens[a] for a in allergen_names],
                [tags["vegetarien"]],
                photo,
            )
        )
    return products


def load_pages(products):
    home = HomePage.objects.get()
    if not home.intro:
        home.hero_title = "Des pizzas généreuses, livrées chaudes"
        home.intro = (
            "<p>Pâte maturée 48 heures, tomates italiennes et mozzarella fior di latte : "
            "commandez en ligne dans l'une de nos <b>5 pizzerias parisiennes</b>, en livraison ou à emporter.</p>"
        )
        home.hero_image = demo_image("Accueil", lambda: demo_images.pizza("home", [BASIL, TOMATO, HAM], size=900))
        home.save_revision(log_action=True).publish()

    for data in RESTAURANTS:
        if RestaurantPage.objects.filter(slug=data["slug"]).exists():
            continue
        overrides = data.get("price_overrides", {})
        restaurant = RestaurantPage(
            title=data["title"],
            slug=data["slug"],
            street_address=data["street_address"],
            postcode=data["postcode"],
            city=data["city"],
            phone=data["phone"],
            intro=data["intro"],
            delivery_postcodes=data["delivery_postcodes"],
            delivery_fee=data.get("delivery_fee", Decimal("2.50")),
            minimum_order=data.get("minimum_order", Decimal("15.00")),
            photo=demo_image(f"Restaurant {data['title']}", partial(demo_images.storefront, data["seed"])),
            opening_hours=[OpeningHours(weekday=d, opens=o, closes=c) for d, o, c in data["hours"]],
            menu_items=[
                MenuItem(product=p, price_override=overrides.get(p.slug), sort_order=i) for i, p in enumerate(products)
            ],
        )
        home.add_child(instance=restaurant)
        restaurant.save_revision(log_action=True).publish()


def load_accounts(admin_password, marketing_password):
    User = get_user_model()
    created = []
    username, email = ADMIN
    if not User.objects.filter(username=username).exists():
        User.objects.create_superuser(username, email, admin_password, first_name="Admin", last_name="OC Pizza")
        created.append(username)
    username, email = MARKETING
    if not User.objects.filter(username=username).exists():
        user = User.objects.create_user(username, email, marketing_password, first_name="Marie", last_name="Marketing")
        user.groups.add(Group.objects.get(name="Marketing"))
        created.append(username)
    return created
