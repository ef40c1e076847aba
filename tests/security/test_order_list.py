"""The orders list answers only its declared filters, search, ordering and
pagination; anything else, or a value that does not parse, is a 400."""

import html
import re

import pytest
from django.contrib.auth import get_user_model

from tests.ordering.test_staff import login, nation, order_at  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
ORDERS = "/admin/ordering/order/"
# From pizzaiolo-nation's orders, through relations, to Bastille's orders and users.
TO_OTHER_ORDERS = "restaurant__content_type__pages__restaurantpage__orders__"
TO_PASSWORDS = "restaurant__staff__user__groups__permissions__group__user__password__startswith"


def listed(response, order):
    return order.number in response.content.decode()


def test_a_relation_lookup_cannot_read_another_restaurants_tracking_token(client, bastille, nation):
    theirs, ours = order_at(bastille), order_at(nation)
    login(client, "pizzaiolo-nation")
    answers = []
    for guess in (theirs.tracking_token[0], "#"):
        response = client.get(
            ORDERS, {f"{TO_OTHER_ORDERS}number": theirs.number, f"{TO_OTHER_ORDERS}tracking_token__startswith": guess}
        )
        assert response.status_code == 400, guess
        assert "ne fait pas partie des filtres de cette liste" in response.content.decode()
        answers.append(listed(response, ours))
    assert answers == [False, False]  # no yes/no oracle


def test_a_relation_lookup_cannot_read_a_managers_password_hash(client, bastille, nation):
    order_at(nation)
    password = get_user_model().objects.get(username="gerant-bastille").password
    login(client, "pizzaiolo-nation")
    for guess in (password[:3], "zzz"):
        response = client.get(ORDERS, {TO_PASSWORDS: guess})
        assert response.status_code == 400
        assert password[:3] not in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"restaurant": "abc"},
        {"restaurant__id__exact": "4"},
        {"restaurant__page_ptr__exact": "abc"},
        {"restaurant__page_ptr__exact": "4.0"},
        {"restaurant__page_ptr__exact": "9" * 30},
        {"restaurant__page_ptr__exact": "-1"},
        {"restaurant__page_ptr__exact": "\x00"},
        {"day__gte": "notadate"},
        {"day__lt": "99999-01-01"},
        {"created_at__gte": "zz"},
        {"q": "\x00"},
        {"q": "x" * 1000},
        {"p": "x"},
        {"p": "9" * 40},
        {"p": "-1"},
        {"o": "x"},
        {"o": "99"},
        {"o": "9" * 40},
        {"status__exact": "nope"},
        {"status__exact": "\x00"},
        {"payment_state__exact": "x" * 300},
        {"export": "csv"},
        {"e": "1"},
        {"ot": "asc"},
        {"status__isnull": "True"},
        {"id__gt": "0"},
    ],
)
def test_unknown_or_unparsable_parameters_are_a_clear_400(client, bastille, query):
    order_at(bastille)
    login(client, "gerant-bastille")
    response = client.get(ORDERS, query)
    assert response.status_code == 400, query
    assert response["Content-Type"].startswith("text/html")
    assert response.content.strip()


def test_repeated_parameters_are_refused(client, bastille):
    login(client, "gerant-bastille")
    assert client.get(f"{ORDERS}?status__exact=placed&status__exact=ready").status_code == 400


def test_the_restaurant_filter_offers_and_accepts_only_own_restaurants(client, bastille, nation):
    theirs = order_at(bastille)
    ours = order_at(nation)
    login(client, "pizzaiolo-nation")
    response = client.get(ORDERS, {"restaurant__page_ptr__exact": bastille.pk})
    assert response.status_code == 400 and not listed(response, theirs)
    response = client.get(ORDERS, {"restaurant__page_ptr__exact": nation.pk})
    assert response.status_code == 200 and listed(response, ours)
    assert f"restaurant__page_ptr__exact={bastille.pk}" not in client.get(ORDERS).content.decode()
    # head office sees both restaurants in the filter, a restaurant's staff only theirs
    page = login(client, "siege").get(ORDERS).content.decode()
    assert f"restaurant__page_ptr__exact={bastille.pk}" in page and f"restaurant__page_ptr__exact={nation.pk}" in page


def test_declared_filters_search_ordering_and_pages_still_work(client, bastille):
    order = order_at(bastille)
    login(client, "siege")
    day = order.day.isoformat()
    for query in (
        {"restaurant__page_ptr__exact": bastille.pk},
        {"status__exact": "placed"},
        {"day__gte": day},
        {"day__gte": day, "day__lt": "2999-01-01"},
        {"payment_method__exact": order.payment_method},
        {"payment_state__exact": order.payment_state},
        {"channel__exact": order.channel},
        {"q": order.number},
        {"o": "-9.0"},
        {"o": "1"},
        {"p": "1"},
        {"p": "0"},
        {"p": "999"},
        {"q": ""},
        {"status__exact": "placed", "q": "Léa", "o": "0", "p": "1"},
    ):
        response = client.get(ORDERS, query)
        assert response.status_code == 200, query
        if query.get("p") != "999":
            assert listed(response, order), query
    assert not listed(client.get(ORDERS, {"status__exact": "ready"}), order)


@pytest.mark.parametrize("username", ["siege", "pizzaiolo-nation", "gerant-bastille"])
def test_every_link_the_list_offers_is_accepted(client, bastille, username):
    order_at(bastille)
    page = login(client, username).get(ORDERS).content.decode()
    links = set(re.findall(r'href="(\?[^"]*)"', page))
    assert links
    for link in links:
        assert client.get(ORDERS + html.unescape(link)).status_code == 200, link
