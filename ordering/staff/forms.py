"""The staff's forms: stock entries, and orders taken by phone or at the counter."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from ..capacity import BUSY_DURATIONS, EXTRA_CHOICES, MOST_CAPACITY
from ..forms import CheckoutForm, QuantityFieldsMixin
from ..models import QUANTITY, CapacityRule, Order, StockMovement

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

    def __init__(self, *args, menu_sizes, **kwargs):
        super().__init__(*args, payment_methods=[Order.PaymentMethod.ON_SITE], **kwargs)
        self.fields["email"].required = False
        self.add_quantity_fields(menu_sizes, {})


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
