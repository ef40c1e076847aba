"""The staff's entries in the Wagtail admin menu."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.menu import MenuItem

from .permissions import is_restaurant_staff


class StaffMenuItem(MenuItem):
    """Shown to restaurant staff (any role) and superusers."""

    def is_shown(self, request):
        return is_restaurant_staff(request.user)


def kitchen_menu_item():
    return StaffMenuItem(_("Kitchen"), reverse("ordering_staff:kitchen_index"), icon_name="list-ul", order=150)


def delivery_menu_item():
    return StaffMenuItem(_("Deliveries"), reverse("ordering_staff:delivery_index"), icon_name="site", order=151)


def capacity_menu_item():
    return StaffMenuItem(_("Oven capacity"), reverse("ordering_staff:capacity_index"), icon_name="time", order=152)
