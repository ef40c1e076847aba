"""The Wagtail admin's snippet views for the catalogue (registered in wagtail_hooks.py)."""

from django.utils.translation import gettext_lazy as _
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import Allergen, Category, DietaryTag, OptionGroup, Product


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "pick"
    list_display = ["name", "category", "live"]
    list_filter = ["category", "live"]
    search_fields = ["name"]


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "list-ul"
    list_display = ["name", "sort_order"]


class AllergenViewSet(SnippetViewSet):
    model = Allergen
    icon = "warning"


class DietaryTagViewSet(SnippetViewSet):
    model = DietaryTag
    icon = "tag"


class OptionGroupViewSet(SnippetViewSet):
    """Extra toppings, removable ingredients, crusts, half-and-half (their recipe changes: head office)."""

    model = OptionGroup
    icon = "list-ul"
    list_display = ["name", "kind", "min_choices", "max_choices", "free_choices"]
    list_filter = ["kind"]


class CatalogueViewSetGroup(SnippetViewSetGroup):
    items = (ProductViewSet, OptionGroupViewSet, CategoryViewSet, AllergenViewSet, DietaryTagViewSet)
    menu_icon = "pick"
    menu_label = _("Catalogue")
    menu_name = "catalogue"
