import uuid
from datetime import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from home.validators import phone_validator, postcode_validator

from .models import Order
from .pricing import MAX_QUANTITY_PER_LINE
from .services import OrderDetails
from .slots import asap_time, available_slots, lead_time
from .workflow import Fulfilment

ASAP = "asap"
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


class ChangeOrderForm(QuantityFieldsMixin, forms.Form):
    def __init__(self, *args, menu_sizes, initial_quantities, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_quantity_fields(menu_sizes, initial_quantities)


class SignupForm(UserCreationForm):
    email = forms.EmailField(label=_("Email"), max_length=EMAIL_MAX_LENGTH)

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")
