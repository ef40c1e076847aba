"""Registers the offers app with Wagtail (what is registered is defined in offers.viewsets)."""

from wagtail.snippets.models import register_snippet

from .viewsets import PromotionViewSet

register_snippet(PromotionViewSet)
