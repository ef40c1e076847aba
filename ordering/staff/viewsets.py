"""The snippets staff and administrators edit in the Wagtail admin: the group's
recipes (head office) and who works where (administrators)."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from ..models import Ingredient, OptionRecipeLine, RecipeLine, RecipeSteps, StaffMember


class RefusedWith403:
    """A refused change answers 403 with the reason (Wagtail would redirect to the dashboard)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return HttpResponseForbidden(
                gettext("Only head office may change the group's recipes."), content_type="text/plain; charset=utf-8"
            )


class RecipeCreateView(RefusedWith403, snippet_views.CreateView):
    pass


class RecipeCopyView(RefusedWith403, snippet_views.CopyView):
    pass


class RecipeEditView(RefusedWith403, snippet_views.EditView):
    pass


class RecipeDeleteView(RefusedWith403, snippet_views.DeleteView):
    pass


class GroupRecipeViewSet(SnippetViewSet):
    """The group's recipes, shared by every restaurant: head office changes them
    (group permissions, migration 0010), managers read them."""

    add_view_class = RecipeCreateView
    copy_view_class = RecipeCopyView
    edit_view_class = RecipeEditView
    delete_view_class = RecipeDeleteView


class IngredientViewSet(GroupRecipeViewSet):
    model = Ingredient
    icon = "pick"
    list_display = ["name", "unit", "cost_per_unit"]
    search_fields = ["name"]


class RecipeLineViewSet(GroupRecipeViewSet):
    model = RecipeLine
    icon = "list-ul"
    list_display = ["size", "ingredient", "quantity"]
    list_filter = ["ingredient"]
    panels = [FieldPanel("size"), FieldPanel("ingredient"), FieldPanel("quantity")]


class OptionRecipeLineViewSet(GroupRecipeViewSet):
    """What each option of the catalogue adds to or takes out of the pizza (and so the stock)."""

    model = OptionRecipeLine
    icon = "plus"
    list_display = ["option", "size_label", "action", "ingredient", "quantity"]
    list_filter = ["action", "ingredient"]
    panels = [
        FieldPanel("option"),
        FieldPanel("size_label"),
        FieldPanel("action"),
        FieldPanel("ingredient"),
        FieldPanel("quantity"),
    ]


class RecipeStepsViewSet(GroupRecipeViewSet):
    model = RecipeSteps
    icon = "doc-full"
    list_display = ["product"]
    panels = [FieldPanel("product"), FieldPanel("steps")]


class RecipesGroup(SnippetViewSetGroup):
    items = (RecipeLineViewSet, OptionRecipeLineViewSet, RecipeStepsViewSet, IngredientViewSet)
    menu_icon = "list-ul"
    menu_label = _("Recipes")
    menu_name = "recipes"


class StaffMemberViewSet(SnippetViewSet):
    """Which restaurants each staff member works for (administrators only)."""

    model = StaffMember
    icon = "group"
    menu_label = _("Staff members")
    add_to_admin_menu = False
    list_display = ["user"]
    panels = [FieldPanel("user"), FieldPanel("restaurants", widget=forms.CheckboxSelectMultiple)]
