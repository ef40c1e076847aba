"""The site's general pages: the home page (with the postcode search) and simple content pages."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.images import get_image_model
from wagtail.models import Page

from ..forms import PostcodeSearchForm
from .restaurants import RestaurantPage


class HomePage(Page):
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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        restaurants = RestaurantPage.objects.live().child_of(self).select_related("photo")
        context["restaurants"] = restaurants
        form = PostcodeSearchForm(request.GET or None)
        context["postcode_form"] = form
        if form.is_valid():
            postcode = form.cleaned_data["postcode"]
            context["searched_postcode"] = postcode
            context["delivering_restaurants"] = RestaurantPage.delivering_to(postcode, restaurants)
        return context


class StandardPage(Page):
    """Simple content pages: about us, legal notices, jobs..."""

    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["home.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("content page")
