"""The website's content: home page, restaurant pages (with their menu) and
the product catalogue, all edited by marketing staff in the Wagtail admin.

Django loads an app's models from its ``models`` module, so the package
imports every model; importers may keep using ``from home.models import X``.
"""

from .catalogue import Allergen, Category, DietaryTag, Product, ProductSize
from .options import Option, OptionGroup, OptionSizePrice
from .pages import HomePage, StandardPage
from .restaurants import ExceptionalClosure, MenuItem, OpeningHours, RestaurantPage

__all__ = [
    "Allergen",
    "Category",
    "DietaryTag",
    "ExceptionalClosure",
    "HomePage",
    "MenuItem",
    "Option",
    "OptionGroup",
    "OptionSizePrice",
    "OpeningHours",
    "Product",
    "ProductSize",
    "RestaurantPage",
    "StandardPage",
]
