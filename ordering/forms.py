import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from core.money import to_money
from home.validators import phone_validator, postcode_validator

from .models import Order
from .pricing import MAX_QUANTITY_PER_LINE, parse_id
from .services import OrderDetails
from .slots import asap_time, available_slots, lead_time
from .workflow import Fulfilment

ASAP = "asap"
SIZE_FIELD = re.compile(r"size_[0-9]{1,10}")
# The database's limit for e-mail addresses (Django's EmailField, RFC 5321); forms default to 320.
EMAIL_MAX_LENGTH = 254


def slot_label(moment):
    local = timezone.localtime(moment)
    today = timezone.localdate()
    if local.date() == today:
        day = _("today")
    elif (local.date() - today).days == 1:
        day = _("tomorrow")
    else:
        day = date_format(local, "l j F")
    return f"{day} {date_format(local, 'H:i')}"


class IssuedCheckoutKeys:
    """The checkout keys this browser session's order forms were given. A key
    makes a resubmitted form show the order it already made; only the session
    it was issued to may use it, so a key cannot fetch someone else's order."""

    SESSION_KEY = "checkout_keys"
    KEPT = 20  # the last forms opened in this session (tabs, reloads)

    def __init__(self, session):
        self.session = session

    def issue(self):
        return self.remember(uuid.uuid4().hex)

    def remember(self, key):
        self.session[self.SESSION_KEY] = [*self.session.get(self.SESSION_KEY, [])[-(self.KEPT - 1):], key]
        return key

    def __contains__(self, key):
        return isinstance(key, str) and key in self.session.get(self.SESSION_KEY, [])


class CheckoutForm(forms.Form):
    fulfilment = forms.ChoiceField(label=_("How"), choices=Fulfilment.choices, widget=forms.RadioSelect, initial=Fulfilment.DELIVERY)
    street_address = forms.CharField(label=_("Address"), max_length=200, required=False,
                                     widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    postcode = forms.CharField(label=_("Postcode"), max_length=5, required=False, validators=[postcode_validator],
                               widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}))
    city = forms.CharField(label=_("City"), max_length=80, required=False, widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    when = forms.ChoiceField(label=_("When"), error_messages={"invalid_choice": _("This time slot is no longer available; please choose another one.")})
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(label=_("Phone"), max_length=20, validators=[phone_validator],
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(label=_("Email"), max_length=EMAIL_MAX_LENGTH, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    note = forms.CharField(label=_("Note for the restaurant (optional)"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)
    checkout_key = forms.CharField(widget=forms.HiddenInput, validators=[RegexValidator(r"^[0-9a-f]{32}$")])

    def __init__(self, *args, restaurant, payment_methods, issued_keys, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.restaurant = restaurant
        self.issued_keys = issued_keys
        self.now = now or timezone.now()
        self.asap = asap_time(restaurant, Fulfilment.PICKUP, self.now)
        self.slots = available_slots(restaurant, Fulfilment.PICKUP, self.now)
        choices = [(ASAP, _("As soon as possible"))] if self.asap else []
        choices += [(slot.isoformat(), slot_label(slot)) for slot in self.slots]
        self.fields["when"].choices = choices
        self.fields["when"].initial = ASAP if self.asap else (choices[0][0] if choices else None)
        self.fields["payment_method"].choices = [(m, Order.PaymentMethod(m).label) for m in payment_methods]
        self.fields["payment_method"].initial = payment_methods[0]
        if not self.is_bound:
            self.fields["checkout_key"].initial = issued_keys.issue()

    def clean_checkout_key(self):
        key = self.cleaned_data["checkout_key"]
        if key not in self.issued_keys:
            raise forms.ValidationError(_("This key was not issued to this session."), code="not_issued")
        return key

    def order_details(self, **extra):
        """The validated order details (lines aside) for ordering.services.place_order."""
        data = self.cleaned_data
        fields = ("fulfilment", "name", "phone", "email", "payment_method", "street_address", "postcode", "city",
                  "note", "requested_for", "estimated_ready_at")
        return OrderDetails(**{name: data[name] for name in fields}, **extra)

    def clean(self):
        data = super().clean()
        if "checkout_key" in self.errors:
            # Nothing is written; the form shown again carries a key of this session.
            self.add_error(None, _("This order form was not opened in this browser, or it has expired. "
                                   "Check your order, then submit it again."))
            self.data = self.data.copy()
            self.data["checkout_key"] = self.issued_keys.issue()
        fulfilment = data.get("fulfilment")
        if fulfilment == Fulfilment.DELIVERY:
            for name in ("street_address", "postcode", "city"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("Needed for a delivery."))
            postcode = data.get("postcode")
            if postcode and not self.restaurant.delivers_to(postcode):
                self.add_error("postcode", _("%(restaurant)s does not deliver to %(postcode)s. Choose take-away, or another restaurant.")
                               % {"restaurant": self.restaurant.title, "postcode": postcode})
        when = data.get("when")
        if fulfilment and when:
            if when == ASAP:
                ready = asap_time(self.restaurant, fulfilment, self.now)
                if ready is None:
                    self.add_error("when", _("The restaurant cannot prepare it before closing; please choose a time slot."))
                data["requested_for"], data["estimated_ready_at"] = None, ready
            else:
                moment = datetime.fromisoformat(when)
                if moment < self.now + lead_time(self.restaurant, fulfilment):
                    self.add_error("when", _("This time is too early for a delivery; please choose a later one."))
                data["requested_for"] = data["estimated_ready_at"] = moment
        return data


class QuantityFieldsMixin:
    """One quantity field per size of the restaurant's menu (size_<id>)."""

    def add_quantity_fields(self, menu_sizes, initial_quantities):
        self.menu_sizes = menu_sizes
        for size, _price in menu_sizes:
            self.fields[f"size_{size.pk}"] = forms.IntegerField(
                label=f"{size.product.name} {size.label}".strip(), min_value=0, max_value=MAX_QUANTITY_PER_LINE, required=False,
                initial=initial_quantities.get(size.pk, 0),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "qty"}),
            )

    def quantities(self):
        return {size.pk: self.cleaned_data.get(f"size_{size.pk}") or 0 for size, _price in self.menu_sizes}

    def quantity_rows(self, counts):
        return [(self[f"size_{size.pk}"], size, price, counts.get(size.pk)) for size, price in self.menu_sizes]


@dataclass
class DraftLine:
    """A line of the order being changed, as the page shows it."""

    field: forms.BoundField
    size: object
    unit_price: Decimal
    quantity: int  # 0 while its field holds something that is not a quantity
    limit: int  # the most of this size the kitchen could make for this order

    @property
    def product(self):
        return self.size.product

    @property
    def line_total(self):
        return to_money(self.unit_price * self.quantity)

    @property
    def at_limit(self):
        return self.quantity >= self.limit

    @property
    def limit_note(self):
        return limit_note(self.limit)


def limit_note(limit):
    if limit >= MAX_QUANTITY_PER_LINE:
        return _("At most %(max)s of each item.") % {"max": MAX_QUANTITY_PER_LINE}
    if limit <= 0:
        return _("Sold out for now.")
    return _("No more than %(count)s: that is all the kitchen can still make.") % {"count": limit}


@dataclass
class Draft:
    """The changed order before it is saved: lines at today's prices and its totals."""

    lines: list
    fee: Decimal
    minimum: Decimal  # for a delivery; zero for take-away
    current_total: Decimal
    paid_online: Decimal | None  # what PayPal holds, if the order is paid online
    dropped: list  # lines of the order that are no longer on the menu

    @property
    def subtotal(self):
        return to_money(sum((line.line_total for line in self.lines), Decimal("0")))

    @property
    def total(self):
        return to_money(self.subtotal + self.fee) if self.lines else Decimal("0.00")

    @property
    def missing(self):
        """What the food must still reach for a delivery (the minimum order)."""
        return max(Decimal("0.00"), self.minimum - self.subtotal) if self.lines else Decimal("0.00")

    @property
    def refund(self):
        return self.paid_online - self.total if self.paid_online is not None and self.lines and self.total < self.paid_online else None

    @property
    def over_paid(self):
        return self.total - self.paid_online if self.paid_online is not None and self.total > self.paid_online else None


class ChangeOrderForm(QuantityFieldsMixin, forms.Form):
    """The order's quantities, one field per size of the menu (a size left out is none of it).

    The buttons that change one line post the whole form with one of ACTIONS (its
    value a size id): the page comes back with the draft changed, nothing saved."""

    ACTIONS = ("less", "more", "remove", "add")

    def __init__(self, *args, menu_sizes, initial_quantities, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_quantity_fields(menu_sizes, initial_quantities)
        self.initial_quantities = initial_quantities
        self.sizes = {size.pk: (size, price) for size, price in menu_sizes}

    def draft_action(self):
        """(action, size id) of the line button pressed, None for "save"; ValueError for what no page of ours sends."""
        if not self.is_bound:
            return None
        pressed = [name for name in self.ACTIONS if name in self.data]
        if not pressed:
            return None
        values = self.data.getlist(pressed[0]) if hasattr(self.data, "getlist") else [self.data[pressed[0]]]
        size_id = parse_id(values[0]) if len(pressed) == 1 and len(values) == 1 else None
        if size_id is None:
            raise ValueError(_("This change of a line is not valid."))
        return pressed[0], size_id

    def _draft_quantities(self):
        """{size id: quantity} of the draft, in the order its lines are shown."""
        if not self.is_bound:
            return {size_id: quantity for size_id, quantity in self.initial_quantities.items() if size_id in self.sizes and quantity}
        cleaned = getattr(self, "cleaned_data", {})
        quantities = {}
        for name in self.data:
            size_id = int(name[5:]) if SIZE_FIELD.fullmatch(name) else None
            if size_id in self.sizes and name not in quantities:
                quantities[size_id] = cleaned.get(name) or 0
        return quantities

    def apply(self, action, limits):
        """Changes one line of the (valid) draft; returns what to tell the customer."""
        name, size_id = action
        quantities = self._draft_quantities()
        if name == "add" and size_id not in self.sizes:
            raise ValueError(_("This product is not on this restaurant's menu."))
        if name != "add" and not quantities.get(size_id):
            raise ValueError(_("This line is not in your order."))
        size, _price = self.sizes[size_id]
        label = f"{size.product.name} {size.label}".strip()
        now, limit = quantities.get(size_id, 0), limits.get(size_id, MAX_QUANTITY_PER_LINE)
        wanted = {"less": now - 1, "more": now + 1, "remove": 0, "add": now + 1}[name]
        if wanted > now and wanted > limit:
            if limit <= 0:
                return _("Sold out for now: %(name)s.") % {"name": label}
            return _("%(name)s: %(reason)s") % {"name": label, "reason": limit_note(limit)}
        data = self.data.copy()
        data[f"size_{size_id}"] = str(wanted)
        self.data = data
        self.full_clean()
        if wanted == 0:
            return _("Removed from the order: %(name)s.") % {"name": label}
        if name == "add" and now == 0:
            return _("Added to the order: %(name)s.") % {"name": label}
        return _("%(name)s: %(quantity)s.") % {"name": label, "quantity": wanted}

    def draft(self, order, order_lines, limits):
        lines = []
        errors = self.errors if self.is_bound else {}
        for size_id, quantity in self._draft_quantities().items():
            field_name = f"size_{size_id}"
            if quantity or field_name in errors:
                size, price = self.sizes[size_id]
                lines.append(DraftLine(self[field_name], size, price, quantity, limits.get(size_id, MAX_QUANTITY_PER_LINE)))
        paid_online = order.payment_state == Order.PaymentState.PAID and order.payment_method == Order.PaymentMethod.PAYPAL
        return Draft(
            lines=lines, fee=order.restaurant.delivery_fee if order.is_delivery else Decimal("0.00"),
            minimum=order.restaurant.minimum_order if order.is_delivery else Decimal("0.00"),
            current_total=order.total, paid_online=order.total if paid_online else None,
            dropped=[line for line in order_lines if line.size_id not in self.sizes],
        )

    def picker(self, menu_items, limits, opened=None):
        """The menu by category, for adding a product: [{category, products: [{product, sizes: [(size,
        price, limit)], from_price, open}], open}], in menu order; `opened`: the size just added (its
        product and category stay open when the page comes back without JavaScript)."""
        categories = {}
        for item in menu_items:
            sizes = [(size, price, limits.get(size.pk, MAX_QUANTITY_PER_LINE)) for size, price in item.priced_sizes()]
            if sizes:
                product = item.product
                is_open = opened in {size.pk for size, _price, _limit in sizes}
                entry = categories.setdefault(product.category, {"category": product.category, "products": [], "open": False})
                entry["products"].append({"product": product, "sizes": sizes, "open": is_open,
                                          "from_price": min(price for _size, price, _limit in sizes)})
                entry["open"] = entry["open"] or is_open
        return sorted(categories.values(), key=lambda entry: (entry["category"].sort_order, entry["category"].name))


