"""The page cache (core/page_cache.py): what anonymous visitors share, what ends an
entry (each kind of change, the next opening-status change, an evicted version),
no token nor cookie in shared pages and how forms still get their token, the menu
fragment for visitors with a session, and the polls that read nothing."""

import gzip
import re
import time
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection
from wagtail.images import get_image_model
from wagtail.models import PageViewRestriction

from core import page_cache, versions
from home.models import Category, DietaryTag, MenuItem, Product, RestaurantPage
from ordering import board_version
from ordering.models import Ingredient, RecipeLine, Stock
from ordering.services import transition
from ordering.stock import record_movement
from ordering.workflow import Status
from tests.conftest import make_closed_for, size_of
from tests.ordering.test_staff import login, order_at

pytestmark = pytest.mark.django_db
ADD = "/commande/panier/ajouter/"
TOKEN = re.compile(rb'name="csrfmiddlewaretoken"')
TOKEN_VALUE = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')


def get(client, url, **headers):
    return client.get(url, headers=headers)


def outcome(response):
    return response.get("X-Page-Cache")


def cached_twice(client, url):
    """The page, rendered then served from the cache."""
    first, second = client.get(url), client.get(url)
    assert (outcome(first), outcome(second)) == ("MISS", "HIT"), (outcome(first), outcome(second))
    return second


def test_a_menu_page_is_shared_without_token_cookie_or_vary_cookie(client, bastille):
    response = cached_twice(client, bastille.url)
    for answer in (client.get(bastille.url), client.get("/")):
        assert answer.status_code == 200
        assert not answer.cookies, answer.cookies  # no Set-Cookie: csrftoken nor sessionid
        assert not TOKEN.search(answer.content)
        assert "Cookie" not in answer["Vary"] and "Accept-Language" in answer["Vary"]
        assert re.fullmatch(r"@\d+", answer["X-Accel-Expires"])
    assert b"data-add-to-cart" in response.content and b"js/csrf.js" in response.content


def test_a_hit_reads_no_database(client, bastille):
    cached_twice(client, bastille.url)
    with CaptureQueriesContext(connection) as queries:
        assert outcome(client.get(bastille.url)) == "HIT"
    assert len(queries) == 0


def test_entries_are_per_language_and_the_gzip_is_made_once(client, bastille):
    french = cached_twice(client, bastille.url)
    english = get(client, bastille.url, accept_language="en")
    assert outcome(english) == "MISS" and b'lang="en"' in english.content and b'lang="fr"' in french.content
    zipped = get(client, bastille.url, accept_encoding="gzip, br")
    assert outcome(zipped) == "HIT" and zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == french.content


def test_a_visitor_with_a_session_gets_a_fresh_page_with_tokens(client, bastille):
    cached_twice(client, bastille.url)
    client.post(ADD, {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 1})
    assert "sessionid" in client.cookies
    page = client.get(bastille.url)
    assert outcome(page) is None and page.status_code == 200
    assert len(TOKEN.findall(page.content)) > 5  # every add-to-cart form and the language form
    assert b"data-cart-count>1<" in page.content


def test_a_messages_cookie_is_not_served_the_shared_page(client, bastille):
    cached_twice(client, bastille.url)
    client.cookies["messages"] = "anything"
    assert outcome(client.get(bastille.url)) is None


# --- what ends an entry ---------------------------------------------------------


def rename_product(product_slug, name):
    product = Product.objects.get(slug=product_slug)
    product.name = name
    product.save_revision().publish()


def change_size_price():
    size = size_of("reine")
    size.price = Decimal("23.45")
    size.save()
    return "23,45"


CHANGES = {
    "product published": lambda bastille: rename_product("reine", "Reine Nouvelle") or "Reine Nouvelle",
    "size price": lambda bastille: change_size_price(),
    "category": lambda bastille: _rename(Category.objects.get(products__slug="reine"), "Nos pizzas maison"),
    "allergen": lambda bastille: _rename(Product.objects.get(slug="reine").allergens.first(), "Moutarde de Dijon"),
    "diet tag": lambda bastille: _rename(DietaryTag.objects.filter(product__isnull=False).first(), "Très végé"),
    "menu item price": lambda bastille: _menu_price(bastille),
    "page published": lambda bastille: _publish_intro(bastille, "Nouvelle adresse, même four"),
    "hours": lambda bastille: _close(bastille),
}


def _rename(obj, name):
    obj.name = name
    obj.save()
    return name


def _menu_price(bastille):
    item = MenuItem.objects.filter(restaurant=bastille, product__slug="reine").get()
    item.price_override = Decimal("31.10")
    item.save()
    return "31,10"


def _publish_intro(bastille, intro):
    page = RestaurantPage.objects.get(pk=bastille.pk)
    page.intro = intro
    page.save_revision().publish()
    return intro


def _close(bastille):
    make_closed_for(bastille)
    return "Fermé"


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_kind_of_content_change_ends_the_entry(client, bastille, change):
    before = cached_twice(client, bastille.url)
    shown = CHANGES[change](bastille)
    assert shown not in before.content.decode()
    after = client.get(bastille.url)
    assert outcome(after) == "MISS" and shown in after.content.decode()


def test_unpublishing_the_page_ends_the_entry(client, bastille):
    cached_twice(client, bastille.url)
    RestaurantPage.objects.get(pk=bastille.pk).unpublish()
    assert client.get(bastille.url).status_code == 404


def test_an_image_change_ends_the_entry(client, bastille):
    cached_twice(client, bastille.url)
    image = get_image_model().objects.order_by("pk").first()
    image.title = "Autre titre"
    image.save()
    assert outcome(client.get(bastille.url)) == "MISS"


def sold_out_count(response):
    return response.content.decode().count('class="sold-out"')


def test_a_recipe_change_ends_the_entry(client, bastille):
    before = cached_twice(client, bastille.url)
    ham = Ingredient.objects.get(name="Jambon blanc")
    Stock.objects.filter(restaurant=bastille, ingredient=ham).update(quantity=Decimal("100"))
    cached_twice(client, bastille.url)
    RecipeLine.objects.filter(ingredient=ham).update(quantity=Decimal("1"))  # a bulk update: no signal
    line = RecipeLine.objects.filter(ingredient=ham).first()
    line.quantity = Decimal("500")
    line.save()
    after = client.get(bastille.url)
    assert outcome(after) == "MISS" and sold_out_count(after) > sold_out_count(before)


@pytest.mark.parametrize("write", ["movement", "queryset update", "bulk_update", "order placed", "order cancelled"])
def test_every_stock_write_ends_the_restaurants_entry(client, bastille, write):
    cached_twice(client, bastille.url)
    nation = RestaurantPage.objects.get(slug="nation")
    cached_twice(client, nation.url)
    ham = Stock.objects.get(restaurant=bastille, ingredient__name="Jambon blanc")
    if write == "movement":
        record_movement(ham, -ham.quantity, "waste")
    elif write == "queryset update":
        Stock.objects.filter(pk=ham.pk).update(quantity=0)
    elif write == "bulk_update":
        ham.quantity = 0
        Stock.objects.bulk_update([ham], ["quantity"])
    elif write == "order placed":
        order_at(bastille)
    else:
        order = order_at(bastille)
        cached_twice(client, bastille.url)
        transition(order, Status.CANCELLED)
    assert outcome(client.get(bastille.url)) == "MISS"
    assert outcome(client.get(nation.url)) == "HIT"  # another restaurant's stock: its page stays


def test_a_sold_out_size_shows_at_once_after_a_stock_write(client, bastille):
    before = cached_twice(client, bastille.url)
    Stock.objects.filter(restaurant=bastille, ingredient__name="Jambon blanc").update(quantity=0)
    assert sold_out_count(client.get(bastille.url)) > sold_out_count(before)


def test_an_entry_ends_at_the_next_opening_status_change(client, bastille, monkeypatch):
    opens = make_closed_for(bastille, hours=2)
    cached_twice(client, bastille.url)
    entry = max(
        (value for value in _entries() if b"OC Pizza Bastille" in value["content"]), key=lambda e: e["checked_at"]
    )
    assert entry["until"] <= opens.timestamp() and entry["until"] > time.time()

    class Later:
        @staticmethod
        def time():
            return entry["until"] + 1

    monkeypatch.setattr(page_cache, "time", Later)
    assert outcome(client.get(bastille.url)) != "HIT"  # rendered again (not kept: its moment is past)


def _entries():
    client = get_redis_connection("default")
    for key in client.scan_iter(match="*page:*"):
        value = cache.get(key.decode().split(":", 2)[2])
        if value is not None:
            yield value


def test_an_evicted_version_starts_again_above_any_old_value(client, bastille):
    cached_twice(client, bastille.url)
    old = versions.current(page_cache.CONTENT)
    cache.delete(f"version:{page_cache.CONTENT}")  # what Redis's eviction does
    assert outcome(client.get(bastille.url)) == "MISS"
    assert versions.current(page_cache.CONTENT) > old
    cache.delete(f"version:{board_version.stock_name(bastille.pk)}")
    assert versions.bump(board_version.stock_name(bastille.pk)) > old


def test_only_the_filter_forms_own_queries_are_kept(client, bastille):
    assert outcome(client.get(bastille.url + "?utm_source=x")) is None
    assert outcome(client.get(bastille.url + "?sans=lait&sans=lait")) is None
    assert outcome(client.get(bastille.url + "?sans=lait&regime=vegetarien")) is None  # not the form's order
    cached_twice(client, bastille.url + "?regime=vegetarien&sans=lait")
    assert outcome(client.get("/?postcode=75011")) is None  # searches are rendered afresh


# --- the menu fragment for visitors with a session -------------------------------


def test_the_menu_fragment_spares_a_session_visitors_render(client, bastille):
    client.post(ADD, {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 1})
    with CaptureQueriesContext(connection) as cold:
        first = client.get(bastille.url)
    with CaptureQueriesContext(connection) as warm:
        second = client.get(bastille.url)
    assert len(warm) < len(cold) - 4, (len(cold), len(warm))
    assert len(_tokens(first)) == len(_tokens(second)) > 5
    assert _secrets(second) == {client.cookies["csrftoken"].value}
    other = Client()  # another visitor, with their own token in the same fragment
    other.post(ADD, {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 1})
    assert _secrets(other.get(bastille.url)) == {other.cookies["csrftoken"].value} != _secrets(second)
    Stock.objects.filter(restaurant=bastille, ingredient__name="Jambon blanc").update(quantity=0)
    assert sold_out_count(client.get(bastille.url)) > sold_out_count(second)


def _secrets(response):
    return {_unmask_cipher_token(token) for token in _tokens(response)}


def _tokens(response):
    return re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())


# --- remembered routes and the content fragment (home/routes.py) --------------------


def session_visitor():
    """A visitor with a session cookie (always a fresh render) and an empty cart."""
    visitor = Client()
    visitor.cookies["sessionid"] = "no-such-session"
    return visitor


def test_a_session_visitors_warm_render_reads_no_database(bastille):
    visitor = session_visitor()
    with CaptureQueriesContext(connection) as cold:
        first = visitor.get(bastille.url)
    with CaptureQueriesContext(connection) as warm:
        second = visitor.get(bastille.url)
    assert outcome(first) is None and first.status_code == second.status_code == 200
    tables = " ".join(query["sql"] for query in cold.captured_queries)
    assert "wagtailcore_site" in tables and "wagtailcore_pageviewrestriction" in tables
    # Routing, view restrictions, hours, hero photo, busy mode and both fragments: all kept.
    assert len(warm) == 0, [query["sql"][:80] for query in warm.captured_queries]
    assert TOKEN_VALUE.sub(b"", second.content) == TOKEN_VALUE.sub(b"", first.content)


def test_a_remembered_route_ends_with_a_publication_a_move_or_a_restriction(bastille):
    visitor = session_visitor()
    visitor.get(bastille.url)
    _publish_intro(bastille, "Ouvert le dimanche soir")
    assert "Ouvert le dimanche soir" in visitor.get(bastille.url).content.decode()
    PageViewRestriction.objects.create(page=bastille, restriction_type="password", password="four-a-bois")
    restricted = visitor.get(bastille.url)
    assert restricted.status_code == 200 and b'name="password"' in restricted.content
    assert b"data-add-to-cart" not in restricted.content
    PageViewRestriction.objects.filter(page=bastille).delete()
    assert b"data-add-to-cart" in visitor.get(bastille.url).content
    RestaurantPage.objects.get(pk=bastille.pk).unpublish()
    assert visitor.get(bastille.url).status_code == 404


def test_a_remembered_route_is_forgotten_after_a_minute_whatever_the_versions(bastille, monkeypatch):
    from home import routes

    visitor = session_visitor()
    visitor.get(bastille.url)
    # A change the content version did not hear of (no signal): the route stays a minute at most.
    RestaurantPage.objects.filter(pk=bastille.pk).update(live=False)
    assert visitor.get(bastille.url).status_code == 200
    clock = time.monotonic() + routes.KEPT_SECONDS + 1
    monkeypatch.setattr(routes, "monotonic", lambda: clock)
    assert visitor.get(bastille.url).status_code == 404


def test_the_restaurant_information_is_kept_until_the_content_changes(bastille):
    visitor = session_visitor()
    visitor.get(bastille.url)
    assert "Frais de livraison 4,15" not in visitor.get(bastille.url).content.decode()
    page = RestaurantPage.objects.get(pk=bastille.pk)
    page.delivery_fee = Decimal("4.15")
    page.save_revision().publish()
    assert "Frais de livraison 4,15" in visitor.get(bastille.url).content.decode()
    opens = make_closed_for(bastille)
    assert f"{opens:%H:%M}–" in visitor.get(bastille.url).content.decode()


# --- forms without a token in the page ---------------------------------------------


def test_a_form_from_a_shared_page_gets_its_token_from_the_endpoint(bastille):
    client = Client(enforce_csrf_checks=True)
    cached_twice(client, bastille.url)
    answer = client.get("/csrf-token/")
    assert "no-cache" in answer["Cache-Control"] or "no-store" in answer["Cache-Control"]
    token = answer.json()["token"]
    data = {"restaurant": bastille.pk, "size": size_of("reine").pk, "quantity": 1}
    response = client.post(ADD, {**data, "csrfmiddlewaretoken": token}, headers={"accept": "application/json"})
    assert response.status_code == 200 and response.json()["count"] == 1
    # The cookie's own value works as well (what csrf.js reads when the cookie is there).
    cookie = client.cookies["csrftoken"].value
    response = client.post(ADD, {**data, "csrfmiddlewaretoken": cookie}, headers={"accept": "application/json"})
    assert response.status_code == 200 and response.json()["count"] == 2


def test_without_javascript_the_csrf_page_offers_the_form_again(bastille):
    client = Client(enforce_csrf_checks=True)
    size = size_of("reine")
    data = {"restaurant": bastille.pk, "size": size.pk, "quantity": "1", "next": "/bastille/#reine"}
    refused = client.post(ADD, data)
    assert refused.status_code == 403 and "csrftoken" in refused.cookies
    html = refused.content.decode()
    form = re.search(r'<form method="post" action="([^"]+)">(.*?)</form>', html, re.S)
    assert form.group(1) == ADD
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    assert {key: fields[key] for key in data} == {key: str(value) for key, value in data.items()}
    confirmed = client.post(form.group(1), fields)
    assert confirmed.status_code == 302 and client.session["cart"]["lines"] == {str(size.pk): 1}


def test_another_sites_post_is_not_offered_again(bastille):
    client = Client(enforce_csrf_checks=True)
    client.get("/csrf-token/")
    refused = client.post(ADD, {"restaurant": bastille.pk, "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403 and b"Continue" not in refused.content and b"Continuer" not in refused.content


# --- polls that read nothing ------------------------------------------------------


def test_an_unchanged_kitchen_board_poll_costs_no_query(client, bastille):
    login(client, "pizzaiolo-bastille")
    for url in (f"/admin/cuisine/{bastille.pk}/colonnes/", f"/admin/cuisine/{bastille.pk}/four/colonnes/"):
        version = str(board_version.current(bastille.pk))
        assert client.get(url, {"v": version}).status_code == 204  # the full checks, once
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"v": version}).status_code == 204
        assert len(queries) == 0, [q["sql"] for q in queries.captured_queries]
        board_version.bump(bastille.pk)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"v": version}).status_code == 200  # changed: the full checks and the orders
        assert len(queries) > 3


def test_the_remembered_check_is_the_sessions_own(client, bastille):
    login(client, "pizzaiolo-bastille")
    url = f"/admin/cuisine/{bastille.pk}/colonnes/"
    version = str(board_version.current(bastille.pk))
    client.get(url, {"v": version})
    other = login(Client(), "pizzaiolo-nation")
    assert other.get(url, {"v": version}).status_code == 403
    anonymous = Client()
    anonymous.cookies["sessionid"] = client.cookies["sessionid"].value + "x"
    assert anonymous.get(url, {"v": version}).status_code != 204
    client.logout()
    assert client.get(url, {"v": version}).status_code != 204


def test_an_unchanged_tracking_poll_is_a_304_without_reading_the_order(
    client, bastille, django_capture_on_commit_callbacks
):
    order = order_at(bastille)
    url = f"/commande/suivi/{order.tracking_token}/etat/"
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    with CaptureQueriesContext(connection) as queries:
        unchanged = client.get(url, headers={"if-none-match": etag})
    assert unchanged.status_code == 304 and len(queries) == 0
    with django_capture_on_commit_callbacks(execute=True):  # the receivers run once committed
        transition(order, Status.IN_PREPARATION)
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200 and changed.json()["status"] == "in_preparation" and changed["ETag"] != etag
    english = client.get(url, headers={"if-none-match": changed["ETag"], "accept-language": "en"})
    assert english.status_code == 200  # another language, another answer
