"""What the site's pages are made of, for the page cache (core.page_cache): the
content version is bumped, once committed, by Wagtail's publish and unpublish
signals and by every save or deletion of something a page shows (pages, the
catalogue, menus, hours, images). Other apps add their own models (`watch`: the
ordering app's ingredients and recipes, which decide what can be made)."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move, published, unpublished

from core import versions
from core.page_cache import CONTENT


def bump_content(sender=None, **kwargs):
    versions.bump_on_commit(CONTENT)


def watch(*models):
    """Saves and deletions of these models (and their subclasses) change the site's content."""
    for model in models:
        uid = f"home.cache.{model._meta.label}"
        post_save.connect(bump_content, sender=model, dispatch_uid=uid + ".save", weak=False)
        post_delete.connect(bump_content, sender=model, dispatch_uid=uid + ".delete", weak=False)


def _bump_on_page_save(sender, instance, **kwargs):
    if isinstance(instance, Page):  # every page model (post_save is sent with the concrete class)
        versions.bump_on_commit(CONTENT)


def connect():
    from .models import (
        Allergen,
        Category,
        DietaryTag,
        ExceptionalClosure,
        MenuItem,
        OpeningHours,
        Option,
        OptionGroup,
        OptionSizePrice,
        Product,
        ProductSize,
        RestaurantPage,
    )

    watch(Site, get_image_model(), Allergen, Category, DietaryTag, Product, ProductSize, MenuItem)
    watch(OpeningHours, ExceptionalClosure, RestaurantPage)
    watch(PageViewRestriction)  # privacy: remembered routes (home.routes) and shared pages
    watch(OptionGroup, Option, OptionSizePrice)  # the menu's "Personnaliser" links
    post_save.connect(_bump_on_page_save, dispatch_uid="home.cache.page_save")
    post_delete.connect(_bump_on_page_save, dispatch_uid="home.cache.page_delete")
    for signal in (page_published, page_unpublished, post_page_move, published, unpublished):
        signal.connect(bump_content, dispatch_uid=f"home.cache.{id(signal)}", weak=False)
    m2m_changed.connect(bump_content, sender=Product.allergens.through, dispatch_uid="home.cache.allergens")
    m2m_changed.connect(bump_content, sender=Product.diet_tags.through, dispatch_uid="home.cache.diet_tags")
