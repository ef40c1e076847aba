"""Restaurant pages: address, photo, opening hours and closures, delivery and
preparation settings (the operations fields), and the restaurant's menu."""

import hashlib
from datetime import datetime, time, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail import blocks, hooks
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    Panel,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageBlock
from wagtail.models import Orderable, Page

from core import page_cache
from core.hours import Closure, WeeklyInterval, opening_status
from core.money import format_euros

from ..menu_filters import DIET, WITHOUT, InvalidFilter, MenuFilters, filter_options, parse_filters
from ..validators import parse_postcodes, phone_validator, postcode_validator
from ..widgets import EuroAmountInput
from .catalogue import PRODUCT_CARD_RENDITIONS, Allergen, DietaryTag, Product, ProductSize, money_field_options
from .served import ServedPage


class RestaurantPage(ServedPage, Page):
    street_address = models.CharField(_("street address"), max_length=160)
    postcode = models.CharField(_("postcode"), max_length=5, validators=[postcode_validator])
    city = models.CharField(_("city"), max_length=80)
    phone = models.CharField(_("phone"), max_length=20, validators=[phone_validator])
    photo = models.ForeignKey(
        get_image_model(), verbose_name=_("photo"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    intro = models.CharField(_("short description"), max_length=255, blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(label=_("Heading"), form_classname="title")),
            ("paragraph", blocks.RichTextBlock(label=_("Paragraph"))),
            ("image", ImageBlock(label=_("Image"))),
        ],
        verbose_name=_("body"),
        blank=True,
    )
    delivery_postcodes = models.TextField(
        _("delivery postcodes"),
        blank=True,
        help_text=_("Postcodes this restaurant delivers to, separated by spaces or commas."),
    )
    delivery_fee = models.DecimalField(_("delivery fee (€)"), default=Decimal("2.50"), **money_field_options)
    minimum_order = models.DecimalField(
        _("minimum order for delivery (€)"), default=Decimal("15.00"), **money_field_options
    )
    preparation_minutes = models.PositiveSmallIntegerField(
        _("usual preparation time (minutes)"), default=20, validators=[MinValueValidator(5)]
    )

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldRowPanel([FieldPanel("postcode"), FieldPanel("city")]),
                FieldPanel("phone"),
            ],
            heading=_("Address"),
        ),
        FieldPanel("photo"),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    hours_panels = [
        InlinePanel("opening_hours", label=_("Opening hours")),
        InlinePanel("closures", label=_("Exceptional closures")),
    ]
    delivery_panels = [
        FieldPanel("delivery_postcodes"),
        FieldRowPanel(
            [FieldPanel("delivery_fee", widget=EuroAmountInput), FieldPanel("minimum_order", widget=EuroAmountInput)]
        ),
        FieldPanel("preparation_minutes"),
    ]
    menu_panels = [InlinePanel("menu_items", label=_("Menu item"))]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Restaurant")),
            ObjectList(hours_panels, heading=_("Hours")),
            ObjectList(delivery_panels, heading=_("Delivery")),
            ObjectList(menu_panels, heading=_("Menu")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            # Wagtail's publishing schedule (go live / expire), comments: a menu change can wait for its date.
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    parent_page_types = ["home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("restaurant")

    def clean(self):
        super().clean()
        try:
            self.delivery_postcodes = " ".join(parse_postcodes(self.delivery_postcodes))
        except ValidationError as error:
            raise ValidationError({"delivery_postcodes": error}) from error

    @property
    def delivery_postcode_list(self):
        return self.delivery_postcodes.split()

    def delivers_to(self, postcode):
        return postcode in self.delivery_postcode_list

    @staticmethod
    def delivering_to(postcode, restaurants):
        """Those of the restaurants (a few, already loaded) whose area has the postcode."""
        return [r for r in restaurants if r.delivers_to(postcode)]

    # Opening hours

    def opening_status(self, now=None):
        intervals = [WeeklyInterval(h.weekday, h.opens, h.closes) for h in self.opening_hours.all()]
        closures = [Closure(c.start_date, c.end_date) for c in self.closures.all()]
        return opening_status(intervals, closures, now or timezone.now())

    def hours_by_weekday(self):
        days = {number: [] for number, _label in OpeningHours.WEEKDAYS}
        for hours in sorted(self.opening_hours.all(), key=lambda h: h.opens):
            days[hours.weekday].append(hours)
        return [(label, days[number]) for number, label in OpeningHours.WEEKDAYS]

    def upcoming_closures(self):
        today = timezone.localdate()
        return [c for c in self.closures.all() if c.end_date >= today]

    # Menu

    def published_menu_items(self):
        """Menu items whose product is published, with everything the page shows,
        in a fixed number of queries."""
        items = self.menu_items.all()
        if isinstance(items, QuerySet):  # a preview works on unsaved in-memory items
            items = (
                items.filter(product__live=True)
                .select_related("product__category")
                .prefetch_related(
                    "product__sizes",
                    "product__allergens",
                    "product__diet_tags",
                    Prefetch(
                        "product__photo",
                        queryset=get_image_model().objects.prefetch_renditions(*PRODUCT_CARD_RENDITIONS),
                    ),
                )
            )
        return [item for item in items if item.product.live]

    def priced_menu_sizes(self):
        """(size, price here) for every size of every published menu item, in menu order."""
        return [pair for item in self.published_menu_items() for pair in item.priced_sizes()]

    def menu_by_category(self):
        sections = {}
        for item in self.published_menu_items():
            sections.setdefault(item.product.category, []).append(item)
        return sorted(sections.items(), key=lambda pair: (pair[0].sort_order, pair[0].name))

    def prefetch_for_serving(self):
        # The hours and closures (the status, the hours table) and the hero photo with
        # its renditions (all of them: the template names the sizes it shows).
        prefetch_related_objects(
            [self],
            "opening_hours",
            "closures",
            Prefetch("photo", queryset=get_image_model().objects.prefetch_renditions()),
        )

    def serve(self, request, *args, **kwargs):
        try:
            filters = parse_filters(request.GET, _declared_diets, _declared_allergens)
        except InvalidFilter as error:
            context = {"page": self, "message": str(error)}
            return TemplateResponse(request, "home/menu_filter_error.html", context, status=400)
        if request.META.get("QUERY_STRING", "") == canonical_query(filters):
            # Shared (and its menu fragment kept) only in the one spelling of these filters
            # the filter form sends: any other parameter, order or repetition is rendered afresh.
            page_cache.share(request, allowed_parameters=(DIET, WITHOUT))
            request.canonical_menu_query = True
        return super().serve(request, *args, menu_filters=filters, **kwargs)

    def get_context(self, request, *args, menu_filters=None, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if isinstance(self.opening_hours.all(), QuerySet):  # a preview works on unsaved in-memory hours
            # Read once for the status, the hours table and (ordering) the times the kitchen can
            # keep: what a remembered route has read already (home.routes), read here otherwise.
            self.prefetch_for_serving()
        now = timezone.now()
        context["status"] = status = self.opening_status(now)
        page_cache.valid_until(request, status_change(status, now))
        # Other apps add to the page (the ordering app: stock and "add to cart"); what they
        # add to the menu itself they add to context["menu_builders"], run with the menu.
        for add_context in hooks.get_hooks("restaurant_page_context"):
            add_context(self, request, context)
        fragment = MenuFragment(self, request, menu_filters or MenuFilters(), context.get("menu_builders", ()))
        if getattr(request, "is_preview", False) or not getattr(request, "canonical_menu_query", False):
            context.update(fragment.build())
        else:
            context["menu_fragment"] = fragment
        return context

    def menu_context(self, filters):
        """The menu, its filters and sections (what {% menu_fragment %} shows)."""
        menu = self.menu_by_category()
        context = {"menu": menu, "menu_filters": filters, "filter_count": len(filters.diets) + len(filters.without)}
        context["diet_options"], context["allergen_options"] = filter_options(
            [item for _category, items in menu for item in items], filters
        )
        sections = []
        for category, items in menu:
            for item in items:
                item.shown = filters.keeps(item.product)
            sections.append({"category": category, "items": items, "shown": sum(item.shown for item in items)})
        context["menu_sections"] = sections
        context["shown_count"] = sum(section["shown"] for section in sections)
        return context


class MenuFragment:
    """The menu part of a restaurant's page, cached per page, language, URL (the
    filters) and the versions the page depends on (the content, the restaurant's
    stock): built only when the cache does not have it."""

    timeout = 3600

    def __init__(self, page, request, filters, builders):
        self.page, self.request, self.filters, self.builders = page, request, filters, list(builders)

    @cached_property
    def key(self):
        stamps = page_cache.depends_on(self.request, page_cache.CONTENT)
        stamps.update(page_cache.recorder(self.request).versions)
        raw = "|".join(
            [str(self.page.pk), get_language() or "", self.request.get_full_path()]
            + [f"{name}={value}" for name, value in sorted(stamps.items())]
        )
        return "menu-fragment:" + hashlib.sha256(raw.encode()).hexdigest()

    def build(self):
        context = self.page.menu_context(self.filters)
        for builder in self.builders:
            builder(self.page, context)
        return context


def canonical_query(filters):
    """The query string the filter form sends for these filters ("" for none)."""
    return urlencode(
        [(DIET, key) for key in sorted(filters.diets)] + [(WITHOUT, key) for key in sorted(filters.without)]
    )


def status_change(status, now):
    """When a page showing this opening status stops being true on its own: the
    next opening or closing, or midnight (\"tomorrow\" becomes \"today\", a closure ends)."""
    local = timezone.localtime(now)
    midnight = timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time.min), local.tzinfo)
    return min(moment for moment in (status.closes_at, status.opens_at, midnight) if moment is not None)


def _declared_diets():
    return dict(DietaryTag.objects.values_list("slug", "name"))


def _declared_allergens():
    return {allergen.key: allergen.name for allergen in Allergen.objects.all()}


class OpeningHours(Orderable):
    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]
    restaurant = ParentalKey(RestaurantPage, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens at"))
    closes = models.TimeField(_("closes at"), help_text=_("A time before the opening time means after midnight."))

    panels = [FieldRowPanel([FieldPanel("weekday"), FieldPanel("opens"), FieldPanel("closes")])]

    class Meta(Orderable.Meta):
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def clean(self):
        if self.opens is not None and self.opens == self.closes:
            raise ValidationError(_("Opening and closing times must differ."))


class ExceptionalClosure(Orderable):
    restaurant = ParentalKey(RestaurantPage, on_delete=models.CASCADE, related_name="closures")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to (inclusive)"))
    reason = models.CharField(_("reason"), max_length=120, blank=True)

    panels = [FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]), FieldPanel("reason")]

    class Meta(Orderable.Meta):
        verbose_name = _("exceptional closure")
        verbose_name_plural = _("exceptional closures")

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The closure cannot end before it starts.")})


def _catalogue_sizes(request):
    """{product id: [sizes in menu order]} for every product, read once per request."""
    cached = getattr(request, "_catalogue_sizes", None)
    if cached is None:
        cached = {}
        for size in ProductSize.objects.all():
            cached.setdefault(size.product_id, []).append(size)
        for sizes in cached.values():
            sizes.sort(key=lambda size: (size.sort_order or 0, size.pk))  # as MenuItem.sizes orders them
        if request is not None:
            request._catalogue_sizes = cached
    return cached


class CataloguePricePanel(Panel):
    """Beside a menu item's price override: the product's catalogue prices and, when
    overridden, this restaurant's prices (computed by MenuItem.price_for, as the
    site and the cart compute them)."""

    class BoundPanel(Panel.BoundPanel):
        def render_html(self, parent_context=None):
            item = self.instance
            sizes = (
                _catalogue_sizes(self.request).get(item.product_id) if item is not None and item.product_id else None
            )
            if not sizes:
                return format_html(
                    '<p class="help">{}</p>', _("Choose a product: its catalogue price shows here once saved.")
                )
            item.sizes = sizes  # the cached property MenuItem.price_for reads, filled without a query
            catalogue = format_html_join(" · ", "{}", ((self._labelled(size, size.price),) for size in sizes))
            lines = [format_html("<strong>{}</strong> {}", _("Catalogue price:"), catalogue)]
            if item.price_override is not None:
                here = format_html_join(" · ", "{}", ((self._labelled(size, item.price_for(size)),) for size in sizes))
                lines.append(format_html("<strong>{}</strong> {}", _("In this restaurant:"), here))
            return format_html(
                '<div class="help" data-catalogue-price>{}</div>',
                format_html_join("", "<p>{}</p>", ((line,) for line in lines)),
            )

        @staticmethod
        def _labelled(size, price):
            return f"{size.label} {format_euros(price)}".strip()


class MenuItem(Orderable):
    """A product a restaurant sells, in the order of its menu."""

    restaurant = ParentalKey(RestaurantPage, on_delete=models.CASCADE, related_name="menu_items")
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="+")
    price_override = models.DecimalField(
        _("price in this restaurant (€)"),
        null=True,
        blank=True,
        help_text=_("Optional. Replaces the price of the first size; other sizes keep their difference."),
        **money_field_options,
    )

    panels = [
        FieldRowPanel([FieldPanel("product"), FieldPanel("price_override", widget=EuroAmountInput)]),
        CataloguePricePanel(),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("menu item")
        verbose_name_plural = _("menu items")

    @cached_property
    def sizes(self):
        return sorted(self.product.sizes.all(), key=lambda size: (size.sort_order or 0, size.pk or 0))

    def price_for(self, size) -> Decimal:
        """The price of one of the product's sizes in this restaurant."""
        if self.price_override is None:
            return size.price
        return max(Decimal("0.00"), self.price_override + size.price - self.sizes[0].price)

    def priced_sizes(self):
        return [(size, self.price_for(size)) for size in self.sizes]
