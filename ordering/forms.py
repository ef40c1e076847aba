import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from core.money import to_money
from home.validators import phone_validator, postcode_validator
from offers.exceptions import PromotionRefused
from offers.models import CODE_MAX_LENGTH
from offers.services import clean_code, preview_reprice

from .capacity import SlotFull, checkout_schedule
from .exceptions import OrderError
from .models import Order
from .pricing import MAX_QUANTITY_PER_LINE, parse_id
from .services import OrderDetails, check_minimum
from .wording import moment_phrase
from .workflow import Fulfilment

ASAP = "asap"
NEW_ADDRESS = "new"
SIZE_FIELD = re.compile(r"size_[0-9]{1,10}")
# The database's limit for e-mail addresses (Django's EmailField, RFC 5321); forms default to 320.
EMAIL_MAX_LENGTH = 254


def day_label(day):
    """A day as a heading or a chip: "Aujourd'hui", "Demain", "Samedi 14 juin"."""
    today = timezone.localdate()
    if day == today:
        return capfirst(_("today"))
    if (day - today).days == 1:
        return capfirst(_("tomorrow"))
    return capfirst(date_format(day, "l j F"))


def slot_label(moment):
    """A time slot in a list: "Aujourd'hui 19:45", "Demain 12:00" (always capitalised)."""
    local = timezone.localtime(moment)
    return f"{day_label(local.date())} {date_format(local, 'H:i')}"


def slot_value(moment):
    return timezone.localtime(moment).isoformat()


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
        self.session[self.SESSION_KEY] = [*self.session.get(self.SESSION_KEY, [])[-(self.KEPT - 1) :], key]
        return key

    def __contains__(self, key):
        return isinstance(key, str) and key in self.session.get(self.SESSION_KEY, [])


class CheckoutDraft:
    """What the customer typed in the checkout form, kept in their session so that
    nothing typed is lost: an error, a change of the cart, a trip back to the menu,
    a payment cancelled on PayPal's page all come back to the form as it was left.
    Only the form's own fields are kept, each cut to its field's length; the
    form validates them again when they are submitted."""

    SESSION_KEY = "checkout_draft"
    FIELDS = {
        "fulfilment": 10,
        "saved_address": 12,
        "street_address": 200,
        "postcode": 5,
        "city": 80,
        "when": 40,
        "name": 120,
        "phone": 20,
        "email": EMAIL_MAX_LENGTH,
        "note": 500,
        "payment_method": 10,
        "save_address": 2,
        "promo_code": CODE_MAX_LENGTH,
    }
    # Forgotten once an order is placed: the next order starts with a new note and time.
    ONE_ORDER_ONLY = ("note", "when")

    def __init__(self, session):
        self.session = session

    @classmethod
    def posted(cls, data):
        """True when data holds a checkout form (not only a cart change)."""
        return "fulfilment" in data and "name" in data

    def save(self, data):
        kept = {}
        for name, limit in self.FIELDS.items():
            value = data.get(name, "")
            if isinstance(value, str):
                kept[name] = value.replace("\x00", "")[:limit]
        self.session[self.SESSION_KEY] = kept

    def initial(self):
        kept = self.session.get(self.SESSION_KEY)
        return dict(kept) if isinstance(kept, dict) else {}

    def order_placed(self):
        kept = self.initial()
        if kept:
            self.session[self.SESSION_KEY] = {k: v for k, v in kept.items() if k not in self.ONE_ORDER_ONLY}


class CheckoutForm(forms.Form):
    fulfilment = forms.ChoiceField(
        label=_("How"), choices=Fulfilment.choices, widget=forms.RadioSelect, initial=Fulfilment.DELIVERY
    )
    street_address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=5,
        required=False,
        validators=[postcode_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "postal-code"}),
    )
    city = forms.CharField(
        label=_("City"), max_length=80, required=False, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    when = forms.ChoiceField(
        label=_("When"),
        error_messages={"invalid_choice": _("This time slot is no longer available; please choose another one.")},
    )
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Email"), max_length=EMAIL_MAX_LENGTH, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    note = forms.CharField(
        label=_("Note for the restaurant (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    promo_code = forms.CharField(
        label=_("Promotion code"),
        max_length=CODE_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )
    payment_method = forms.ChoiceField(label=_("Payment"), widget=forms.RadioSelect)
    checkout_key = forms.CharField(widget=forms.HiddenInput, validators=[RegexValidator(r"^[0-9a-f]{32}$")])

    online = True  # an order from the website: refused while the restaurant pauses online orders

    # What to do, said for each field (the address ones are required for a delivery only, in clean()).
    REQUIRED = {
        "name": _("Enter a name."),
        "phone": _("Enter a phone number."),
        "email": _("Enter an e-mail address."),
        "street_address": _("Enter the delivery address."),
        "postcode": _("Enter the postcode."),
        "city": _("Enter the city."),
    }

    def __init__(
        self,
        *args,
        restaurant,
        payment_methods,
        issued_keys,
        now=None,
        subtotal=None,
        addresses=(),
        customer=None,
        load=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.restaurant = restaurant
        self.issued_keys = issued_keys
        self.now = now or timezone.now()
        self.subtotal = subtotal  # the cart's, for the delivery minimum (None: the form holds the lines)
        # The oven units of the order (None: not known yet, as for a phone order being typed):
        # the times offered are those whose oven slot has room for it (ordering.capacity).
        self.load = 1 if load is None else load
        self._read_times()
        self.fields["payment_method"].choices = [(m, Order.PaymentMethod(m).label) for m in payment_methods]
        self.fields["payment_method"].initial = payment_methods[0]
        for name, message in self.REQUIRED.items():
            self.fields[name].error_messages["required"] = message
        self.addresses = {str(address.pk): address for address in addresses}
        if self.addresses:
            self.fields["saved_address"] = forms.ChoiceField(
                label=_("Delivery address"),
                required=False,
                widget=forms.RadioSelect,
                choices=[
                    *((pk, str(address)) for pk, address in self.addresses.items()),
                    (NEW_ADDRESS, _("Another address")),
                ],
                initial=next(iter(self.addresses)),
                error_messages={"invalid_choice": _("This address is not one of your saved addresses.")},
            )
        if customer is not None:
            self.fields["save_address"] = forms.BooleanField(
                label=_("Save this address for my next orders"), required=False
            )
        self._initial_when()
        if not self.is_bound:
            self.fields["checkout_key"].initial = issued_keys.issue()

    def _read_times(self):
        self.schedule, self.pace, self.full = checkout_schedule(self.restaurant, self.load, self.now)
        self.offers_asap = any(self.schedule[f].asap for f in Fulfilment.values)
        choices = [(ASAP, _("As soon as possible"))] if self.offers_asap else []
        choices += [(slot_value(slot), slot_label(slot)) for slot in self.schedule.every_slot]
        self.fields["when"].choices = choices

    def offer_next_free(self, error):
        """The chosen time got full meanwhile (ordering.capacity.SlotFull): the form comes back
        as typed, with the times read again, saying "next free slot: 19:45" with that time
        chosen; nothing is placed until the customer submits again."""
        self.now = timezone.now()
        self._read_times()
        self.add_error("when", str(error))
        if error.next_time is not None:
            self.data = self.data.copy()
            self.data["when"] = slot_value(error.next_time)

    def _initial_when(self):
        """As soon as possible when the chosen fulfilment can, else its first slot (and the page says so)."""
        fulfilment = self.initial.get("fulfilment")
        if fulfilment not in Fulfilment.values:
            self.initial.pop("fulfilment", None)
            fulfilment = Fulfilment.DELIVERY
        times = self.schedule[fulfilment]
        kept = self.initial.get("when")
        if kept == ASAP and times.asap or kept in {slot_value(slot) for slot in times.slots}:
            return
        self.initial.pop("when", None)
        first = times.first
        self.fields["when"].initial = ASAP if times.asap else (slot_value(first) if first else None)

    def clean_checkout_key(self):
        key = self.cleaned_data["checkout_key"]
        if key not in self.issued_keys:
            raise forms.ValidationError(_("This key was not issued to this session."), code="not_issued")
        return key

    def order_details(self, **extra):
        """The validated order details (lines aside) for ordering.services.place_order."""
        data = self.cleaned_data
        fields = (
            "fulfilment",
            "name",
            "phone",
            "email",
            "payment_method",
            "street_address",
            "postcode",
            "city",
            "note",
            "requested_for",
            "estimated_ready_at",
            "promo_code",
        )
        return OrderDetails(**{name: data[name] for name in fields}, **extra)

    def clean_promo_code(self):
        try:
            return clean_code(self.cleaned_data["promo_code"])
        except PromotionRefused as refused:
            raise forms.ValidationError(str(refused), code="invalid") from None

    def address_to_save(self):
        """The delivery address the customer asked to save (street, postcode, city), or None."""
        data = self.cleaned_data
        if data.get("fulfilment") != Fulfilment.DELIVERY:
            return None
        saved = self.addresses.get(data.get("saved_address"))
        if saved is not None:  # used again: listed first next time
            return (saved.street_address, saved.postcode, saved.city)
        if data.get("save_address"):
            return (data["street_address"], data["postcode"], data["city"])
        return None

    def clean(self):
        data = super().clean()
        if "checkout_key" in self.errors:
            # Nothing is written; the form shown again carries a key of this session.
            self.add_error(
                None,
                _(
                    "This order form was not opened in this browser, or it has expired. "
                    "Check your order, then submit it again."
                ),
            )
            self.data = self.data.copy()
            self.data["checkout_key"] = self.issued_keys.issue()
        fulfilment = data.get("fulfilment")
        if fulfilment == Fulfilment.PICKUP:  # the address fields are hidden: nothing there can stop the order
            for name in ("street_address", "postcode", "city"):
                self._errors.pop(name, None)
                data[name] = ""
        if fulfilment == Fulfilment.DELIVERY:
            self._clean_address(data)
            if self.subtotal is not None:
                try:
                    check_minimum(self.restaurant, fulfilment, self.subtotal)
                except OrderError as error:
                    self.add_error("fulfilment", str(error))
        when = data.get("when")
        if fulfilment and when:
            self._clean_when(data, fulfilment, when)
        elif fulfilment and "when" in self.errors:
            self._explain_full_slot(fulfilment, self._posted_moment())
        if self.online and self.pace.paused:
            self.add_error(None, self.pace.notice())
        return data

    def _clean_address(self, data):
        saved = self.addresses.get(data.get("saved_address"))
        if saved is not None:  # a saved address wins over what the hidden fields hold
            for name in ("street_address", "postcode", "city"):
                self._errors.pop(name, None)
                data[name] = getattr(saved, name)
        else:
            for name in ("street_address", "postcode", "city"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, self.REQUIRED[name])
        postcode = data.get("postcode")
        if postcode and not self.restaurant.delivers_to(postcode):
            self.add_error(
                "saved_address" if saved else "postcode",
                _("%(restaurant)s does not deliver to %(postcode)s. Choose take-away, or another restaurant.")
                % {"restaurant": self.restaurant.title, "postcode": postcode},
            )

    def _posted_moment(self):
        raw = self.data.get("when")
        try:
            return datetime.fromisoformat(raw) if isinstance(raw, str) and len(raw) <= 40 else None
        except ValueError:
            return None

    def _explain_full_slot(self, fulfilment, moment):
        """A time no longer offered because its oven slot got full: "next free slot: 19:45",
        with that time chosen, instead of a bare refusal. False for any other time."""
        if moment is None or moment not in self.full.get(fulfilment, ()):
            return False
        later = next((slot for slot in self.schedule[fulfilment].slots if slot > moment), None)
        self.errors.pop("when", None)
        self.add_error("when", str(SlotFull(later)))
        if later is not None:
            self.data = self.data.copy()
            self.data["when"] = slot_value(later)
        return True

    def _clean_when(self, data, fulfilment, when):
        times = self.schedule[fulfilment]
        if when == ASAP:
            if times.asap is None:
                first = times.first
                self.add_error(
                    "when",
                    _("The restaurant cannot prepare it before closing; please choose a time slot.")
                    if first is None
                    else _("Not possible right now: the first time is %(time)s.") % {"time": moment_phrase(first)},
                )
            data["requested_for"], data["estimated_ready_at"] = None, times.asap
            return
        moment = datetime.fromisoformat(when)
        if moment not in times.slots:
            first = times.first
            if fulfilment == Fulfilment.DELIVERY and first and moment < first:
                self.add_error(
                    "when",
                    _("This time is too early for a delivery: the first delivery is at %(time)s.")
                    % {"time": moment_phrase(first)},
                )
            elif not self._explain_full_slot(fulfilment, moment):
                self.add_error("when", self.fields["when"].error_messages["invalid_choice"])
        data["requested_for"] = data["estimated_ready_at"] = moment

    # --- what the page shows -------------------------------------------------

    PAGE_ORDER = (
        "fulfilment",
        "saved_address",
        "street_address",
        "postcode",
        "city",
        "when",
        "name",
        "phone",
        "email",
        "note",
        "promo_code",
        "payment_method",
    )

    HINTS = {
        "phone": _("For the courier, or the restaurant if needed."),
        "email": _("For your confirmation and the link to follow your order."),
    }

    def hint(self, name):
        return self.HINTS.get(name, "")

    def describe_fields(self):
        """Ties each text field to its hint and its error (aria-describedby), for screen readers."""
        for name in ("street_address", "postcode", "city", "name", "phone", "email", "note", "promo_code"):
            field = self[name]
            ids = [f"{field.auto_id}-hint"] if name in self.HINTS else []
            if field.errors:
                ids.append(f"{field.auto_id}-error")
            if ids:
                self.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)

    def error_links(self):
        """The errors for the summary at the top of the page, in page order: (anchor of the field, message)."""
        links = [("", str(message)) for message in self.non_field_errors()]
        for name in self.PAGE_ORDER:
            if name in self.errors:
                label = self.fields[name].label
                links.append(
                    (self.anchor(name), _("%(field)s: %(error)s") % {"field": label, "error": self.errors[name][0]})
                )
        return links

    def anchor(self, name):
        """The id of the control an error link moves to (the first choice of a set of choices)."""
        if name == "when":
            return "when-asap" if self.offers_asap else "when-later"
        if isinstance(self.fields[name].widget, forms.RadioSelect):
            return f"{self[name].auto_id}_0"
        return self[name].auto_id

    def chosen_fulfilment(self):
        value = self["fulfilment"].value()
        return value if value in Fulfilment.values else Fulfilment.DELIVERY

    def time_options(self):
        """The "when" field as the page draws it: "as soon as possible" per fulfilment,
        then the slots by day, each saying whether only take-away can keep it."""
        chosen = self["when"].value()
        delivery, pickup = self.schedule[Fulfilment.DELIVERY], self.schedule[Fulfilment.PICKUP]
        delivery_slots, pickup_slots = set(delivery.slots), set(pickup.slots)
        days = {}
        for slot in self.schedule.every_slot:
            value = slot_value(slot)
            day = days.setdefault(slot.date(), {"label": day_label(slot.date()), "slots": []})
            day["slots"].append(
                {
                    "value": value,
                    "time": date_format(slot, "H:i"),
                    "checked": value == chosen,
                    "pickup_only": slot not in delivery_slots,
                    "delivery_only": slot not in pickup_slots,  # its oven slot is full for a take-away
                }
            )
        days = list(days.values())
        for index, day in enumerate(days):
            day["index"] = index
            day["chosen"] = any(slot["checked"] for slot in day["slots"])
            day["delivers"] = not all(slot["pickup_only"] for slot in day["slots"])
        if days and not any(day["chosen"] for day in days):
            days[0]["chosen"] = True
        return {
            "asap": {"checked": chosen == ASAP, "delivery": _hhmm(delivery.asap), "pickup": _hhmm(pickup.asap)}
            if self.offers_asap
            else None,
            "days": days,
            "later_open": chosen not in (ASAP, None, "") or "when" in self.errors,
            "closed": {f: self._closed_notice(f) for f in Fulfilment.values},
            "busy": self.pace.notice(),
        }

    def _closed_notice(self, fulfilment):
        times = self.schedule[fulfilment]
        if times.asap:
            return ""
        if times.first is None:
            return _("Closed — no online order can be taken for now.")
        phrase = moment_phrase(times.first)
        if self.schedule.is_open:
            return _("Too late for now — order for %(time)s") % {"time": phrase}
        return _("Closed — order for %(time)s") % {"time": phrase}


def _hhmm(moment):
    return date_format(timezone.localtime(moment), "H:i") if moment else ""


class QuantityFieldsMixin:
    """One quantity field per size of the restaurant's menu (size_<id>)."""

    def add_quantity_fields(self, menu_sizes, initial_quantities):
        self.menu_sizes = menu_sizes
        for size, _price in menu_sizes:
            self.fields[f"size_{size.pk}"] = forms.IntegerField(
                label=f"{size.product.name} {size.label}".strip(),
                min_value=0,
                max_value=MAX_QUANTITY_PER_LINE,
                required=False,
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
    discounts: list = ()  # the order's promotions recomputed on these lines (offers.rules.Discount)
    promotion_refusal: str = ""  # a promotion code of the order these lines no longer qualify for

    @property
    def discount(self):
        return to_money(sum((d.amount for d in self.discounts), Decimal("0")))

    kept_subtotal: Decimal = Decimal("0.00")  # customised pizzas, kept as they are (ordering.options)

    @property
    def subtotal(self):
        return to_money(sum((line.line_total for line in self.lines), self.kept_subtotal))

    @property
    def has_lines(self):
        return bool(self.lines) or self.kept_subtotal > 0

    @property
    def total(self):
        return to_money(self.subtotal + self.fee - self.discount) if self.has_lines else Decimal("0.00")

    @property
    def missing(self):
        """What the food must still reach for a delivery (the minimum order)."""
        return max(Decimal("0.00"), self.minimum - self.subtotal) if self.has_lines else Decimal("0.00")

    @property
    def refund(self):
        return (
            self.paid_online - self.total
            if self.paid_online is not None and self.has_lines and self.total < self.paid_online
            else None
        )

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
            return {
                size_id: quantity
                for size_id, quantity in self.initial_quantities.items()
                if size_id in self.sizes and quantity
            }
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
                lines.append(
                    DraftLine(self[field_name], size, price, quantity, limits.get(size_id, MAX_QUANTITY_PER_LINE))
                )
        paid_online = (
            order.payment_state == Order.PaymentState.PAID and order.payment_method == Order.PaymentMethod.PAYPAL
        )
        fee = order.restaurant.delivery_fee if order.is_delivery else Decimal("0.00")
        rows = [(line.size.product.category_id, line.unit_price, line.quantity) for line in lines if line.quantity]
        discounts, refusal = preview_reprice(order, rows, fee) if order.discount else ([], "")
        return Draft(
            lines=lines,
            fee=fee,
            minimum=order.restaurant.minimum_order if order.is_delivery else Decimal("0.00"),
            current_total=order.total,
            paid_online=order.total if paid_online else None,
            dropped=[line for line in order_lines if line.size_id not in self.sizes],
            discounts=discounts,
            promotion_refusal=refusal,
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
                entry = categories.setdefault(
                    product.category, {"category": product.category, "products": [], "open": False}
                )
                entry["products"].append(
                    {
                        "product": product,
                        "sizes": sizes,
                        "open": is_open,
                        "from_price": min(price for _size, price, _limit in sizes),
                    }
                )
                entry["open"] = entry["open"] or is_open
        return sorted(categories.values(), key=lambda entry: (entry["category"].sort_order, entry["category"].name))
