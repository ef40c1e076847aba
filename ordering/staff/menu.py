"""The staff's entries in the Wagtail admin menu."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from .permissions import ACTIONS, is_restaurant_staff, roles_of


class StaffMenuItem(MenuItem):
    """Shown to restaurant staff (any role) and superusers."""

    def is_shown(self, request):
        return is_restaurant_staff(request.user)


def kitchen_menu_item():
    return StaffMenuItem(_("Kitchen"), reverse("ordering_staff:kitchen_index"), icon_name="list-ul", order=150)


def delivery_menu_item():
    return StaffMenuItem(_("Deliveries"), reverse("ordering_staff:delivery_index"), icon_name="site", order=151)


class ReportsMenuItem(MenuItem):
    """Shown to those who read figures: managers, head office, superusers (their roles are cached: no query)."""

    def is_shown(self, request):
        return request.user.is_superuser or bool(roles_of(request.user) & ACTIONS["dashboard"])


def reports_menu_item():
    return ReportsMenuItem(
        _("Reports"), reverse("ordering_staff:sales_report", args=["ventes"]), icon_name="table", order=152
    )


def capacity_menu_item():
    return StaffMenuItem(_("Oven capacity"), reverse("ordering_staff:capacity_index"), icon_name="time", order=153)
