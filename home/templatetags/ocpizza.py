import re
from datetime import timedelta

from django import template
from django.core.cache import cache
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from wagtail.images.models import ResponsiveImage
from wagtail.images.shortcuts import get_renditions_or_not_found

from core import page_cache
from core.money import format_euros
from core.page_cache import MARKER
from home.models.catalogue import PRODUCT_CARD_RENDITIONS, PRODUCT_CARD_SIZES

register = template.Library()


@register.filter
def euros(value):
    """{{ price|euros }} -> "12,50 €"."""
    if value in (None, ""):
        return ""
    return format_euros(value)


@register.filter
def first_available(priced_sizes):
    """The size chosen on a product card: the first one the kitchen can make (None: all sold out)."""
    return next((size for size, _price in priced_sizes if getattr(size, "can_make", None) != 0), None)


@register.simple_tag
def product_card_photo(image, **attrs):
    """{% product_card_photo product.photo alt="" %}: like {% srcset_image %} with the
    product card's sizes, the renditions restaurant pages prefetch (PRODUCT_CARD_RENDITIONS).
    Prefetched renditions are not written back to the cache (Wagtail's get_renditions
    skips them): no Redis write per card."""
    renditions = get_renditions_or_not_found(image, PRODUCT_CARD_RENDITIONS)
    return ResponsiveImage(renditions, {"sizes": PRODUCT_CARD_SIZES, **attrs})


@register.simple_tag
def csrf_marker():
    """In a form of a page anonymous visitors may share, instead of {% csrf_token %}:
    the visitor's token in a page rendered for them, nothing in a shared page (the
    form gets its token when it is submitted). core.page_cache.CsrfMarkerMiddleware."""
    return mark_safe(MARKER.decode())


_LINE_BREAKS = re.compile(r"[ \t\r\f]*\n[ \t\r\n\f]*")  # ASCII whitespace only: never a no-break space
_WHITESPACE_KEEPERS = re.compile(r"<(pre|textarea|script)\b", re.IGNORECASE)


def compact(html):
    """The indentation and blank lines the templates leave, taken out of a kept fragment
    (a tenth of the menu's bytes): each run of whitespace with a line break becomes one
    line break, which renders the same. Not where whitespace is content (<pre>, ...)."""
    return html if _WHITESPACE_KEEPERS.search(html) else _LINE_BREAKS.sub("\n", html)


class MenuFragmentNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        fragment = context.get("menu_fragment")
        if fragment is None:  # a preview: built in the context already
            return self.nodelist.render(context)
        html = cache.get(fragment.key)
        if html is None:
            with context.push(**fragment.build()):
                html = compact(self.nodelist.render(context))
            cache.set(fragment.key, html, fragment.timeout)
        return mark_safe(html)


@register.tag
def menu_fragment(parser, token):
    """{% menu_fragment %}...{% endmenu_fragment %}: the restaurant's menu, kept in the
    cache per page, language, URL, content and stock version (RestaurantPage.MenuFragment):
    visitors with a session, who always get a fresh page, get it without the menu's work."""
    nodelist = parser.parse(("endmenu_fragment",))
    parser.delete_first_token()
    return MenuFragmentNode(nodelist)


CONTENT_FRAGMENT_TIMEOUT = 24 * 3600


class ContentFragmentNode(template.Node):
    def __init__(self, name, nodelist):
        self.name, self.nodelist = name, nodelist

    def render(self, context):
        request, page = context.get("request"), context.get("page")
        if request is None or page is None or getattr(request, "is_preview", False):
            return self.nodelist.render(context)
        content = page_cache.depends_on(request, page_cache.CONTENT)[page_cache.CONTENT]
        if content is None:  # the cache cannot tell
            return self.nodelist.render(context)
        key = f"content-fragment:{self.name}:{page.pk}:{get_language()}:{timezone.localdate()}:{content}"
        html = cache.get(key)
        if html is None:
            html = compact(self.nodelist.render(context))
            cache.set(key, html, CONTENT_FRAGMENT_TIMEOUT)
        return mark_safe(html)


@register.tag
def content_fragment(parser, token):
    """{% content_fragment "name" %}...{% endcontent_fragment %}: a part of a page that
    shows the page's content only (nothing of the stock or the visitor: its hours,
    address, delivery terms), kept in the cache per page, language, day (upcoming
    closures) and content version, for every visitor."""
    bits = token.split_contents()
    if len(bits) != 2 or bits[1][0] not in "\"'" or bits[1][0] != bits[1][-1]:
        raise template.TemplateSyntaxError("{% content_fragment %} takes one quoted name")
    nodelist = parser.parse(("endcontent_fragment",))
    parser.delete_first_token()
    return ContentFragmentNode(bits[1][1:-1], nodelist)


@register.simple_tag
def opening_label(status):
    """ "Open · closes at 22:30" / "Closed · opens tomorrow at 11:30"."""
    if status.is_open:
        return _("Open · closes at %(time)s") % {"time": time_format(timezone.localtime(status.closes_at), "H:i")}
    if status.opens_at is None:
        return _("Closed")
    opens = timezone.localtime(status.opens_at)
    today = timezone.localdate()
    at = time_format(opens, "H:i")
    if opens.date() == today:
        return _("Closed · opens at %(time)s") % {"time": at}
    if opens.date() == today + timedelta(days=1):
        return _("Closed · opens tomorrow at %(time)s") % {"time": at}
    return _("Closed · opens %(day)s at %(time)s") % {"day": date_format(opens, "l j F"), "time": at}


@register.filter
def moment_label(moment):
    """A time the kitchen can keep: "12:00" today, "tomorrow 12:00", "Friday 12:00"."""
    local = timezone.localtime(moment)
    at = time_format(local, "H:i")
    today = timezone.localdate()
    if local.date() == today:
        return at
    if local.date() == today + timedelta(days=1):
        return _("tomorrow %(time)s") % {"time": at}
    return _("%(day)s %(time)s") % {"day": date_format(local, "l"), "time": at}


@register.filter
def duration_minutes(value):
    """timedelta -> "12 min"."""
    return f"{round(value.total_seconds() / 60)} min"
