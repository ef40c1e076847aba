from wagtail.snippets.models import register_snippet

from .viewsets import CatalogueViewSetGroup

register_snippet(CatalogueViewSetGroup)
