"""Stock (ingredients, recipes, levels and their movement log) and orders."""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from wagtail.admin.panels import FieldPanel

from core import versions
from home.models import OpeningHours, ProductSize, RestaurantPage
from home.validators import postcode_validator

from . import board_version
from .workflow import CHANGEABLE, Fulfilment, Status

# The one definition of the app's decimal columns (and of forms that fill them):
# quantities of ingredients (grams, millilitres, pieces, to the thousandth) and
# amounts of money (euros, to the cent). stock.highest_level() reads the former.
QUANTITY = {"max_digits": 12, "decimal_places": 3}
MONEY = {"max_digits": 9, "decimal_places": 2}
VAT_RATE = {"max_digits": 5, "decimal_places": 2}  # percent: 10.00, 5.50, 20.00
# Our columns for PayPal's ids (orders, captures, refunds, webhook events); the
# webhook checks and the return view refuse longer ones.
PAYPAL_ID_LENGTH = 64


class Ingredient(models.Model):
    class Unit(models.TextChoices):
        GRAM = "g", _("grams")
        MILLILITRE = "ml", _("millilitres")
        PIECE = "piece", _("pieces")

    name = models.CharField(_("name"), max_length=80, unique=True)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    # What one gram, millilitre or piece costs the group (head office enters it): the reports'
    # food cost per pizza and cost of waste. Six decimals: 12 € a kilo is 0.012 € a gram.
    cost_per_unit = models.DecimalField(
        _("cost per unit"),
        max_digits=12,
        decimal_places=6,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("In euros, per gram, millilitre or piece (12 € a kilo: 0.012)."),
    )

    panels = [FieldPanel("name"), FieldPanel("unit"), FieldPanel("cost_per_unit")]

    class Meta:
        ordering = ["name"]
        verbose_name = _("ingredient")
        verbose_name_plural = _("ingredients")

    def __str__(self):
        return f"{self.name} ({self.get_unit_display()})"


class RecipeLine(models.Model):
    """How much of an ingredient one unit of a product size consumes."""

    size = models.ForeignKey(ProductSize, verbose_name=_("size"), on_delete=models.CASCADE, related_name="recipe_lines")
    ingredient = models.ForeignKey(Ingredient, verbose_name=_("ingredient"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), validators=[MinValueValidator(Decimal("0.001"))], **QUANTITY)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["size", "ingredient"], name="one_line_per_ingredient")]
        verbose_name = _("recipe line")
        verbose_name_plural = _("recipe lines")

    def __str__(self):
        return f"{self.size}: {self.quantity} {self.ingredient.unit} {self.ingredient.name}"


def _stock_written(restaurant_ids):
    """Every write to stock rows bumps their restaurants' stock version once committed
    (the restaurant page shows what can be made: core.page_cache)."""
    for restaurant_id in set(restaurant_ids):
        versions.bump_on_commit(board_version.stock_name(restaurant_id))


class StockQuerySet(models.QuerySet):
    """Bulk writes bump the stock version too (a row's own save and delete: Stock.save, Stock.delete)."""

    def update(self, **kwargs):
        _stock_written(self.values_list("restaurant_id", flat=True).distinct().order_by())
        return super().update(**kwargs)

    update.alters_data = True

    def delete(self):
        _stock_written(self.values_list("restaurant_id", flat=True).distinct().order_by())
        return super().delete()

    delete.alters_data = True

    def bulk_update(self, objs, fields, batch_size=None):
        objs = list(objs)
        _stock_written(stock.restaurant_id for stock in objs)
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        _stock_written(stock.restaurant_id for stock in objs)
        return super().bulk_create(objs, *args, **kwargs)


class OptionRecipeLine(models.Model):
    """What an option of the catalogue (home.Option) does to the recipe of the pizza it
    is chosen on: adds a quantity of an ingredient, or takes an ingredient out. Head
    office's, like the recipes; the stock, its reservations and the kitchen read it."""

    class Action(models.TextChoices):
        ADD = "add", _("Adds")
        REMOVE = "remove", _("Takes out all of it")

    option = models.ForeignKey(
        "home.Option", verbose_name=_("option"), on_delete=models.CASCADE, related_name="recipe_lines"
    )
    size_label = models.CharField(
        _("size"),
        max_length=40,
        blank=True,
        help_text=_("As the product sizes say it (Junior 26 cm); empty: every size."),
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices, default=Action.ADD)
    ingredient = models.ForeignKey(Ingredient, verbose_name=_("ingredient"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(
        _("quantity"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.001"))],
        help_text=_("For “adds” only."),
        **QUANTITY,
    )

    class Meta:
        ordering = ["option", "size_label", "pk"]
        verbose_name = _("option recipe line")
        verbose_name_plural = _("option recipe lines")

    def __str__(self):
        size = f" ({self.size_label})" if self.size_label else ""
        if self.action == self.Action.REMOVE:
            return f"{self.option}{size}: − {self.ingredient.name}"
        return f"{self.option}{size}: + {self.quantity} {self.ingredient.unit} {self.ingredient.name}"

    def clean(self):
        super().clean()
        if self.action == self.Action.ADD and self.quantity is None:
            raise ValidationError({"quantity": _("Say how much this option adds.")})
        if self.action == self.Action.REMOVE:
            self.quantity = None


class Stock(models.Model):
    """A restaurant's level of one ingredient. Only the movement log changes it."""

    restaurant = models.ForeignKey(
        RestaurantPage, verbose_name=_("restaurant"), on_delete=models.CASCADE, related_name="stocks"
    )
    ingredient = models.ForeignKey(
        Ingredient, verbose_name=_("ingredient"), on_delete=models.PROTECT, related_name="stocks"
    )
    quantity = models.DecimalField(_("quantity"), default=Decimal("0"), **QUANTITY)
    low_threshold = models.DecimalField(_("low-stock warning below"), default=Decimal("0"), **QUANTITY)

    objects = StockQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "ingredient"], name="one_stock_per_ingredient"),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="stock_never_negative"),
        ]
        verbose_name = _("stock")
        verbose_name_plural = _("stocks")

    def __str__(self):
        return f"{self.restaurant}: {self.quantity} {self.ingredient}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        _stock_written([self.restaurant_id])

    def delete(self, *args, **kwargs):
        _stock_written([self.restaurant_id])
        return super().delete(*args, **kwargs)

    @property
    def is_low(self):
        return self.quantity < self.low_threshold


class StockMovement(models.Model):
    class Reason(models.TextChoices):
        INITIAL = "initial", _("Initial stock")
        ORDER = "order", _("Order")
        ORDER_CHANGE = "order_change", _("Order changed")
        ORDER_CANCEL = "order_cancel", _("Order cancelled")
        RESTOCK = "restock", _("Delivery from supplier")
        WASTE = "waste", _("Waste")
        INVENTORY = "inventory", _("Inventory count")

    stock = models.ForeignKey(Stock, on_delete=models.CASCADE, related_name="movements")
    delta = models.DecimalField(_("change"), **QUANTITY)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    order = models.ForeignKey("Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="stock_movements")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            # Waste and food cost (ordering.staff.figures): movements of a kind over days.
            models.Index(fields=["reason", "created_at"], include=["stock", "delta"], name="stock_movement_reason"),
        ]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self):
        return f"{self.get_reason_display()} {self.delta:+}"


class Order(models.Model):
    class PaymentMethod(models.TextChoices):
        ON_SITE = "on_site", _("On delivery / at the counter (cash or card)")
        PAYPAL = "paypal", _("PayPal (online)")

    class PaymentState(models.TextChoices):
        PENDING = "pending", _("To be paid")
        PAID = "paid", _("Paid")
        REFUNDED = "refunded", _("Refunded")

    class Channel(models.TextChoices):
        WEB = "web", _("Website")
        PHONE = "phone", _("Phone")
        COUNTER = "counter", _("Counter")

    # Listed in the admin, but no "usage" report needed: keeps every order save
    # from also writing Wagtail's reference index.
    wagtail_reference_index_ignore = True

    restaurant = models.ForeignKey(
        RestaurantPage, verbose_name=_("restaurant"), on_delete=models.PROTECT, related_name="orders"
    )
    day = models.DateField(_("day"))
    sequence = models.PositiveIntegerField(_("number of the day"))
    number = models.CharField(_("number"), max_length=20, unique=True)
    tracking_token = models.CharField(max_length=43, unique=True, editable=False)
    # NULL, not "": orders without a key (phone, counter) stay out of the per-restaurant uniqueness.
    checkout_key = models.CharField(max_length=64, null=True, blank=True, editable=False, db_index=True)  # noqa: DJ001
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLACED, db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB)

    fulfilment = models.CharField(_("delivery or take-away"), max_length=10, choices=Fulfilment.choices)
    requested_for = models.DateTimeField(
        _("requested for"), null=True, blank=True, help_text=_("Empty: as soon as possible.")
    )
    estimated_ready_at = models.DateTimeField(_("estimated time"), null=True, blank=True)

    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("email"), blank=True)  # optional for phone and counter orders
    street_address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=500)

    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    delivery_fee = models.DecimalField(_("delivery fee"), default=Decimal("0.00"), **MONEY)
    # What the offers took off (offers.OrderDiscount lines): total = subtotal + delivery_fee - discount.
    discount = models.DecimalField(_("discount"), default=Decimal("0.00"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    payment_method = models.CharField(_("payment"), max_length=10, choices=PaymentMethod.choices)
    payment_state = models.CharField(
        _("payment state"), max_length=10, choices=PaymentState.choices, default=PaymentState.PENDING
    )
    # The delivery fee's VAT at the time of sale (books.vat); empty without a fee.
    delivery_vat_rate = models.DecimalField(_("delivery VAT rate"), null=True, blank=True, **VAT_RATE)
    delivery_net = models.DecimalField(_("delivery fee excluding VAT"), null=True, blank=True, **MONEY)
    delivery_vat = models.DecimalField(_("delivery fee VAT"), null=True, blank=True, **MONEY)

    courier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("courier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    collected_with = models.CharField(
        _("collected with"), max_length=10, blank=True, choices=[("cash", _("Cash")), ("card", _("Card"))]
    )

    # Set once, by the first kitchen tablet that claims the ticket to print it (ordering.staff.tickets):
    # a second tablet or a reload never prints it again.
    kitchen_ticket_printed_at = models.DateTimeField(
        _("kitchen ticket printed at"), null=True, blank=True, editable=False
    )
    # When its personal data (name, phone, e-mail, address, note) were blanked (ordering.privacy):
    # a guest's after the retention period, a customer's when the account is deleted. Figures stay.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)

    created_at = models.DateTimeField(_("placed at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["restaurant", "day", "sequence"], name="one_number_per_day"),
            models.UniqueConstraint(fields=["restaurant", "checkout_key"], name="one_order_per_checkout_key"),
        ]
        indexes = [
            # The reports (ordering.staff.figures): a restaurant's orders over days, read from the index alone.
            models.Index(
                fields=["restaurant", "day"],
                include=["status", "channel", "payment_method", "total", "created_at"],
                name="order_report",
            ),
            # Guests' orders whose personal data are still there, by age (ordering.privacy).
            models.Index(
                fields=["created_at"],
                condition=models.Q(customer__isnull=True, anonymised_at__isnull=True),
                name="order_guest_to_anonymise",
            ),
        ]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self):
        return self.number

    @staticmethod
    def new_tracking_token():
        return secrets.token_urlsafe(32)

    def get_tracking_url(self):
        return reverse("ordering:track", args=[self.tracking_token])

    @property
    def is_changeable(self):
        return self.status in CHANGEABLE

    @property
    def is_delivery(self):
        return self.fulfilment == Fulfilment.DELIVERY


class SavedAddress(models.Model):
    """A delivery address a customer kept at checkout, to pick it next time.
    Only its owner sees, uses or deletes it."""

    KEPT = 10  # per customer; saving one more forgets the one used longest ago

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_addresses")
    street_address = models.CharField(_("address"), max_length=200)
    postcode = models.CharField(_("postcode"), max_length=5, validators=[postcode_validator])
    city = models.CharField(_("city"), max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_used_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "street_address", "postcode", "city"], name="one_saved_address_per_place"
            )
        ]
        verbose_name = _("saved address")
        verbose_name_plural = _("saved addresses")

    def __str__(self):
        return f"{self.street_address}, {self.postcode} {self.city}"

    @classmethod
    def remember(cls, user, street_address, postcode, city):
        """Saves (or marks as just used) this address of the user's, keeping the KEPT most recent."""
        address, _created = cls.objects.update_or_create(
            user=user,
            street_address=street_address,
            postcode=postcode,
            city=city,
            defaults={"last_used_at": timezone.now()},
        )
        forgotten = cls.objects.filter(user=user).values_list("pk", flat=True)[cls.KEPT :]
        cls.objects.filter(pk__in=list(forgotten)).delete()
        return address


class OrderLine(models.Model):
    """What was ordered, as it was when ordered (names and prices are copies)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    size = models.ForeignKey(ProductSize, null=True, on_delete=models.SET_NULL, related_name="+")
    product_name = models.CharField(_("product"), max_length=80)
    size_label = models.CharField(_("size"), max_length=40, blank=True)
    # A customised pizza (ordering.options): its line key (size, other half, options),
    # to change or order it again, and what was chosen, as it was named when ordered.
    options_key = models.CharField(max_length=250, blank=True, editable=False)
    options_label = models.CharField(_("options"), max_length=500, blank=True)
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    quantity = models.PositiveSmallIntegerField(_("quantity"))
    line_total = models.DecimalField(_("total"), **MONEY)
    # VAT at the time of sale (books.vat): line_total == net_amount + vat_amount.
    vat_rate = models.DecimalField(_("VAT rate"), null=True, blank=True, **VAT_RATE)
    net_amount = models.DecimalField(_("excluding VAT"), null=True, blank=True, **MONEY)
    vat_amount = models.DecimalField(_("VAT"), null=True, blank=True, **MONEY)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.quantity} × {self.product_name} {self.size_label}".strip()

    @property
    def line_key(self):
        """The cart's key for this line (a size id, or a customised pizza's key); None if its size is gone."""
        if self.options_key:
            return self.options_key
        return self.size_id


class StatusChange(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [
            # Preparation and delivery times (ordering.staff.figures): the steps of orders, with their time.
            models.Index(fields=["order", "to_status"], include=["at"], name="status_change_step"),
        ]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


class DailyCounter(models.Model):
    """Hands out each restaurant's order numbers of the day, one at a time."""

    restaurant = models.ForeignKey(RestaurantPage, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["restaurant", "day"], name="one_counter_per_day")]

    def __str__(self):
        return f"{self.day}: {self.last}"


class PayPalPayment(models.Model):
    """One PayPal order created for one of our orders (a retry creates another)."""

    class State(models.TextChoices):
        CREATED = "created", _("Waiting for the customer's approval")
        COMPLETED = "completed", _("Captured")
        DECLINED = "declined", _("Declined")
        REJECTED = "rejected", _("Rejected (amount or currency did not match)")
        CANCELLED = "cancelled", _("Cancelled by the customer")

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="paypal_payments")
    paypal_order_id = models.CharField(max_length=PAYPAL_ID_LENGTH, unique=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.CREATED)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="EUR")
    capture_id = models.CharField(max_length=PAYPAL_ID_LENGTH, unique=True, null=True, blank=True)
    captured_amount = models.DecimalField(null=True, blank=True, **MONEY)
    capture_currency = models.CharField(max_length=3, blank=True)  # refunds go back in it
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.paypal_order_id


class PayPalRefund(models.Model):
    """Money given back from one capture: all that remains (cancellation) or a part
    (a paid order changed for less). Recorded before PayPal is asked, in the same
    transaction as the change that owes it, and retried until PayPal confirms; its
    own PayPal-Request-Id makes every retry the same refund."""

    class State(models.TextChoices):
        PENDING = "pending", _("To retry")
        COMPLETED = "completed", _("Refunded")
        # PayPal answered CAPTURE_FULLY_REFUNDED: the money went back another way
        # (a dashboard refund, recorded from its own webhook); not counted as refunded.
        SUPERSEDED = "superseded", _("Refunded another way")

    payment = models.ForeignKey(PayPalPayment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, default="EUR")
    reason = models.CharField(max_length=40, blank=True)
    request_id = models.CharField(max_length=100, unique=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    refund_id = models.CharField(max_length=PAYPAL_ID_LENGTH, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One row per refund PayPal made: a webhook and our own call never record it twice.
            models.UniqueConstraint(
                fields=["refund_id"], condition=~models.Q(refund_id=""), name="paypal_refund_id_unique"
            ),
        ]

    def __str__(self):
        return self.refund_id or self.request_id

    def custom_id(self):
        """Sent with our refund request; PayPal echoes it in the refund and its webhook."""
        return f"{REFUND_CUSTOM_ID_PREFIX}{self.pk}"


REFUND_CUSTOM_ID_PREFIX = "ocpizza-refund-"


class PayPalWebhookEvent(models.Model):
    """Each verified webhook event, kept so that a replay is processed once."""

    event_id = models.CharField(max_length=PAYPAL_ID_LENGTH, unique=True)
    event_type = models.CharField(max_length=PAYPAL_ID_LENGTH)
    resource_id = models.CharField(max_length=PAYPAL_ID_LENGTH, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class StaffMember(models.Model):
    """Which restaurants a staff member works for. Their roles are permissions (below),
    given through groups (Gérant, Pizzaiolo, Livreur, Comptoir, Siège: migration 0012)
    or to the person; head office's reaches every restaurant (ordering.staff.permissions)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    restaurants = models.ManyToManyField(
        RestaurantPage, verbose_name=_("restaurants"), related_name="staff", blank=True
    )

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")
        # Stored in English, translated where Wagtail shows them (the group's permissions).
        permissions = [
            (
                "manage_restaurant",
                gettext_noop("Manager: runs their restaurants (every order step, cancelling, stock, dashboard)"),
            ),
            ("prepare_orders", gettext_noop("Pizzaiolo: prepares the orders of their restaurants")),
            ("deliver_orders", gettext_noop("Courier: delivers the orders of their restaurants")),
            ("serve_counter", gettext_noop("Counter: takes phone and counter orders, hands over take-away orders")),
            ("see_all_restaurants", gettext_noop("Head office: reads the orders and figures of every restaurant")),
        ]

    def __str__(self):
        return str(self.user)


class RecipeSteps(models.Model):
    """How a pizzaiolo makes a product, shown on the kitchen board and the printable sheet."""

    product = models.OneToOneField("home.Product", on_delete=models.CASCADE, related_name="recipe_steps")
    steps = models.TextField(_("steps"), help_text=_("One step per line."))

    class Meta:
        verbose_name = _("recipe steps")
        verbose_name_plural = _("recipe steps")

    def __str__(self):
        return str(self.product)

    def step_list(self):
        return [line.strip() for line in self.steps.splitlines() if line.strip()]


class Notification(models.Model):
    """An email to a customer about their order, kept until it is sent, so that
    a mail server failure never blocks or loses a status change."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notifications")
    status = models.CharField(max_length=20, choices=Status.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    # Being sent by one process until then (notifications._claim): no other one sends it meanwhile.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.status} #{self.order_id}"


# --- The oven's capacity per 15-minute slot (ordering.capacity) ----------------


class CapacitySettings(models.Model):
    """A restaurant's oven capacity by default, and its busy mode: minutes added to
    every promise, or online orders paused, each until a time (then it ends by itself)."""

    restaurant = models.OneToOneField(
        RestaurantPage, verbose_name=_("restaurant"), on_delete=models.CASCADE, related_name="capacity_settings"
    )
    default_capacity = models.PositiveSmallIntegerField(
        _("oven capacity per 15 minutes"),
        default=40,
        help_text=_("In oven units (Junior 2, Sénior 3, Méga 4), when no rule below applies."),
    )
    extra_minutes = models.PositiveSmallIntegerField(_("minutes added to every promise"), default=0)
    extra_until = models.DateTimeField(_("minutes added until"), null=True, blank=True)
    paused_until = models.DateTimeField(_("online orders paused until"), null=True, blank=True)

    class Meta:
        verbose_name = _("capacity settings")
        verbose_name_plural = _("capacity settings")

    def __str__(self):
        return str(self.restaurant)


class CapacityRule(models.Model):
    """The oven's capacity per 15 minutes on a weekday, between two times (the
    slots starting from `starts` until before `ends`); the smallest applicable rule wins."""

    WEEKDAYS = OpeningHours.WEEKDAYS
    restaurant = models.ForeignKey(
        RestaurantPage, verbose_name=_("restaurant"), on_delete=models.CASCADE, related_name="capacity_rules"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))
    capacity = models.PositiveSmallIntegerField(_("oven capacity per 15 minutes"))

    class Meta:
        ordering = ["weekday", "starts", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(starts__lt=models.F("ends")), name="rule_starts_first")
        ]
        verbose_name = _("capacity rule")
        verbose_name_plural = _("capacity rules")

    def __str__(self):
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}: {self.capacity}"


class SlotLoad(models.Model):
    """The oven load reserved in one of a restaurant's 15-minute slots (the kitchen's
    time: the slot ends when the pizzas are out). Changed only under its row lock
    (ordering.capacity), by the orders' reservations, which it always sums."""

    restaurant = models.ForeignKey(RestaurantPage, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    load = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["restaurant", "starts_at"], name="one_load_per_slot")]

    def __str__(self):
        return f"{self.starts_at}: {self.load}"


class SlotReservation(models.Model):
    """The oven load an order holds in a slot (released when it is cancelled)."""

    order = models.OneToOneField(Order, on_delete=models.CASCADE, related_name="slot_reservation")
    slot = models.ForeignKey(SlotLoad, on_delete=models.PROTECT, related_name="reservations")
    load = models.PositiveIntegerField()

    def __str__(self):
        return f"{self.order_id} @ {self.slot_id}: {self.load}"
