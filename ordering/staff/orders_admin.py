"""The orders list and detail in the Wagtail admin (wagtail-modeladmin): staff
see the orders of their restaurants only, and change them only through the
kitchen and delivery screens (the state machine), never by editing fields.

The list takes from the query string only its declared filters (with values
that parse), the search box, ordering by a listed column and the page: a
modeladmin list would otherwise apply any lookup, through relations too, and
answer yes/no questions about any table."""

import re

from django import forms
from django.contrib.admin import FieldListFilter, RelatedFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail_modeladmin.helpers import PermissionHelper
from wagtail_modeladmin.options import ModelAdmin
from wagtail_modeladmin.views import IndexView, InspectView

from ..models import Order
from .permissions import can, restaurants_for


class OrderPermissionHelper(PermissionHelper):
    def user_can_create(self, user):
        return False

    def user_can_edit_obj(self, user, obj):
        return False

    def user_can_delete_obj(self, user, obj):
        return False

    def user_can_inspect_obj(self, user, obj):
        return can(user, "view_orders", obj.restaurant)


class OwnRestaurantsFilter(RelatedFieldListFilter):
    """The restaurant filter offers only the restaurants this person sees."""

    def field_choices(self, field, request, model_admin):
        return [(restaurant.pk, str(restaurant)) for restaurant in restaurants_for(request.user).order_by("title")]


class ListQuery(forms.Form):
    """The query string a list accepts: search, ordering by a listed column, the page,
    and one value per declared filter parameter, each of the field's type."""

    q = forms.CharField(required=False, max_length=100, strip=False)  # CharField refuses NUL
    o = forms.RegexField(r"^-?\d{1,2}(\.-?\d{1,2})*$", required=False, max_length=60)
    p = forms.IntegerField(required=False, min_value=0, max_value=100_000)

    def __init__(self, data, *, model, filter_parameters, columns, restrict_relation=None):
        super().__init__(data)
        self.columns = columns
        for name in filter_parameters:
            self.fields[name] = self.value_field(model, name, restrict_relation or {})

    @staticmethod
    def value_field(model, name, restrict_relation):
        path, _lookup = name.rsplit("__", 1)
        field = get_fields_from_path(model, path)[0]
        if field.is_relation:
            return forms.ModelChoiceField(queryset=restrict_relation[field.name], required=False)
        return field.formfield(required=False)

    def clean(self):
        for name in self.data:
            if name not in self.fields:
                raise forms.ValidationError(gettext("“%(name)s” is not a filter of this list.") % {"name": name[:100]})
            if len(self.data.getlist(name)) > 1:
                raise forms.ValidationError(gettext("“%(name)s” is given more than once.") % {"name": name})
        return super().clean()

    def clean_o(self):
        columns = self.cleaned_data["o"]
        if columns and any(int(column.lstrip("-")) >= self.columns for column in columns.split(".")):
            raise forms.ValidationError(gettext("There is no such column."))
        return columns


class OrderIndexView(IndexView):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and self.permission_helper.user_can_list(request.user):
            query = ListQuery(
                request.GET,
                model=Order,
                filter_parameters=self.declared_filter_parameters(request),
                columns=len(self.model_admin.get_list_display(request)),
                restrict_relation={"restaurant": restaurants_for(request.user)},
            )
            if not query.is_valid():
                return render(request, "ordering/staff/bad_query.html", {"form": query}, status=400)
        return super().dispatch(request, *args, **kwargs)

    def declared_filter_parameters(self, request):
        """The parameters the declared filters read (an "is empty" choice only for a field that can be empty)."""
        parameters = []
        for declared in self.model_admin.get_list_filter(request):
            path, filter_class = declared if isinstance(declared, (tuple, list)) else (declared, FieldListFilter.create)
            field = get_fields_from_path(Order, path)[-1]
            spec = filter_class(field, request, {}, Order, self.model_admin, field_path=path)
            parameters += [name for name in spec.expected_parameters() if not name.endswith("__isnull") or field.null]
        return parameters

    def get_filters(self, request):
        # Second line of defence: a parameter no declared filter used never reaches the query.
        filter_specs, has_filters, remaining, use_distinct = super().get_filters(request)
        if remaining:
            raise BadRequest("undeclared list filter")
        return filter_specs, has_filters, remaining, use_distinct


class OrderInspectView(InspectView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.instance
        context["lines"] = order.lines.all()
        context["history"] = order.status_changes.select_related("by")
        context["payments"] = order.paypal_payments.all()
        return context


ORDER_ID = re.compile(r"[0-9]{1,18}")


def _order_id_only(view):
    """modeladmin routes any word as an order id and lets the database refuse it
    (a 500 for "x" or "1e309"): an id that cannot be an order's is no order."""

    def checked(model_admin, request, instance_pk):
        if not ORDER_ID.fullmatch(instance_pk):
            raise Http404
        return view(model_admin, request, instance_pk)

    return checked


class OrderAdmin(ModelAdmin):
    model = Order
    menu_label = _("Orders")
    menu_icon = "list-ol"
    menu_order = 149
    permission_helper_class = OrderPermissionHelper
    index_view_class = OrderIndexView
    inspect_view_enabled = True
    inspect_view_class = OrderInspectView
    inspect_template_name = "ordering/staff/order_inspect.html"
    list_display = (
        "number",
        "restaurant",
        "status",
        "fulfilment",
        "name",
        "phone",
        "total",
        "payment_method",
        "payment_state",
        "created_at",
    )
    list_filter = (("restaurant", OwnRestaurantsFilter), "status", "day", "payment_method", "payment_state", "channel")
    search_fields = ("number", "phone", "name")
    list_per_page = 50
    inspect_view_fields = (
        "number",
        "restaurant",
        "status",
        "channel",
        "fulfilment",
        "requested_for",
        "estimated_ready_at",
        "name",
        "phone",
        "email",
        "street_address",
        "postcode",
        "city",
        "note",
        "subtotal",
        "delivery_fee",
        "total",
        "payment_method",
        "payment_state",
        "collected_with",
        "courier",
        "created_at",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(restaurant__in=restaurants_for(request.user))
            .select_related("restaurant")
        )

    inspect_view = _order_id_only(ModelAdmin.inspect_view)
    edit_view = _order_id_only(ModelAdmin.edit_view)
    delete_view = _order_id_only(ModelAdmin.delete_view)

    @_order_id_only
    def history_view(self, request, instance_pk):
        # modeladmin's history view checks no permission on the order: the same rule as inspecting it.
        order = get_object_or_404(Order.objects.select_related("restaurant"), pk=instance_pk)
        if not self.permission_helper.user_can_inspect_obj(request.user, order):
            raise PermissionDenied
        return super().history_view(request, instance_pk)
