from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup
from wagtail_modeladmin.options import modeladmin_register

from .admin_orders import OrderAdmin

from .models import Ingredient, RecipeLine, RecipeSteps, StaffMember
from .slots import asap_time, available_slots
from .stock import makeable_counts
from .workflow import Fulfilment


@hooks.register("restaurant_page_context")
def add_stock_and_cart(page, request, context):
    """Marks each size with how many can be made now (0: "Sold out") and
    offers the "add to cart" form on the restaurant page."""
    sizes = [size for _category, items in context["menu"] for item in items for size in item.sizes]
    counts = makeable_counts(page, [size.pk for size in sizes]) if sizes else {}
    for size in sizes:
        size.can_make = counts.get(size.pk)
    context["add_to_cart_template"] = "ordering/includes/add_to_cart.html"


@hooks.register("restaurant_page_context")
def add_next_slots(page, request, context):
    """When the kitchen cannot take an order for now (closed, or too close to closing):
    the first times it can keep, for take-away and for delivery ("Fermé — commandez pour 12:00")."""
    if asap_time(page, Fulfilment.PICKUP) is not None:
        return
    pickup, delivery = available_slots(page, Fulfilment.PICKUP), available_slots(page, Fulfilment.DELIVERY)
    context["order_for"] = {"pickup": pickup[0] if pickup else None, "delivery": delivery[0] if delivery else None}


@hooks.register("load_demo")
def load_demo_stock():
    import os

    from .demo import load_staff, load_stock

    load_stock()
    load_staff(os.environ.get("DEMO_STAFF_PASSWORD", "pizza"))


@hooks.register("register_admin_urls")
def staff_urls():
    from django.urls import include, path

    from . import staff_views

    urls = [
        path("", staff_views.kitchen_index, name="kitchen_index"),
        path("<int:restaurant_id>/", staff_views.kitchen, name="kitchen"),
        path("<int:restaurant_id>/colonnes/", staff_views.kitchen_columns, name="kitchen_columns"),
        path("commande/<int:order_id>/etape/", staff_views.move_order, name="move_order"),
        path("livraisons/", staff_views.delivery_index, name="delivery_index"),
        path("livraisons/<int:restaurant_id>/", staff_views.delivery, name="delivery"),
        path("stock/<int:restaurant_id>/", staff_views.stock, name="stock"),
        path("<int:restaurant_id>/nouvelle-commande/", staff_views.new_order, name="new_order"),
        path("recettes/<int:restaurant_id>/", staff_views.recipe_sheet, name="recipes"),
    ]
    return [path("cuisine/", include((urls, "ordering_staff")))]


class StaffMenuItem(MenuItem):
    """Shown to restaurant staff (any role) and superusers."""

    def is_shown(self, request):
        from .staff import STAFF_ROLES, roles_of

        return request.user.is_superuser or bool(roles_of(request.user) & set(STAFF_ROLES))


@hooks.register("register_admin_menu_item")
def kitchen_menu_item():
    return StaffMenuItem(_("Kitchen"), reverse("ordering_staff:kitchen_index"), icon_name="list-ul", order=150)


@hooks.register("register_admin_menu_item")
def delivery_menu_item():
    return StaffMenuItem(_("Deliveries"), reverse("ordering_staff:delivery_index"), icon_name="site", order=151)

modeladmin_register(OrderAdmin)


class RefusedWith403:
    """A refused change answers 403 with the reason (Wagtail would redirect to the dashboard)."""

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return HttpResponseForbidden(gettext("Only head office may change the group's recipes."),
                                         content_type="text/plain; charset=utf-8")


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
    (group permissions, migration 0007), managers read them."""

    add_view_class = RecipeCreateView
    copy_view_class = RecipeCopyView
    edit_view_class = RecipeEditView
    delete_view_class = RecipeDeleteView


class IngredientViewSet(GroupRecipeViewSet):
    model = Ingredient
    icon = "pick"
    list_display = ["name", "unit"]
    search_fields = ["name"]


class RecipeLineViewSet(GroupRecipeViewSet):
    model = RecipeLine
    icon = "list-ul"
    list_display = ["size", "ingredient", "quantity"]
    list_filter = ["ingredient"]
    panels = [FieldPanel("size"), FieldPanel("ingredient"), FieldPanel("quantity")]


class RecipeStepsViewSet(GroupRecipeViewSet):
    model = RecipeSteps
    icon = "doc-full"
    list_display = ["product"]
    panels = [FieldPanel("product"), FieldPanel("steps")]


class RecipesGroup(SnippetViewSetGroup):
    items = (RecipeLineViewSet, RecipeStepsViewSet, IngredientViewSet)
    menu_icon = "list-ul"
    menu_label = _("Recipes")
    menu_name = "recipes"


register_snippet(RecipesGroup)


class StaffMemberViewSet(SnippetViewSet):
    """Which restaurants each staff member works for (administrators only)."""

    model = StaffMember
    icon = "group"
    menu_label = _("Staff members")
    add_to_admin_menu = False
    list_display = ["user"]
    panels = [FieldPanel("user"), FieldPanel("restaurants", widget=forms.CheckboxSelectMultiple)]


register_snippet(StaffMemberViewSet)


class ManagerDashboardPanel(Component):
    """Today, per restaurant the manager runs: orders by status, revenue,
    average preparation and delivery times, low stock."""

    name = "ocpizza_today"
    order = 50
    template_name = "ordering/staff/dashboard_panel.html"

    def __init__(self, restaurants, user):
        self.restaurants = restaurants
        self.user = user

    def get_context_data(self, parent_context=None):
        from .dashboard import today_by_restaurant
        from .staff import can

        rows = today_by_restaurant(self.restaurants)
        for row in rows:  # head office sees low stock everywhere, but restocks nowhere: no link then
            row["may_restock"] = can(self.user, "stock", row["restaurant"])
        return {"rows": rows}


@hooks.register("construct_homepage_panels")
def add_manager_panel(request, panels):
    from .staff import can, restaurants_for

    restaurants = [r for r in restaurants_for(request.user).order_by("title") if can(request.user, "dashboard", r)]
    if restaurants:
        panels.append(ManagerDashboardPanel(restaurants, request.user))
