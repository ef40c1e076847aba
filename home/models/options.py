"""Option groups of the catalogue (marketing edits them): extra toppings, removable
ingredients, crusts and half-and-half. What an option does to the recipe (and so to
the stock) is head office's: ordering.models.OptionRecipeLine."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel
from wagtail.models import Orderable

from ..widgets import EuroAmountInput
from .catalogue import Product, money_field_options


class OptionGroup(ClusterableModel):
    """A set of choices offered on some products ("Suppléments", "Pâte", "Moitié-moitié")."""

    class Kind(models.TextChoices):
        EXTRA = "extra", _("Extra toppings")
        REMOVE = "remove", _("Removable ingredients")
        BASE = "base", _("Crust or base")
        HALF = "half", _("Half-and-half")

    class HalfPrice(models.TextChoices):
        HIGHER = "higher", _("The higher price of the two halves")
        AVERAGE = "average", _("The average of the two halves")

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    products = ParentalManyToManyField(
        Product,
        verbose_name=_("products"),
        related_name="option_groups",
        blank=True,
        help_text=_("The products that offer these options (for half-and-half: the pizzas that may be halves)."),
    )
    min_choices = models.PositiveSmallIntegerField(_("at least"), default=0)
    max_choices = models.PositiveSmallIntegerField(_("at most"), null=True, blank=True, help_text=_("Empty: no limit."))
    free_choices = models.PositiveSmallIntegerField(
        _("first N free"), default=0, help_text=_("The N cheapest choices of this group cost nothing.")
    )
    half_price_rule = models.CharField(
        _("price of a half-and-half pizza"), max_length=10, choices=HalfPrice.choices, default=HalfPrice.HIGHER
    )
    sort_order = models.PositiveSmallIntegerField(_("order on the page"), default=0)

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("min_choices"), FieldPanel("max_choices"), FieldPanel("free_choices")]),
        FieldPanel("half_price_rule"),
        InlinePanel("size_prices", label=_("Price per size (for every option without its own price)")),
        InlinePanel("options", label=_("Options")),
        FieldPanel("products", widget=forms.CheckboxSelectMultiple),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("option group")
        verbose_name_plural = _("option groups")

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.max_choices is not None and self.min_choices > self.max_choices:
            raise ValidationError({"max_choices": _("At most must be at least “at least”.")})

    def size_price(self, size_label):
        """The group's price for a size (matched by label; a row without label: any other size)."""
        prices = {row.size_label.strip().casefold(): row.price for row in self.size_prices.all()}
        found = prices.get(size_label.strip().casefold(), prices.get(""))
        return Decimal("0.00") if found is None else found


class OptionSizePrice(Orderable):
    group = ParentalKey(OptionGroup, on_delete=models.CASCADE, related_name="size_prices")
    size_label = models.CharField(
        _("size"),
        max_length=40,
        blank=True,
        help_text=_("As the product sizes say it (Junior 26 cm); empty: any size."),
    )
    price = models.DecimalField(_("price (€)"), **money_field_options)

    panels = [FieldRowPanel([FieldPanel("size_label"), FieldPanel("price", widget=EuroAmountInput)])]

    class Meta(Orderable.Meta):
        verbose_name = _("price per size")
        verbose_name_plural = _("prices per size")

    def __str__(self):
        return f"{self.size_label} {self.price}".strip()


class Option(Orderable):
    """One choice: a topping, an ingredient to leave out, a crust."""

    group = ParentalKey(OptionGroup, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(_("name"), max_length=60)
    price = models.DecimalField(
        _("price (€)"),
        null=True,
        blank=True,
        help_text=_("Same for every size; empty: the group's price per size (removals cost nothing)."),
        **money_field_options,
    )

    panels = [FieldRowPanel([FieldPanel("name"), FieldPanel("price", widget=EuroAmountInput)])]

    class Meta(Orderable.Meta):
        verbose_name = _("option")
        verbose_name_plural = _("options")

    def __str__(self):
        return f"{self.group}: {self.name}" if self.group_id else self.name

    def price_for(self, size_label) -> Decimal:
        if self.group.kind == OptionGroup.Kind.REMOVE:
            return Decimal("0.00")
        if self.price is not None:
            return self.price
        return self.group.size_price(size_label)
