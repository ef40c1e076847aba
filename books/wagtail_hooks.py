"""Registers the books with Wagtail; what is registered is defined elsewhere."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from ordering.staff.permissions import MANAGER, sees_every_restaurant

from .models import VatRate


class BooksMenuItem(MenuItem):
    """Managers and head office."""

    def is_shown(self, request):
        return sees_every_restaurant(request.user) or request.user.has_perm(MANAGER)


class VatRateViewSet(SnippetViewSet):
    model = VatRate
    icon = "doc-full"
    menu_label = _("VAT rates")
    list_display = ["category", "fulfilment", "rate"]


@hooks.register("register_admin_urls")
def books_urls():
    return [path("livres/", include("books.admin_urls"))]


@hooks.register("register_admin_menu_item")
def books_menu_item():
    return BooksMenuItem(_("Books"), reverse("books_admin:index"), icon_name="doc-full", order=160)


register_snippet(VatRateViewSet)
