"""Every admin listing and chooser the project registers (snippet viewsets and
their choosers, history and usage) filters only by its declared filters:
relation-traversing lookups are ignored, garbage values never give a 500."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from wagtail.snippets.models import get_snippet_models

from ordering.models import Order
from tests.ordering.test_staff import order_at

pytestmark = pytest.mark.django_db

# Who can open each app's snippets besides the superuser.
READERS = {"home": "marketing", "ordering": "gerant-bastille"}
# Lookups through relations towards orders, tokens and password hashes, and plain undeclared lookups.
PROBES = [
    "pk__in",
    "id",
    "id__gt",
    "name__startswith",
    "user__password__startswith",
    "size__product__name",
    "ingredient__stocks__restaurant__orders__tracking_token__startswith",
    "restaurants__orders__tracking_token__startswith",
    "product__sizes__recipe_lines__ingredient__name",
    "category__products__name__startswith",
    "owner__password__startswith",
    "content_type__model",
]
GARBAGE = ["\x00", "x" * 300, "9" * 40]
ANSWERED = (200, 400, 404)  # 404: a chooser's page number that does not exist (Django's ListView)
# search, page, ordering, the choosers' and the history's own filters
COMMON = [
    "q",
    "p",
    "ordering",
    "locale",
    "collection_id",
    "_w_filter_fragment",
    "search_query",
    "action",
    "user",
    "timestamp_after",
    "timestamp_before",
    "content_type",
    "object_type",
]


def listing_urls(viewset, obj):
    # (the "_results" variants run the same view code, and are left out to keep the test short)
    urls = [reverse(viewset.get_url_name("list")), reverse(viewset.chooser_viewset.get_url_name("choose"))]
    if obj is not None:
        urls += [
            reverse(viewset.get_url_name("history"), args=[obj.pk]),
            reverse(viewset.get_url_name("usage"), args=[obj.pk]),
        ]
    return urls


def shown_ids(html):
    return sorted(set(re.findall(r"/(?:edit|chosen|inspect)/(\d+)/", html)))


def registered():
    for model in get_snippet_models():
        if model._meta.app_label in READERS:
            yield model


def users_for(model):
    names = ["admin"] + ([READERS[model._meta.app_label]] if model._meta.app_label in READERS else [])
    return [get_user_model().objects.get(username=name) for name in names]


def test_the_project_registers_the_listings_this_test_walks():
    names = {m._meta.label_lower for m in registered()}
    assert {
        "home.product",
        "home.category",
        "home.allergen",
        "home.dietarytag",
        "ordering.ingredient",
        "ordering.recipeline",
        "ordering.recipesteps",
        "ordering.staffmember",
    } <= names


@pytest.mark.parametrize("model", list(registered()), ids=lambda m: m._meta.label_lower)
def test_undeclared_lookups_are_ignored_and_garbage_never_500s(client, bastille, model):
    order_at(bastille)  # an order whose token a probe could look for
    token = Order.objects.get().tracking_token
    obj = model._default_manager.order_by("pk").first()
    viewset = model.snippet_viewset
    declared = list(viewset.list_filter) if isinstance(viewset.list_filter, (list, tuple, dict)) else []
    listed_some = False
    for user in users_for(model):
        client.force_login(user)
        for url in listing_urls(viewset, obj):
            baseline = client.get(url)
            if baseline.status_code == 302:  # this user may not list this model
                continue
            assert baseline.status_code == 200, (user.username, url)
            expected = shown_ids(baseline.content.decode())
            listed_some = listed_some or bool(expected)
            # All probes at once: had any of them filtered, "zzz-none" would have emptied the list.
            for value in ("zzz-none", token[:1]):
                response = client.get(url, dict.fromkeys(PROBES, value))
                assert response.status_code in (200, 400), (user.username, url, value)
                if response.status_code == 200:
                    assert shown_ids(response.content.decode()) == expected, (user.username, url, value)
            for value in GARBAGE:
                response = client.get(url, {name: value for name in COMMON + declared if name != "p"})
                assert response.status_code in (200, 400), (user.username, url, repr(value)[:30])
                assert client.get(url, {"p": value}).status_code in ANSWERED, (user.username, url, repr(value)[:30])
            for ordering in ("user__password", "-restaurants__orders__tracking_token", "?", "\x00"):
                response = client.get(url, {"ordering": ordering})
                assert response.status_code in ANSWERED, (url, ordering)
    assert listed_some, "the probes were checked against an empty list"
