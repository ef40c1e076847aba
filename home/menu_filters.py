"""The menu's diet and allergen filters, read from the restaurant page's query string.

`?regime=vegetarien&sans=gluten&sans=lait` keeps the products that carry every
diet tag asked for and none of the allergens excluded. The values are those the
catalogue declares (diet tags' slugs, allergens' keys); anything else is refused
(the page answers 400), so a filter never silently shows the wrong products.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

DIET = "regime"
WITHOUT = "sans"
MAX_VALUES = 30  # more than the catalogue declares: not from our form
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_MAX_KEY_LENGTH = 60


class InvalidFilter(ValueError):
    """A filter no form of ours sends; the message is shown to the customer."""


def allergen_key(name):
    """An allergen in a URL: "Œufs" -> "oeufs", "Fruits à coque" -> "fruits-a-coque"."""
    text = name.replace("Œ", "Oe").replace("œ", "oe").replace("Æ", "Ae").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True)
class MenuFilters:
    diets: frozenset = frozenset()  # diet tag slugs, all required
    without: frozenset = frozenset()  # allergen keys, none allowed
    # {key: name} of the filters asked for, to offer them even where this menu has none.
    diet_names: dict = field(default_factory=dict, compare=False)
    allergen_names: dict = field(default_factory=dict, compare=False)

    def __bool__(self):
        return bool(self.diets or self.without)

    def keeps(self, product):
        """Whether the product passes (its tags and allergens are prefetched with the menu)."""
        if self.diets and not self.diets <= {tag.slug for tag in product.diet_tags.all()}:
            return False
        return not (self.without and self.without & {allergen.key for allergen in product.allergens.all()})


def _values(query, name):
    values = query.getlist(name)
    if len(values) > MAX_VALUES:
        raise InvalidFilter(_("Too many menu filters."))
    for value in values:
        if len(value) > _MAX_KEY_LENGTH or not _KEY.fullmatch(value):
            raise InvalidFilter(_("This menu filter is not valid."))
    return frozenset(values)


def _known(asked, declared, message):
    """{key: name} of the asked values; calls declared() (a query) only if something is asked."""
    if not asked:
        return {}
    known = declared()
    if not asked <= known.keys():
        raise InvalidFilter(message)
    return {key: known[key] for key in asked}


def parse_filters(query, declared_diets, declared_allergens):
    """The filters of a query string (a QueryDict), or InvalidFilter.

    declared_diets and declared_allergens return {key: name} of what the catalogue
    declares; each is called (one query) only when the query string asks for that
    kind of filter, so a plain menu costs nothing more.
    """
    diets, without = _values(query, DIET), _values(query, WITHOUT)
    return MenuFilters(
        diets=diets,
        without=without,
        diet_names=_known(diets, declared_diets, _("This diet is not one of our menu's.")),
        allergen_names=_known(without, declared_allergens, _("This allergen is not one of our menu's.")),
    )


def filter_options(items, filters):
    """The choices the menu offers: the diet tags and allergens of its products (prefetched),
    and those asked for. Lists of (key, name, checked), by key."""
    diets, allergens = dict(filters.diet_names), dict(filters.allergen_names)
    for item in items:
        diets.update((tag.slug, tag.name) for tag in item.product.diet_tags.all())
        allergens.update((allergen.key, allergen.name) for allergen in item.product.allergens.all())
    return (
        [(key, diets[key], key in filters.diets) for key in sorted(diets)],
        [(key, allergens[key], key in filters.without) for key in sorted(allergens)],
    )
