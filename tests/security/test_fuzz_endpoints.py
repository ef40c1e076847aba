"""Hostile input to every public and staff endpoint of the project: never a 5xx,
and a refused request writes nothing.

The endpoints come from the URLconf (every view of the project's apps, the
project's modeladmin and snippet screens, login and language forms) and from
the page types of the Wagtail tree; the fields come from the forms the pages
render (and the links of the listings), so a new endpoint or form is fuzzed
without editing this file. Hypothesis draws, per request: who asks (anonymous
with or without a cart, a customer, each staff role of each restaurant, head
office, administrators), GET or POST, form or JSON body, which fields get a
hostile value (10k characters, empty, NUL, RTL/emoji/combining unicode,
non-numeric, -1, 4.0, 999999999.999, 1e309, another restaurant's ids, lists
instead of scalars) and which are left out, and the URL's own parameters
(another restaurant's ids, bogus tracking tokens).

Each endpoint's run reports every distinct 5xx it met at once (exception and
the project's file:line). `FUZZ_EXAMPLES=200` runs a deeper search locally.
"""

import json
import os
import re
import traceback
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from django.contrib.messages import ERROR
from django.db import DatabaseError, transaction
from django.db.models import DecimalField, F, Sum, Value
from django.db.models.functions import Coalesce
from django.test import Client
from django.urls import NoReverseMatch, Resolver404, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import issue_checkout_key, make_always_open, size_of

pytestmark = pytest.mark.django_db

PROJECT_APPS = ("home", "ordering", "books")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Deterministic and bounded: the same examples on every run and in CI.
settings.register_profile(
    "fuzz",
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "10")),
    phases=[Phase.explicit, Phase.generate],  # every distinct 5xx is listed, so no shrinking is needed
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    print_blob=False,
)
FUZZ = settings.get_profile("fuzz")


# --- what is hostile ----------------------------------------------------------

HOSTILE_TEXT = [
    "",
    " ",
    "A" * 10_000,
    "\x00",
    "abc\x00def",
    "\u202eRTL\u202c",
    "🍕" * 40,
    "e\u0301\u0302\u0303" * 50,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "null",
    "[]",
    "{}",
    "true",
    "x" * 255,
    "é" * 300,
    "a@" + "b" * 250 + ".fr",
    "2026-13-45",
    "notadate",
    "zz",
    "25:99",
]
HOSTILE_NUMBERS = [
    "-1",
    "0",
    "4.0",
    "999999999.999",
    "1e309",
    "-1e309",
    "NaN",
    "inf",
    "-0",
    "1e-30",
    "0x10",
    "١٢٣",
    "99999999999999999999",
    str(2**63),
    str(-(2**63) - 1),
    "12,50",
    " 1 ",
    "+1",
    "1_000",
]


# Every field of the project's own forms gets each of these, one field at a time
# (an e-mail field also a long valid address, an id field another restaurant's id).
LONG_EMAIL = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".fr"  # valid for the form, longer than 254
SWEEP_TEXT = ["A" * 10_000, "abc\x00def"]
SWEEP_NUMBERS = ["-1", "999999999.999", "1e309"]  # for the fields whose value is a number


def hostile_scalars(world_ids):
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT + HOSTILE_NUMBERS + world_ids),
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.floats().map(str),
        st.decimals(allow_nan=False, places=4).map(str),
    )


def hostile_values(world_ids):
    scalar = hostile_scalars(world_ids)
    return st.one_of(scalar, scalar, scalar, st.lists(scalar, min_size=0, max_size=3))


def json_values(world_ids):
    scalar = st.one_of(hostile_scalars(world_ids), st.integers(), st.floats(), st.booleans(), st.none())
    return st.recursive(
        scalar,
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
        max_leaves=6,
    )


# --- the endpoints ---------------------------------------------------------


@dataclass(frozen=True)
class Target:
    id: str
    url_name: str | None  # None: a page of the Wagtail tree, served at its URL
    params: tuple = ()
    area: str = "public"  # "public" or "admin" (who may ask)
    page_type: str | None = None


# Wagtail's own screens for the project's snippets that take input (the rest only display).
SNIPPET_VIEWS = ("list", "add", "edit", "choose")
ALSO_FUZZED = ("set_language", "wagtailadmin_login")


def _walk(patterns, prefix="", namespace=(), params=()):
    for pattern in patterns:
        names = params + tuple(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = namespace + ((pattern.namespace,) if pattern.namespace else ())
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner, names)
        elif pattern.name:
            view = pattern.callback
            module = getattr(getattr(view, "view_class", None), "__module__", None) or view.__module__
            yield prefix + str(pattern.pattern), ":".join(namespace + (pattern.name,)), module, names


def discover_targets():
    targets = []
    for route, name, module, params in _walk(get_resolver().url_patterns):
        namespace, _, short = name.rpartition(":")
        snippet = re.match(rf"wagtailsnippet(s|choosers)_({'|'.join(PROJECT_APPS)})_\w+$", namespace)
        modeladmin = re.match(rf"({'|'.join(PROJECT_APPS)})_\w+_modeladmin_\w+$", name)
        if (
            module.split(".")[0] in PROJECT_APPS
            or namespace == "ordering"
            or name in ALSO_FUZZED
            or modeladmin
            or (snippet and short in SNIPPET_VIEWS)
        ):
            targets.append(Target(name, name, params, "admin" if route.startswith("admin/") else "public"))
    from wagtail.models import get_page_models

    for model in get_page_models():
        if model._meta.app_label in PROJECT_APPS:
            label = model._meta.label
            targets.append(Target(f"page:{label}", None, (), "public", label))
            targets.append(Target(f"page-edit:{label}", "wagtailadmin_pages:edit", ("page_id",), "admin", label))
    return targets


PUBLIC_ROLES = ["anonymous", "anonymous-with-cart", "customer"]
STAFF_ROLES = [
    "gerant-bastille",
    "pizzaiolo-bastille",
    "livreur-bastille",
    "comptoir-bastille",
    "pizzaiolo-nation",
    "siege",
]
ADMIN_ROLES = ["anonymous"] + STAFF_ROLES + ["admin", "marketing"]

# A 5xx found by this suite and known, awaiting its fix: {endpoint id: (where
# the fix goes, reason)}. Strict xfails, so the suite turns red once the fix
# lands, telling to remove the entry. Empty: every endpoint holds.
KNOWN_5XX = {}


def _param(target):
    marks = []
    if target.id in KNOWN_5XX:
        branch, reason = KNOWN_5XX[target.id]
        marks.append(pytest.mark.xfail(strict=True, reason=f"fixed in branch {branch}: {reason}"))
    return pytest.param(target, id=target.id, marks=marks)


TARGETS = discover_targets()


# --- the world the requests hit -------------------------------------------


class World:
    """Two restaurants always open, orders in several states in both, clients per role."""

    def __init__(self):
        from django.contrib.auth import get_user_model

        from home.models import RestaurantPage
        from ordering.models import Order, Stock
        from ordering.services import OrderDetails, place_order
        from ordering.workflow import Fulfilment, Status

        self.bastille = RestaurantPage.objects.get(slug="bastille")
        self.nation = RestaurantPage.objects.get(slug="nation")
        for restaurant in (self.bastille, self.nation):
            make_always_open(restaurant)
        self.customer = get_user_model().objects.create_user("fuzz-customer", "fuzz@example.fr", "pizza-pizza-42")
        from ordering.models import SavedAddress

        self.address = SavedAddress.remember(self.customer, "1 rue de Lappe", "75011", "Paris")
        stranger = get_user_model().objects.create_user("fuzz-stranger", "stranger@example.fr", "pizza-pizza-42")
        self.strangers_address = SavedAddress.remember(
            stranger, "2 rue Secrète", "75011", "Paris"
        )  # never theirs to use
        self.cart = {
            "restaurant": self.bastille.pk,
            "lines": {str(size_of("reine").pk): 2, str(size_of("margherita").pk): 1},
        }

        def order_at(restaurant, fulfilment=Fulfilment.DELIVERY, status=None, **extra):
            details = OrderDetails(
                fulfilment=fulfilment,
                name="Léa",
                phone="0612345678",
                email="lea@example.fr",
                street_address="1 rue de Lappe",
                postcode="75011",
                city="Paris",
                **extra,
            )
            order = place_order(restaurant, {size_of("reine").pk: 2}, details)
            if status:
                Order.objects.filter(pk=order.pk).update(status=status)
            return order

        self.orders = {
            "placed": order_at(self.bastille, customer=self.customer),
            "pickup-ready": order_at(self.bastille, Fulfilment.PICKUP, Status.READY),
            "ready": order_at(self.bastille, status=Status.READY),
            "out": order_at(self.bastille, status=Status.OUT_FOR_DELIVERY),
            "delivered": order_at(self.bastille, status=Status.DELIVERED),
            "cancelled": order_at(self.bastille, status=Status.CANCELLED),
            "nation": order_at(self.nation),
        }
        self.orders["awaiting"] = self._paypal_order()
        self.payment = self.orders["awaiting"].paypal_payments.get()
        self.nation_stock = list(Stock.objects.filter(restaurant=self.nation).values_list("pk", flat=True)[:3])
        self.clients = {}
        for role in sorted(set(PUBLIC_ROLES + ADMIN_ROLES)):  # sessions made here, outside any request's savepoint
            self.client_for(role)
        self.ids = sorted(
            {
                str(pk)
                for pk in [
                    self.nation.pk,
                    self.orders["nation"].pk,
                    *self.nation_stock,
                    self.bastille.pk,
                    self.strangers_address.pk,
                ]
            }
        )

    def _paypal_order(self):
        from ordering.models import Order
        from tests.conftest import delivery_form

        client = Client()
        self._set_cart(client)
        client.post(
            reverse("ordering:checkout"),
            delivery_form(payment_method="paypal", checkout_key=issue_checkout_key(client, "f" * 32)),
        )
        return Order.objects.get(checkout_key="f" * 32)

    def _set_cart(self, client, cart=None):
        session = client.session
        session["cart"] = cart if cart is not None else self.cart
        session.save()

    def client_for(self, role):
        """A client logged in as `role`, its session restored as the role starts it: its key (a login
        made a new one, rolled back since) and its data, the cart included."""
        from django.conf import settings as django_settings
        from django.contrib.auth import get_user_model

        client = self.clients.get(role)
        if client is None:
            client = self.clients[role] = Client(raise_request_exception=False)
            if not role.startswith("anonymous"):
                client.force_login(
                    get_user_model().objects.get(username={"customer": self.customer.username}.get(role, role))
                )
            session = client.session
            session["cart"] = self.cart if role in ("anonymous-with-cart", "customer") else {}
            session.save()
            client.fuzz_session = (session.session_key, dict(session.items()))
        key, data = client.fuzz_session
        client.cookies.clear()
        client.cookies[django_settings.SESSION_COOKIE_NAME] = key
        session = client.session
        session.clear()
        session.update(data)
        session.save()
        return client

    # URL parameters: valid ones first (to reach the forms), then hostile ones.
    def param_values(self, name, target):
        orders = self.orders
        bogus_ints = ["0", "999999999", "9223372036854775808", "99999999999999999999"]
        bogus_text = ["x", "A" * 10_000, "é🍕\u202e", "%00", "..", "-1", "1e309", "' OR 1=1 --"]
        if name in ("token", "tracking_token"):
            return [o.tracking_token for o in orders.values()] + bogus_text
        if name == "restaurant_id":
            return [str(self.bastille.pk), str(self.nation.pk)] + bogus_ints
        if name in ("order_id", "instance_pk"):
            return (
                [str(orders[k].pk) for k in ("placed", "ready", "out", "pickup-ready", "nation", "awaiting")]
                + bogus_ints
                + bogus_text
            )
        if name == "address_id":  # the customer's own address, then someone else's
            return [str(self.address.pk), str(self.strangers_address.pk)] + bogus_ints + bogus_text
        if name == "page_id":
            return [str(self.page_of(target.page_type).pk)] + bogus_ints
        if name == "station":
            return ["four", "preparation", "boissons-desserts"] + bogus_text
        if name == "pk":
            model = _snippet_model(target.url_name)
            first = model.objects.order_by("pk").values_list("pk", flat=True).first() if model else None
            return ([str(first)] if first is not None else []) + bogus_ints + bogus_text
        return bogus_text + bogus_ints

    def page_of(self, label):
        from django.apps import apps

        model = apps.get_model(label)
        page = (
            model.objects.filter(pk=self.bastille.pk).first() if model is type(self.bastille) else None
        ) or model.objects.live().first()
        if page is None:  # a page type the demo does not use: one is made under the home page
            from home.models import HomePage

            page = HomePage.objects.get().add_child(instance=model(title="Fuzz", slug=f"fuzz-{model._meta.model_name}"))
        return page

    def url(self, target, values):
        if target.url_name is None:
            return self.page_of(target.page_type).url
        return reverse(target.url_name, kwargs=values)


def _snippet_model(url_name):
    match = re.match(r"wagtailsnippet(?:s|choosers)_(\w+?)_(\w+):", url_name or "")
    if not match:
        return None
    from django.apps import apps

    try:
        return apps.get_model(match.group(1), match.group(2))
    except LookupError:
        return None


# --- what the pages offer: forms and query strings ---------------------------


class Offer:
    """Per endpoint (URL name or page id), the forms that post to it (their fields and
    the values a browser would send) and the query parameters its links use."""

    def __init__(self):
        self.forms = {}
        self.query = {}

    def add_page(self, page_url, html):
        soup = BeautifulSoup(html, "html.parser")
        for form in soup.select("form"):
            action = form.get("action") or page_url
            key = _endpoint_key(action)
            if key is None:
                continue
            method = (form.get("method") or "get").upper()
            fields = _form_values(form)
            for variant in (fields, *_pressed(form, fields)):
                if variant and variant not in [f for _m, f in self.forms.get(key, [])]:
                    self.forms.setdefault(key, []).append((method, variant))
            # Buttons posting the same form elsewhere (formaction): the form's fields and the button's value go there.
            for button in form.select("button[formaction]"):
                other = _endpoint_key(button["formaction"])
                posted = {**fields, **({button["name"]: button.get("value", "")} if button.get("name") else {})}
                if other is not None and posted not in [f for _m, f in self.forms.get(other, [])]:
                    self.forms.setdefault(other, []).append((method, posted))
        for link in soup.select("a[href*='?']"):
            split = urlsplit(link["href"])
            key = _endpoint_key(split.path or page_url)
            if key is not None:
                self.query.setdefault(key, set()).update(
                    name for name, _v in parse_qsl(split.query, keep_blank_values=True)
                )


def _endpoint_key(url):
    split = urlsplit(url)
    if split.netloc or not split.path.startswith("/"):
        return None
    try:
        match = resolve(split.path)
    except Resolver404:
        return None
    if match.view_name == "wagtail_serve":
        return "page:" + split.path
    return match.view_name


# What a person would type in an empty field, so that one hostile field at a time reaches deep code.
PLAUSIBLE = [
    (r"mail", "fuzz@example.fr"),
    (r"phone|tel", "0612345678"),
    (r"postcode", "75011"),
    (r"password", "Fuzz-pizza-2026!"),
    (r"username", "fuzz-user"),
    (r"quantity|threshold|number", "2"),
]


def _plausible(field):
    name, kind = field["name"], field.get("type", "text")
    if kind == "hidden":
        return field.get("value", "")
    for pattern, value in PLAUSIBLE:
        if re.search(pattern, f"{name} {kind}"):
            return value
    return "2" if kind == "number" else "Fuzz"


def _form_values(form):
    data = {}
    first_size = True
    for field in form.select("input[name], select[name], textarea[name]"):
        name = field["name"]
        if field.name == "select":
            options = [(o.get("value", o.text), o.has_attr("selected")) for o in field.select("option")]
            chosen = (
                [v for v, selected in options if selected and v]
                or [v for v, _s in options if v]
                or [v for v, _s in options]
            )
            data[name] = chosen[0] if chosen else ""
        elif field.name == "textarea":
            data[name] = field.text or "Fuzz"
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked") or name not in data:
                data[name] = field.get("value", "on")
        elif field.get("type") not in ("submit", "button", "file", "image"):
            data[name] = field.get("value", "") or _plausible(field)
            if re.fullmatch(r"size_\d+", name) and first_size:  # a quantity field: order one size
                data[name], first_size = "2", False
    return data


def _pressed(form, fields):
    """The form as each kind of named submit button sends it (a browser adds the button pressed to
    the fields): one variant per button name, with its first value (e.g. the change-order page's
    less/more/remove/add, whose values are size ids)."""
    seen = set()
    for button in form.select("button[name], input[type=submit][name]"):
        name = button["name"]
        if button.get("type", "submit") == "submit" and name not in seen and name not in fields:
            seen.add(name)
            yield {**fields, name: button.get("value", "")}


_OFFER = Offer()
_CRAWLED = set()


def _crawl(world, target):
    """GETs a target's page with valid parameters, once per session, as the role that sees every form."""
    if target.id in _CRAWLED:
        return
    _CRAWLED.add(target.id)
    values = {name: world.param_values(name, target)[0] for name in target.params}
    try:
        url = world.url(target, values)
    except NoReverseMatch:
        return
    sid = transaction.savepoint()
    try:
        response = world.client_for("admin" if target.area == "admin" else "customer").get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            _OFFER.add_page(url, response.content.decode())
    finally:
        transaction.savepoint_rollback(sid)


def offer_for(world, target, key):
    """The forms posting to `key`: from the target's own page, else from the project's other pages
    (a cart form on a restaurant page, a status form on the kitchen board...), crawled once."""
    _crawl(world, target)
    if key not in _OFFER.forms:
        for other in TARGETS:
            if other.url_name is None or other.id.split(":")[0] in ("ordering", "ordering_staff"):
                _crawl(world, other)
    return _OFFER


def fields_for(target, world, url):
    key = f"page:{url}" if target.url_name is None else target.url_name
    offer = offer_for(world, target, key)
    forms = offer.forms.get(key) or ([] if target.url_name is None else offer.forms.get(target.url_name, []))
    query = set(offer.query.get(key, set()))
    model = _listed_model(target)
    if model is not None:  # lookups a listing should refuse or ignore, through relations too
        for field in model._meta.get_fields():
            if field.concrete:
                query.update({f"{field.name}__gte", f"{field.name}__in", f"{field.name}__isnull"})
        query.update({"restaurant__title__startswith", "q", "p", "o", "ordering", "page", "e"})
    return forms, sorted(query | {"q", "next", "token", "page", "restaurant"})


def _listed_model(target):
    if target.url_name and "modeladmin" in target.url_name:
        from django.apps import apps

        app, model = target.url_name.split("_modeladmin_")[0].split("_", 1)
        return apps.get_model(app, model)
    return _snippet_model(target.url_name)


# --- one request and its checks --------------------------------------------


def fingerprint():
    """What a refused request must leave as it was: orders, lines, status, payments, stock, ledger (one query)."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from home.models import Product
    from ordering.models import (
        Ingredient,
        Notification,
        Order,
        OrderLine,
        PayPalPayment,
        PayPalRefund,
        PayPalWebhookEvent,
        RecipeLine,
        SavedAddress,
        StaffMember,
        StatusChange,
        Stock,
        StockMovement,
    )

    counts = [
        f"(SELECT count(*) FROM {model._meta.db_table})"
        for model in (
            Order,
            OrderLine,
            StatusChange,
            StockMovement,
            PayPalPayment,
            PayPalRefund,
            PayPalWebhookEvent,
            Notification,
            get_user_model(),
            StaffMember,
            RecipeLine,
            Ingredient,
            Product,
            SavedAddress,
        )
    ]
    order_columns = (
        "id, status, payment_state, payment_method, total, courier_id, collected_with, email, name, postcode"
    )
    rows = [
        f"(SELECT md5(coalesce(string_agg(concat_ws(',', {columns}), ';' ORDER BY id), '')) FROM {table})"
        for table, columns in (
            (Order._meta.db_table, order_columns),
            (Stock._meta.db_table, "id, quantity, low_threshold"),
            (SavedAddress._meta.db_table, "id, user_id, street_address, postcode, city"),
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(counts + rows)}")
        return cursor.fetchone()


def ledger_breaks():
    """Stocks whose level is not the sum of their movements (must be none, whatever the request did)."""
    from ordering.models import QUANTITY, Stock

    zero = Value(0, output_field=DecimalField(**QUANTITY))
    return list(
        Stock.objects.annotate(moved=Coalesce(Sum("movements__delta"), zero))
        .exclude(quantity=F("moved"))
        .values_list("pk", flat=True)[:5]
    )


def _where(exc_info):
    """The deepest frame of the project's own code (not a library's), as file:line."""
    found = None
    for frame in traceback.extract_tb(exc_info[2]):
        path = os.path.abspath(frame.filename)
        if path.startswith(ROOT) and "/.venv/" not in path and "/tests/" not in path:
            found = f"{os.path.relpath(path, ROOT)}:{frame.lineno}"
    if found is None:
        last = traceback.extract_tb(exc_info[2])[-1]
        found = f"{last.filename}:{last.lineno} (library)"
    return found


def _short(value, limit=60):
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}…({len(text)} chars)"


@dataclass
class Request:
    role: str
    method: str
    url: str
    data: dict
    body: str = "form"  # "form", "json" or "query"
    accept_json: bool = False

    def describe(self):
        data = {k: _short(v) for k, v in self.data.items() if k != "__headers__"}
        return f"{self.method} {_short(self.url, 90)} as {self.role} ({self.body}) {data}"


def send(client, request):
    extra = {"HTTP_ACCEPT": "application/json"} if request.accept_json else {}
    data = dict(request.data)
    extra.update(data.pop("__headers__", {}))
    if request.method == "GET":
        return client.get(request.url, data, **extra)
    if request.body == "json":
        return client.post(request.url, json.dumps(data), content_type="application/json", **extra)
    return client.post(request.url, data, **extra)


def check(world, request, problems):
    """Sends one request; notes a 5xx, or a refusal that wrote."""
    client = world.client_for(request.role)
    cart_before = client.session.get("cart")
    sid = transaction.savepoint()
    try:
        before = fingerprint()
        response = send(client, request)
        if os.environ.get("FUZZ_DEBUG"):
            print("REQ", response.status_code, request.describe()[:300])
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            cause = (
                f"{exc[0].__name__}: {' '.join(str(exc[1]).split())[:160]} at {_where(exc)}"
                if exc
                else f"status {response.status_code}"
            )
            problems.setdefault(
                ("5xx", cause.split(" at ")[-1], exc[0].__name__ if exc else ""), (cause, request.describe())
            )
            return
        storage = getattr(response.wsgi_request, "_messages", None)
        errors = [str(m) for m in getattr(storage, "_queued_messages", []) if m.level >= ERROR]
        refused = 400 <= response.status_code < 500 or bool(errors)
        try:
            wrote = fingerprint() != before
            if refused and wrote:
                problems.setdefault(
                    ("wrote", request.method, response.status_code),
                    (f"refused ({response.status_code} {errors[:1]}) but the database changed", request.describe()),
                )
            if refused and client.session.get("cart") != cart_before and request.role.startswith("anonymous"):
                problems.setdefault(
                    ("cart", request.method),
                    (f"refused ({response.status_code}) but the cart changed", request.describe()),
                )
            broken = ledger_breaks() if wrote else []
            if broken:
                problems.setdefault(
                    ("ledger",), (f"stock levels {broken} no longer match their movements", request.describe())
                )
        except DatabaseError as error:  # a database error the view swallowed left the transaction broken
            problems.setdefault(
                ("db", type(error).__name__), (f"database error swallowed: {error}", request.describe())
            )
    finally:
        transaction.savepoint_rollback(sid)


# --- the fuzz ----------------------------------------------------------------


def _is_project_view(target):
    return (
        target.url_name is None
        or target.id.split(":")[0] in ("ordering", "ordering_staff")
        or "modeladmin" in target.id
    )


def _other_restaurants_id(world, name):
    """For a field, the id of the same kind of thing in another restaurant."""
    if "stock" in name:
        return str(world.nation_stock[0])
    if "order" in name:
        return str(world.orders["nation"].pk)
    if "address" in name:
        return str(world.strangers_address.pk)
    return str(world.nation.pk)


def sweep(target, world, url, forms, query_names):
    """Each field of the project's own forms with each SWEEP_VALUES, one at a time, as a role
    allowed to reach the form; then GET on a POST form and POST on a page."""
    if not _is_project_view(target):
        return
    role = "admin" if target.area == "admin" else "anonymous-with-cart"
    for method, fields in forms:
        if method == "GET" and target.url_name is not None and "modeladmin" not in target.id:
            continue
        names = [n for n in fields if n != "csrfmiddlewaretoken"]
        sizes = [n for n in names if re.fullmatch(r"size_\d+", n)]
        for name in [n for n in names if n not in sizes[1:]]:
            values = list(SWEEP_TEXT)
            if "mail" in name:
                values.append(LONG_EMAIL)
            if re.fullmatch(r"-?[0-9.]+", str(fields[name])):
                values += SWEEP_NUMBERS
            if re.search(r"stock|restaurant|size|order|^pk$|_id$|saved_address", name):
                values.append(_other_restaurants_id(world, name))
            for value in values:
                yield Request(role, method, url, {**fields, name: value}, "query" if method == "GET" else "form")
    if "modeladmin_index" in target.id:
        for name in sorted(set(query_names) - {"q"})[:12]:
            yield Request(role, "GET", url, {name: "zz\x00"}, "query")
    yield Request(role, "GET" if any(m == "POST" for m, _f in forms) else "POST", url, {}, "form")


def sweep_everywhere(target, world, param_choices, forms):
    """As an administrator (who reaches every screen): each hostile URL parameter of the project's
    own endpoints, and where a `next` is taken, redirect targets it may carry."""
    valid = {name: choices[0] for name, choices in param_choices.items()}
    if _is_project_view(target):
        for name, choices in param_choices.items():
            for value in choices[1:]:
                if value not in world.param_values(name, target)[:6] or name == "restaurant_id":
                    yield Request("admin", "GET", world.url(target, {**valid, name: value}), {}, "query")
    if "login" in target.id or any("next" in fields for _m, fields in forms):
        for next_url in ("zz", "//evil.example/", "/\x00"):
            yield Request("admin", "GET", world.url(target, valid), {"next": next_url}, "query")


WEBHOOK_KINDS = [
    "PAYMENT.CAPTURE.COMPLETED",
    "PAYMENT.CAPTURE.DENIED",
    "PAYMENT.CAPTURE.REFUNDED",
    "CHECKOUT.ORDER.APPROVED",
]


def _capture_resource(world):
    return {
        "id": "CAPTURE1",
        "status": "COMPLETED",
        "amount": {"currency_code": "EUR", "value": "12.50"},
        "supplementary_data": {"related_ids": {"order_id": world.payment.paypal_order_id}},
        "links": [{"rel": "up", "href": "https://api.paypal.com/v2/payments/captures/CAPTURE1"}],
    }


def _signed(event, url):
    from devtools.fake_paypal import webhook_headers

    headers = {
        f"HTTP_{k.upper().replace('-', '_')}": v
        for k, v in webhook_headers(event, "WH-TEST").items()
        if k != "Content-Type"
    }
    return Request("anonymous", "POST", url, {**event, "__headers__": headers}, "json")


def sweep_webhook(world, url):
    """Signed events with a hostile part, each kind: long ids, a resource or links of the wrong type."""
    from devtools.fake_paypal import build_event

    for kind in WEBHOOK_KINDS:
        for key, value in (("id", "W" * 65), ("event_type", "W" * 65), ("resource", ["x"]), ("resource", "x")):
            yield _signed({**build_event(kind, _capture_resource(world)), key: value}, url)
        for key, value in (("links", "x"), ("links", [1]), ("id", "C" * 65), ("supplementary_data", [])):
            yield _signed(build_event(kind, {**_capture_resource(world), key: value}), url)


@st.composite
def webhook_requests(draw, world, url):
    """PayPal's notifications, correctly signed (the fake PayPal verifies them), with hostile content."""
    from devtools.fake_paypal import build_event

    resource = _capture_resource(world)
    event = build_event(draw(st.sampled_from(WEBHOOK_KINDS)), resource)
    values = json_values(world.ids)
    for key in draw(st.lists(st.sampled_from(["id", "event_type", "resource"]), max_size=2, unique=True)):
        event[key] = draw(st.one_of(st.just("W" * 65), st.just("W" * 10_000), values))
    if isinstance(event.get("resource"), dict):
        for key in draw(st.lists(st.sampled_from(sorted(resource)), max_size=3, unique=True)):
            event["resource"][key] = draw(values)
    return _signed(event, url)


@st.composite
def requests_for(draw, target, world, param_choices, forms, query_names):
    roles = ADMIN_ROLES if target.area == "admin" else PUBLIC_ROLES
    role = draw(st.sampled_from(roles))
    values = {name: draw(st.sampled_from(choices)) for name, choices in param_choices.items()}
    url = world.url(target, values)
    hostile = hostile_values(world.ids)
    posts = [f for f in forms if f[0] == "POST"]
    method = draw(st.sampled_from(["POST", "POST", "GET"] if posts else ["GET", "GET", "POST"]))
    if method == "POST":
        base = dict(draw(st.sampled_from(posts))[1]) if posts else {}
        body = draw(st.sampled_from(["form", "form", "form", "json"]))
    else:
        gets = [f for m, f in forms if m == "GET"]
        base = dict(draw(st.sampled_from(gets))) if gets else {}
        base.update(dict.fromkeys(draw(st.lists(st.sampled_from(query_names), max_size=2, unique=True)), ""))
        body = "query"
    names = sorted(base) or ["q"]
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)):
        if draw(st.integers(0, 5)) == 0:
            base.pop(name, None)  # a missing field
        else:
            base[name] = draw(json_values(world.ids) if body == "json" else hostile)
    return Request(role, method, url, base, body, accept_json=draw(st.booleans()))


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, fake_paypal_server):
    """One world for the whole module, in a transaction rolled back at its end; each
    test runs in a savepoint of it, each request in a savepoint of the test."""
    from django.test.utils import override_settings

    paypal = override_settings(
        PAYPAL_MODE="fake",
        PAYPAL_FAKE_URL=fake_paypal_server.url,
        PAYPAL_CLIENT_ID="test-client",
        PAYPAL_CLIENT_SECRET="test-secret",
        PAYPAL_WEBHOOK_ID="WH-TEST",
    )
    with django_db_blocker.unblock(), paypal:
        fake_paypal_server.state.reset()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield World()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            _OFFER.__init__()
            _CRAWLED.clear()


@pytest.mark.parametrize("target", [_param(t) for t in TARGETS])
def test_hostile_input_never_answers_5xx_and_refusals_write_nothing(world, target):
    param_choices = {
        name: [v for v in world.param_values(name, target) if _reverses(world, target, name, v)]
        for name in target.params
    }
    valid = {name: choices[0] for name, choices in param_choices.items() if choices}
    url = world.url(target, valid)
    forms, query_names = fields_for(target, world, url)
    problems = {}
    if os.environ.get("FUZZ_DEBUG"):
        print("FORMS", target.id, forms, query_names)
    for request in [
        *sweep(target, world, url, forms, query_names),
        *sweep_everywhere(target, world, param_choices, forms),
    ]:
        check(world, request, problems)

    if target.url_name == "ordering:paypal_webhook":
        for request in sweep_webhook(world, url):
            check(world, request, problems)
        strategy = webhook_requests(world, url)
    else:
        strategy = requests_for(target, world, param_choices, forms, query_names)
    # The project's own forms get the full budget; screens that take no input and Wagtail's own views fewer.
    takes_input = bool(forms) or target.url_name == "ordering:paypal_webhook"
    examples = FUZZ.max_examples if _is_project_view(target) and takes_input else max(3, FUZZ.max_examples // 3)

    @settings(FUZZ, max_examples=examples)
    @given(strategy)
    def fuzz(request):
        check(world, request, problems)

    fuzz()
    report = "\n".join(f"- {cause}\n    {request}" for cause, request in problems.values())
    assert not problems, f"{len(problems)} problem(s) on {target.id}:\n{report}"


def _reverses(world, target, name, value):
    try:
        values = {n: (value if n == name else world.param_values(n, target)[0]) for n in target.params}
        world.url(target, values)
        return True
    except NoReverseMatch:
        return False


def test_the_buttons_a_form_is_sent_with_are_fuzzed(world):
    """A form's named submit buttons are fields too: each is fuzzed as the browser sends it."""
    target = next(t for t in TARGETS if t.id == "ordering:track_change")
    url = world.url(target, {"token": world.orders["placed"].tracking_token})
    forms, _query = fields_for(target, world, url)
    pressed = [name for _method, fields in forms for name in fields if name in ("less", "more", "remove", "add")]
    assert sorted(pressed) == ["add", "less", "more", "remove"]  # one variant each, with a size id
    assert all(re.fullmatch(r"[0-9]+", fields[name]) for _m, fields in forms for name in pressed if name in fields)


def test_every_kind_of_endpoint_is_discovered():
    """The discovery finds the screens the issue names, so a new one is fuzzed too."""
    ids = {t.id for t in TARGETS}
    for expected in (
        "ordering:cart_add",
        "ordering:cart_update",
        "ordering:checkout",
        "ordering:checkout_draft",
        "ordering:my_addresses",
        "ordering:delete_address",
        "ordering:paypal_webhook",
        "ordering:track_change",
        "ordering:signup",
        "ordering:login",
        "ordering:my_orders",
        "ordering:reorder",
        "ordering:password_reset",
        "ordering:password_reset_confirm",
        "ordering_staff:stock",
        "ordering_staff:new_order",
        "ordering_staff:move_order",
        "ordering_staff:kitchen_ticket",
        "ordering_staff:bag_ticket",
        "ordering_staff:claim_kitchen_ticket",
        "ordering_staff:delivery_list",
        "ordering_staff:punctuality",
        "ordering_staff:punctuality_csv",
        "ordering_staff:station",
        "ordering_staff:station_columns",
        "ordering_order_modeladmin_index",
        "wagtailsnippets_home_product:list",
        "page:home.HomePage",
        "page:home.RestaurantPage",
        "wagtailadmin_login",
        "set_language",
    ):
        assert expected in ids, expected


def test_the_menu_filters_are_fuzzed(world):
    """The restaurant page's filter form (GET ?regime=&sans=) is found, so each of its fields
    gets the hostile values; garbage there is a 400 (tests/test_menu.py)."""
    target = next(t for t in TARGETS if t.id == "page:home.RestaurantPage")
    forms, _query = fields_for(target, world, world.url(target, {}))
    assert any(method == "GET" and {"regime", "sans"} <= set(fields) for method, fields in forms), forms
