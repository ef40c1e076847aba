"""The Wagtail admin's snippet views for promotions (registered in wagtail_hooks.py)."""

from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Promotion


class PromotionViewSet(SnippetViewSet):
    model = Promotion
    icon = "tag"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["name", "code", "kind", "restaurant", "live"]
    list_filter = ["kind", "live"]
    search_fields = ["name", "code"]
