"""The orders list and detail in the Wagtail admin (wagtail-modeladmin): staff
see the orders of their restaurants only, and change them only through the
kitchen and delivery screens (the state machine), never by editing fields."""

from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import InspectView

from .models import Order
from .staff import can, restaurants_for


class OrderPermissionHelper(PermissionHelper):
    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False

    def user_can_inspect_obj(self, user, obj):
        return can(user, "view_orders", obj.restaurant)


class OrderInspectView(InspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.instance
        context["lines"] = order.lines.all()
        context["history"] = order.status_changes.select_related("by")
        context["payments"] = order.paypal_payments.all()
        return context


class OrderAdmin(ModelAdmin):
    model = Order
    menu_label = _("Orders")
    menu_icon = "list-ol"
    menu_order = 149
    permission_helper_class = OrderPermissionHelper
    inspect_view_enabled = True
    inspect_view_class = OrderInspectView
    inspect_template_name = "ordering/staff/order_inspect.html"
    list_display = ("number", "restaurant", "status", "fulfilment", "name", "phone", "total", "payment_method", "payment_state", "created_at")
    list_filter = ("restaurant", "status", "day", "payment_method", "payment_state", "channel")
    search_fields = ("number", "phone", "name")
    list_per_page = 50
    inspect_view_fields = ("number", "restaurant", "status", "channel", "fulfilment", "requested_for", "estimated_ready_at",
                           "name", "phone", "email", "street_address", "postcode", "city", "note", "subtotal",
                           "delivery_fee", "total", "payment_method", "payment_state", "collected_with", "courier", "created_at")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(restaurant__in=restaurants_for(request.user)).select_related("restaurant")
