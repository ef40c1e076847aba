"""The books: VAT rates, the group's legal details, the sales journal (append-only,
chained by hash per restaurant), its closures (Z reports) and invoices.

The journal refers to orders and restaurants by id without database constraints
(`db_constraint=False`, nothing done on delete): a record of a sale outlives
whatever happens to the order or the page, and nothing ever updates a journal row.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from .exceptions import AppendOnly

RATE = {"max_digits": 5, "decimal_places": 2}
MONEY = {"max_digits": 11, "decimal_places": 2}
RATE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class FulfilmentScope(models.TextChoices):
    ANY = "", _("Delivery and take-away")
    DELIVERY = "delivery", _("Delivery")
    PICKUP = "pickup", _("Take-away")


class VatRate(models.Model):
    """The VAT rate of a menu category, for one fulfilment or both (head office edits them).
    Prices stay VAT-inclusive; the rate splits them into net and VAT at the time of sale."""

    category = models.ForeignKey(
        "home.Category", verbose_name=_("menu category"), on_delete=models.CASCADE, related_name="vat_rates"
    )
    fulfilment = models.CharField(
        _("fulfilment"), max_length=10, blank=True, choices=FulfilmentScope.choices, default=FulfilmentScope.ANY
    )
    rate = models.DecimalField(_("VAT rate (%)"), validators=RATE_VALIDATORS, **RATE)

    panels = [FieldPanel("category"), FieldPanel("fulfilment"), FieldPanel("rate")]

    class Meta:
        ordering = ["category__sort_order", "fulfilment"]
        constraints = [models.UniqueConstraint(fields=["category", "fulfilment"], name="one_vat_rate_per_use")]
        verbose_name = _("VAT rate")
        verbose_name_plural = _("VAT rates")

    def __str__(self):
        return f"{self.category} · {self.get_fulfilment_display()} · {self.rate} %"


@register_setting(icon="doc-full")
class LegalDetails(BaseGenericSetting):
    """The group's legal details printed on receipts and invoices (head office edits them)."""

    company_name = models.CharField(_("company name"), max_length=120, default="OC Pizza SAS")
    siret = models.CharField(_("SIRET"), max_length=20, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    address = models.TextField(_("registered address"), blank=True, max_length=300)
    default_vat_rate = models.DecimalField(
        _("VAT rate of categories without one (%)"),
        default=Decimal("10.00"),
        validators=RATE_VALIDATORS,
        **RATE,
    )
    delivery_vat_rate = models.DecimalField(
        _("VAT rate of the delivery fee (%)"), default=Decimal("10.00"), validators=RATE_VALIDATORS, **RATE
    )

    panels = [
        MultiFieldPanel(
            [FieldPanel("company_name"), FieldPanel("siret"), FieldPanel("vat_number"), FieldPanel("address")],
            heading=_("Company"),
        ),
        MultiFieldPanel([FieldPanel("default_vat_rate"), FieldPanel("delivery_vat_rate")], heading=_("VAT")),
    ]

    class Meta:
        verbose_name = _("legal details")


class AppendOnlyModel(models.Model):
    """Rows written once: saving an existing row or deleting one is refused here, and by a
    PostgreSQL trigger underneath (migration 0001) for whatever bypasses the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly(f"{type(self).__name__} rows are never updated; write a new entry")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly(f"{type(self).__name__} rows are never deleted; write a new entry")


class JournalHead(models.Model):
    """The last link of a restaurant's chain: locked by every append (the per-restaurant lock)."""

    restaurant_id = models.BigIntegerField(unique=True)
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")

    def __str__(self):
        return f"{self.restaurant_id}#{self.sequence}"


class JournalEntry(AppendOnlyModel):
    class Kind(models.TextChoices):
        SALE = "sale", _("Sale")
        CHANGE = "change", _("Sale changed")
        CANCELLATION = "cancellation", _("Cancellation")
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")
        CORRECTION = "correction", _("Correction")
        DAY_CLOSURE = "day_closure", _("Daily closure")
        MONTH_CLOSURE = "month_closure", _("Monthly closure")

    restaurant = models.ForeignKey(
        "home.RestaurantPage", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    sequence = models.PositiveBigIntegerField(_("sequence"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    order = models.ForeignKey(
        "ordering.Order", null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    created_at = models.DateTimeField(_("at"))
    day = models.DateField(_("business day"))
    payload = models.JSONField(_("content"))
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["restaurant_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["restaurant", "sequence"], name="one_journal_link_per_rank")]
        indexes = [
            models.Index(fields=["restaurant", "day"], name="books_journal_day"),
            models.Index(fields=["order"], name="books_journal_order"),
        ]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")

    def __str__(self):
        return f"{self.restaurant_id}#{self.sequence} {self.kind}"


class Closure(AppendOnlyModel):
    """A daily or monthly Z report, signed into the chain by its journal entry."""

    class Period(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")

    restaurant = models.ForeignKey(
        "home.RestaurantPage", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    period = models.CharField(_("period"), max_length=5, choices=Period.choices)
    start = models.DateField(_("from"))
    end = models.DateField(_("to"))
    totals = models.JSONField(_("totals"))
    cash_expected = models.DecimalField(_("cash expected"), **MONEY)
    cash_counted = models.DecimalField(_("cash counted"), null=True, blank=True, **MONEY)
    entry = models.OneToOneField(JournalEntry, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start", "period"]
        constraints = [models.UniqueConstraint(fields=["restaurant", "period", "start"], name="one_closure_per_period")]
        verbose_name = _("closure")
        verbose_name_plural = _("closures")

    def __str__(self):
        return f"{self.get_period_display()} {self.start}"

    @property
    def cash_difference(self):
        return None if self.cash_counted is None else self.cash_counted - self.cash_expected


class Invoice(models.Model):
    """An invoice for a paid order, with the customer's company details (asked once)."""

    order = models.OneToOneField("ordering.Order", on_delete=models.PROTECT, related_name="invoice")
    number = models.CharField(_("number"), max_length=30, unique=True)
    company_name = models.CharField(_("company name"), max_length=120)
    company_address = models.TextField(_("company address"), max_length=300)
    company_vat_number = models.CharField(_("company VAT number"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.number
