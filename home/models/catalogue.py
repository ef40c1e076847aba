"""The product catalogue (snippets): categories, allergens, diet tags, products and their sizes."""

from decimal import Decimal

from django import forms
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, PublishingPanel
from wagtail.images import get_image_model
from wagtail.models import DraftStateMixin, Orderable, PreviewableMixin, RevisionMixin
from wagtail.search import index

from ..menu_filters import allergen_key
from ..widgets import EuroAmountInput

money_field_options = {"max_digits": 7, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}

# The image sizes used for product cards: the card template renders them through
# {% product_card_photo %} and restaurant pages prefetch them with the menu, so the
# page makes the same number of queries whatever its length. A square thumbnail
# (72, 88 or 96 CSS px with the screen's width) at 1x, 2x and 3x: a phone downloads
# the one its screen needs (Lighthouse's "properly size images").
PRODUCT_CARD_RENDITIONS = ("fill-96x96", "fill-176x176", "fill-264x264")
PRODUCT_CARD_SIZES = "(max-width: 359px) 72px, (min-width: 640px) 96px, 88px"
# Oven units of a product size (a Sénior pizza by default; drinks and desserts take 0).
DEFAULT_OVEN_LOAD = 3
MOST_OVEN_LOAD = 50


class Category(models.Model):
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(_("slug"), unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order on the menu"), default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("sort_order")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("menu category")
        verbose_name_plural = _("menu categories")

    def __str__(self):
        return self.name


class Allergen(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("allergen")
        verbose_name_plural = _("allergens")

    def __str__(self):
        return self.name

    @property
    def key(self):
        """The allergen in the menu filter's URL (?sans=oeufs)."""
        return allergen_key(self.name)


class DietaryTag(models.Model):
    name = models.CharField(_("name"), max_length=40, unique=True)
    slug = models.SlugField(_("slug"), unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("diet tag")
        verbose_name_plural = _("diet tags")

    def __str__(self):
        return self.name


class Product(PreviewableMixin, DraftStateMixin, RevisionMixin, index.Indexed, ClusterableModel):
    """A pizza, drink or dessert. Its live row is what customers see; edits
    wait in revisions until published (possibly at a scheduled time)."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("slug"), unique=True)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="products"
    )
    composition = models.CharField(
        _("composition"), max_length=255, blank=True, help_text=_("Ingredients as shown to customers.")
    )
    description = models.TextField(_("description"), blank=True)
    photo = models.ForeignKey(
        get_image_model(), verbose_name=_("photo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    allergens = ParentalManyToManyField(Allergen, verbose_name=_("allergens"), blank=True)
    diet_tags = ParentalManyToManyField(DietaryTag, verbose_name=_("diet tags"), blank=True)

    _revisions = GenericRelation("wagtailcore.Revision", related_query_name="product")

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("category"),
        FieldPanel("composition"),
        FieldPanel("description"),
        FieldPanel("photo"),
        InlinePanel("sizes", label=_("Sizes and prices"), min_num=1),
        FieldPanel("allergens", widget=forms.CheckboxSelectMultiple),
        FieldPanel("diet_tags", widget=forms.CheckboxSelectMultiple),
        PublishingPanel(),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.SearchField("composition")]

    class Meta:
        ordering = ["category__sort_order", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self):
        return self.name

    @property
    def revisions(self):
        return self._revisions

    def get_preview_template(self, request, mode_name):
        return "home/product_preview.html"

    def get_preview_context(self, request, mode_name):
        return {"product": self, "preview_sizes": [(size, size.price) for size in self.sizes.all()]}


class ProductSize(Orderable):
    """A size of a product and its price (a drink or a dessert has a single one)."""

    product = ParentalKey(Product, on_delete=models.CASCADE, related_name="sizes")
    label = models.CharField(_("size"), max_length=40, blank=True, help_text=_("E.g. Medium (29 cm), 33 cl."))
    price = models.DecimalField(_("price (€)"), **money_field_options)
    # The oven's load one unit makes (ordering.capacity: restaurants' capacity per 15 minutes).
    oven_load = models.PositiveSmallIntegerField(
        _("oven load"),
        default=DEFAULT_OVEN_LOAD,
        validators=[MaxValueValidator(MOST_OVEN_LOAD)],
        help_text=_("Oven units one of these takes: Junior 2, Sénior 3, Méga 4; 0 for drinks and desserts."),
    )

    panels = [
        FieldRowPanel([FieldPanel("label"), FieldPanel("price", widget=EuroAmountInput), FieldPanel("oven_load")])
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("size")
        verbose_name_plural = _("sizes")

    def __str__(self):
        return f"{self.product} {self.label}".strip()
