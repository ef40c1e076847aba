"""The site's general pages: the home page (with the postcode search) and simple content pages."""

from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.images import get_image_model
from wagtail.models import Page

from core import page_cache

from ..forms import PostcodeSearchForm
from ..nearest import by_distance, location_of
from .restaurants import RestaurantPage, status_change
from .served import ServedPage

# The picture of a restaurant in the home page's list (prefetched with the restaurants).
RESTAURANT_CARD_RENDITION = "fill-240x180"


class HomePage(ServedPage, Page):
    hero_title = models.CharField(_("headline"), max_length=120, default="")
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])
    hero_image = models.ForeignKey(
        get_image_model(), verbose_name=_("image"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    content_panels = Page.content_panels + [FieldPanel("hero_title"), FieldPanel("intro"), FieldPanel("hero_image")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.RestaurantPage", "home.StandardPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def prefetch_for_serving(self):
        prefetch_related_objects(
            [self], Prefetch("hero_image", queryset=get_image_model().objects.prefetch_renditions())
        )

    def serve(self, request, *args, **kwargs):
        page_cache.share(request)  # a postcode search (?postcode=) is rendered afresh
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        restaurants = list(
            RestaurantPage.objects.live()
            .child_of(self)
            .prefetch_related(
                "opening_hours",
                "closures",
                Prefetch("photo", queryset=get_image_model().objects.prefetch_renditions(RESTAURANT_CARD_RENDITION)),
            )
        )
        context["restaurants"] = restaurants
        now = timezone.now()
        for restaurant in restaurants:  # each card shows its opening status (hours prefetched above)
            page_cache.valid_until(request, status_change(restaurant.opening_status(now), now))
        form = PostcodeSearchForm(request.GET or None)
        context["postcode_form"] = form
        if form.is_valid():
            postcode = form.cleaned_data["postcode"]
            context["searched_postcode"] = postcode
            # Those delivering the postcode first, then the others; the nearest first in each.
            nearest_first = by_distance(restaurants, postcode)
            delivering = RestaurantPage.delivering_to(postcode, nearest_first)
            context["delivering_restaurants"] = delivering
            context["other_restaurants"] = [r for r in nearest_first if r not in delivering]
            context["nearest_known"] = location_of(postcode) is not None
        return context


class StandardPage(ServedPage, Page):
    """Simple content pages: about us, legal notices, jobs..."""

    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("content page")

    def serve(self, request, *args, **kwargs):
        page_cache.share(request)
        return super().serve(request, *args, **kwargs)
