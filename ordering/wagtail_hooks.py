"""Registers the ordering app with Wagtail. What is registered is defined elsewhere:
the restaurant page's additions in ordering.restaurant_page, the staff side in ordering.staff."""

from django.urls import include, path
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail_modeladmin.options import modeladmin_register

from .restaurant_page import add_busy_notice, add_next_slots, add_stock_and_cart
from .staff import dashboard, menu
from .staff.orders_admin import OrderAdmin
from .staff.viewsets import RecipesGroup, StaffMemberViewSet

hooks.register("restaurant_page_context", add_stock_and_cart)
hooks.register("restaurant_page_context", add_next_slots)
hooks.register("restaurant_page_context", add_busy_notice)


@hooks.register("register_admin_urls")
def staff_urls():
    return [path("cuisine/", include("ordering.staff.urls"))]


hooks.register("register_admin_menu_item", menu.kitchen_menu_item)
hooks.register("register_admin_menu_item", menu.delivery_menu_item)
hooks.register("register_admin_menu_item", menu.reports_menu_item)
hooks.register("register_admin_menu_item", menu.capacity_menu_item)
hooks.register("construct_homepage_panels", dashboard.add_manager_panel)

modeladmin_register(OrderAdmin)
register_snippet(RecipesGroup)
register_snippet(StaffMemberViewSet)
