"""Promotions (edited by marketing, with drafts and scheduled publishing), their
redemptions (one row per order using one: usage limits count them under a lock),
the discount lines of orders, and the loyalty stamp card with its group rules."""

import re
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PublishingPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.models import DraftStateMixin, RevisionMixin

from home.models import Category, RestaurantPage

from . import rules

MONEY = {"max_digits": 9, "decimal_places": 2}
CODE_MAX_LENGTH = 30
# What a code may look like once normalised: letters, digits, dashes and underscores.
CODE_PATTERN = re.compile(rf"[A-Z0-9_-]{{1,{CODE_MAX_LENGTH}}}")


def normalise_code(raw):
    """The form a code is stored and looked up in: trimmed, upper case."""
    return raw.strip().upper() if isinstance(raw, str) else ""


class Promotion(DraftStateMixin, RevisionMixin, models.Model):
    """A promotion. Its live row is what orders use; edits wait in revisions until
    published (possibly at a scheduled time, the *Publishing schedule*)."""

    class Kind(models.TextChoices):
        PERCENT = rules.PERCENT, _("Percentage off the food")
        FIXED = rules.FIXED, _("Fixed amount off")
        FREE_DELIVERY = rules.FREE_DELIVERY, _("Free delivery")
        SECOND_PIZZA = rules.SECOND_PIZZA, _("2nd pizza half price")
        MEAL_DEAL = rules.MEAL_DEAL, _("Meal deal: pizza + drink + dessert at a price")

    name = models.CharField(_("name"), max_length=80, help_text=_("Shown to the customer on the order's line."))
    code = models.CharField(
        _("code"),
        max_length=CODE_MAX_LENGTH,
        blank=True,
        help_text=_("Typed by the customer at checkout. Empty: applied automatically to every order that qualifies."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.DecimalField(
        _("value"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Percentage (1 to 100), amount off, or the meal deal's price; unused for the other kinds."),
        **MONEY,
    )
    restaurant = models.ForeignKey(
        RestaurantPage,
        verbose_name=_("restaurant"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Empty: every restaurant of the group."),
    )
    starts_at = models.DateTimeField(_("valid from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    minimum_order = models.DecimalField(
        _("minimum order (food)"), default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))], **MONEY
    )
    first_order_only = models.BooleanField(_("first order only"), default=False)
    max_uses = models.PositiveIntegerField(_("uses in all"), null=True, blank=True, help_text=_("Empty: no limit."))
    max_uses_per_customer = models.PositiveIntegerField(
        _("uses per customer"), null=True, blank=True, help_text=_("Empty: no limit.")
    )

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="promotion")

    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("code"), FieldPanel("restaurant")]),
        FieldRowPanel([FieldPanel("kind"), FieldPanel("value")]),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
                FieldPanel("minimum_order"),
                FieldPanel("first_order_only"),
                FieldRowPanel([FieldPanel("max_uses"), FieldPanel("max_uses_per_customer")]),
            ],
            heading=_("Conditions"),
        ),
        PublishingPanel(),
    ]

    class Meta:
        ordering = ["name"]
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        constraints = [
            models.UniqueConstraint(fields=["code"], condition=~models.Q(code=""), name="one_promotion_per_code"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="promotion_value_not_negative"),
        ]

    def __str__(self):
        return f"{self.name} ({self.code})" if self.code else self.name

    @property
    def revisions(self):
        return self._revisions

    def clean(self):
        super().clean()
        self.code = normalise_code(self.code)
        if self.code and not CODE_PATTERN.fullmatch(self.code):
            raise ValidationError({"code": _("Letters, digits, dashes and underscores only.")})
        if self.kind == self.Kind.PERCENT and not (Decimal("0") < self.value <= Decimal("100")):
            raise ValidationError({"value": _("A percentage is between 1 and 100.")})
        if self.kind in (self.Kind.FIXED, self.Kind.MEAL_DEAL) and self.value <= 0:
            raise ValidationError({"value": _("Give the amount.")})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end comes after the start.")})


class Redemption(models.Model):
    """One use of a promotion by one order, written in the order's transaction with
    the promotion's row locked. Cancelling the order deletes it (the use is given back)."""

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="redemptions")
    order = models.ForeignKey("ordering.Order", on_delete=models.CASCADE, related_name="redemptions")
    customer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.CharField(max_length=254, blank=True, db_index=True)  # lower case: guests counted by e-mail
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["promotion", "order"], name="one_redemption_per_order")]

    def __str__(self):
        return f"{self.promotion} #{self.order_id}"


class OrderDiscount(models.Model):
    """A discount line of an order, as it was computed (its name is a copy)."""

    order = models.ForeignKey("ordering.Order", on_delete=models.CASCADE, related_name="discounts")
    promotion = models.ForeignKey(Promotion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    label = models.CharField(_("discount"), max_length=120)
    amount = models.DecimalField(_("amount"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY)
    stamps = models.PositiveSmallIntegerField(default=0)  # loyalty stamps spent on it

    class Meta:
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="discount_positive")]

    def __str__(self):
        return f"{self.label}: -{self.amount}"


@register_setting(icon="tag")
class OffersSettings(BaseGenericSetting):
    """The group's rules for offers: which categories are pizzas, drinks and desserts
    (for "2nd pizza" and meal deals), and the loyalty stamp card."""

    pizza_category = models.ForeignKey(
        Category, verbose_name=_("pizzas"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    drink_category = models.ForeignKey(
        Category, verbose_name=_("drinks"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dessert_category = models.ForeignKey(
        Category, verbose_name=_("desserts"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    loyalty_enabled = models.BooleanField(_("loyalty stamp card"), default=True)
    stamps_for_reward = models.PositiveSmallIntegerField(
        _("stamps for a free pizza"),
        default=10,
        validators=[MinValueValidator(2), MaxValueValidator(100)],
        help_text=_(
            "One stamp per pizza delivered or collected; the card full, the next order's cheapest pizza is free."
        ),
    )

    panels = [
        FieldRowPanel([FieldPanel("pizza_category"), FieldPanel("drink_category"), FieldPanel("dessert_category")]),
        FieldRowPanel([FieldPanel("loyalty_enabled"), FieldPanel("stamps_for_reward")]),
    ]

    class Meta:
        verbose_name = _("offers and loyalty")

    # Categories found by their slug while the settings leave them empty.
    DEFAULT_SLUGS = {rules.PIZZA: "pizzas", rules.DRINK: "boissons", rules.DESSERT: "desserts"}

    def kinds(self):
        """{category id: PIZZA | DRINK | DESSERT}."""
        chosen = {
            rules.PIZZA: self.pizza_category_id,
            rules.DRINK: self.drink_category_id,
            rules.DESSERT: self.dessert_category_id,
        }
        missing = {self.DEFAULT_SLUGS[k]: k for k, pk in chosen.items() if pk is None}
        if missing:
            for pk, slug in Category.objects.filter(slug__in=missing).values_list("pk", "slug"):
                chosen[missing[slug]] = pk
        return {pk: kind for kind, pk in chosen.items() if pk is not None}


class StampCard(models.Model):
    """A customer's loyalty card. Its row is locked whenever stamps move; the entries
    below always sum to `stamps`."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stamp_card")
    stamps = models.IntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(stamps__gte=0), name="stamps_never_negative")]

    def __str__(self):
        return f"{self.user}: {self.stamps}"


class StampEntry(models.Model):
    class Reason(models.TextChoices):
        EARNED = "earned", _("Pizzas delivered or collected")
        EARNED_REVERSED = "earned_reversed", _("Order refunded")
        SPENT = "spent", _("Free pizza")
        SPENT_RETURNED = "spent_returned", _("Order cancelled or changed")

    card = models.ForeignKey(StampCard, on_delete=models.CASCADE, related_name="entries")
    order = models.ForeignKey("ordering.Order", null=True, on_delete=models.SET_NULL, related_name="+")
    delta = models.IntegerField()
    reason = models.CharField(max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_reason_display()} {self.delta:+}"
