"""The staff's forms: stock entries, and orders taken by phone or at the counter."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ..capacity import BUSY_DURATIONS, EXTRA_CHOICES, MOST_CAPACITY
from ..forms import CheckoutForm, QuantityFieldsMixin
from ..models import QUANTITY, CapacityRule, Order, StockMovement
from ..options import LineSpec
from ..pricing import MAX_QUANTITY_PER_LINE

# One entry on the stock screen is at most a million units (grams, millilitres, pieces):
# more is a typing slip, and far below what the stock columns hold.
MOST_PER_ENTRY = Decimal("1000000")
SMALLEST = Decimal(1).scaleb(-QUANTITY["decimal_places"])  # 0.001: the columns' last decimal
POSITIVE = {**QUANTITY, "min_value": SMALLEST, "max_value": MOST_PER_ENTRY}
ZERO_OR_MORE = {**QUANTITY, "min_value": Decimal("0"), "max_value": MOST_PER_ENTRY}


class StockChoiceMixin:
    def __init__(self, *args, stocks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stock"].queryset = stocks
        # The screen is one restaurant's: name the ingredient (Stock's own label
        # would read its restaurant page, once per option).
        self.fields["stock"].label_from_instance = lambda stock: str(stock.ingredient)


class RestockForm(StockChoiceMixin, forms.Form):
    stock = forms.ModelChoiceField(label=_("Ingredient"), queryset=None)
    quantity = forms.DecimalField(label=_("Quantity received"), **POSITIVE)
    note = forms.CharField(label=_("Supplier / delivery note"), max_length=200, required=False)


class AdjustmentForm(StockChoiceMixin, forms.Form):
    stock = forms.ModelChoiceField(label=_("Ingredient"), queryset=None)
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[
            (StockMovement.Reason.WASTE, _("Waste (quantity thrown away)")),
            (StockMovement.Reason.INVENTORY, _("Inventory count (quantity actually there)")),
        ],
    )
    quantity = forms.DecimalField(label=_("Quantity"), **ZERO_OR_MORE)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ThresholdForm(StockChoiceMixin, forms.Form):
    stock = forms.ModelChoiceField(label=_("Ingredient"), queryset=None)
    low_threshold = forms.DecimalField(label=_("Warn below"), **ZERO_OR_MORE)


class StaffOrderForm(QuantityFieldsMixin, CheckoutForm):
    """An order taken by phone or at the counter: the website's rules, paid on site, email optional.
    Taken even while online orders are paused."""

    online = False

    channel = forms.ChoiceField(
        label=_("Taken"), choices=[(Order.Channel.PHONE, _("By phone")), (Order.Channel.COUNTER, _("At the counter"))]
    )

    CUSTOM_SLOTS = 3  # customised pizzas per order taken at once (the website's options)

    def __init__(self, *args, menu_sizes, catalogue=None, **kwargs):
        super().__init__(*args, payment_methods=[Order.PaymentMethod.ON_SITE], **kwargs)
        self.fields["email"].required = False
        self.add_quantity_fields(menu_sizes, {})
        self.custom_slots = []
        if catalogue is not None:
            self._add_custom_fields(menu_sizes, catalogue)

    def _add_custom_fields(self, menu_sizes, catalogue):
        """Slots for customised pizzas: a size, an optional other half, options, a quantity.
        Whether the options and the half suit the pizza is checked by the pricing (as online)."""
        products = {size.product_id: size.product for size, _price in menu_sizes}
        custom = [
            (size, price)
            for size, price in menu_sizes
            if catalogue.groups_for(size.product) or catalogue.half_group(size.product)
        ]
        if not custom:
            return
        sizes = [(str(size.pk), f"{size.product.name} {size.label}".strip()) for size, _price in custom]
        halves = [
            (str(size.pk), f"{size.product.name} {size.label}".strip())
            for size, _price in custom
            if catalogue.half_group(products[size.product_id])
        ]
        groups = {}
        for product in products.values():
            for group in catalogue.groups_for(product):
                groups[group.pk] = group
        options = [
            (str(option.pk), f"{group.name} : {option.name}")
            for group in sorted(groups.values(), key=lambda g: (g.sort_order, g.name, g.pk))
            for option in group.options.all()
        ]
        for slot in range(1, self.CUSTOM_SLOTS + 1):
            prefix = f"custom_{slot}_"
            self.fields[prefix + "size"] = forms.ChoiceField(
                label=_("Pizza"), choices=[("", "—"), *sizes], required=False
            )
            self.fields[prefix + "half"] = forms.ChoiceField(
                label=_("Other half"), choices=[("", _("Whole pizza")), *halves], required=False
            )
            self.fields[prefix + "options"] = forms.MultipleChoiceField(
                label=_("Options"), choices=options, required=False, widget=forms.CheckboxSelectMultiple
            )
            self.fields[prefix + "quantity"] = forms.IntegerField(
                label=_("Quantity"), min_value=0, max_value=MAX_QUANTITY_PER_LINE, required=False
            )
            # (the size, the other half and the quantity; the options)
            self.custom_slots.append(
                ([self[prefix + name] for name in ("size", "half", "quantity")], self[prefix + "options"])
            )

    def clean(self):
        cleaned = super().clean()
        for slot in range(1, len(self.custom_slots) + 1):
            prefix = f"custom_{slot}_"
            if cleaned.get(prefix + "half") and cleaned.get(prefix + "half") == cleaned.get(prefix + "size"):
                self.add_error(prefix + "half", _("Choose another pizza for the other half."))
        return cleaned

    def custom_quantities(self):
        """{line key: quantity} of the customised pizzas filled in."""
        quantities = {}
        for slot in range(1, len(self.custom_slots) + 1):
            prefix = f"custom_{slot}_"
            size, quantity = self.cleaned_data.get(prefix + "size"), self.cleaned_data.get(prefix + "quantity")
            if not size:
                continue
            half = self.cleaned_data.get(prefix + "half") or None
            options = tuple(sorted({int(option) for option in self.cleaned_data.get(prefix + "options") or ()}))
            if half == size:
                continue  # refused by clean()
            key = LineSpec(int(size), int(half) if half else None, options).key
            quantities[key] = quantities.get(key, 0) + (1 if quantity is None else quantity)
        return quantities

    def quantities(self):
        quantities = super().quantities()
        for key, quantity in self.custom_quantities().items():
            quantities[key] = quantities.get(key, 0) + quantity
        return quantities


# --- the oven's capacity and busy mode (ordering.staff.capacity) ----------------------------


class DefaultCapacityForm(forms.Form):
    default_capacity = forms.IntegerField(label=_("Oven capacity per 15 minutes"), min_value=0, max_value=MOST_CAPACITY)


class CapacityRuleForm(forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=CapacityRule.WEEKDAYS, coerce=int)
    starts = forms.TimeField(label=_("Starts at"))
    ends = forms.TimeField(label=_("Until"))
    capacity = forms.IntegerField(label=_("Oven capacity per 15 minutes"), min_value=0, max_value=MOST_CAPACITY)

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["starts"] >= data["ends"]:
            self.add_error("ends", _("The end must be after the start (split a rule that goes past midnight)."))
        return data


class DeleteRuleForm(forms.Form):
    rule = forms.ModelChoiceField(queryset=None)

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules


class BusyForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Busy mode"),
        choices=[
            *((str(m), _("+%(minutes)s minutes on every time") % {"minutes": m}) for m in EXTRA_CHOICES),
            ("pause", _("Pause online orders (phone orders still taken)")),
            ("normal", _("Back to normal")),
        ],
    )
    minutes = forms.TypedChoiceField(
        label=_("For"),
        choices=[(m, _("%(minutes)s minutes") % {"minutes": m}) for m in BUSY_DURATIONS],
        coerce=int,
        initial=60,
    )
