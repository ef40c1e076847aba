import io
import os
import re

import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command


@pytest.fixture(autouse=True)
def fresh_page_cache():
    """Each test starts with a new content version: pages and menu fragments kept in
    Redis by an earlier test (whose database was rolled back) are never served to it."""
    from core import versions
    from core.page_cache import CONTENT

    versions.bump(CONTENT)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo content is loaded once in the test database; each test runs in
    a transaction that is rolled back."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())


@pytest.fixture(scope="session")
def demo_snapshot(django_db_setup, django_db_blocker):
    """The whole demo database as Django serializes it, taken once."""
    from django.db import connection

    with django_db_blocker.unblock():
        return connection.creation.serialize_db_to_string()


@pytest.fixture
def demo(db):
    from home.models import HomePage, RestaurantPage

    return {"home": HomePage.objects.get(), "bastille": RestaurantPage.objects.get(slug="bastille")}


# For tests that need committed data (live server, threads). Such a test empties
# the database when it ends; demo_committed restores the demo before the next one.
committed_db = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_committed(transactional_db, demo_snapshot):
    """The demo content, committed (use with the committed_db marker)."""
    from home.models import HomePage

    if not HomePage.objects.exists():  # emptied by an earlier transactional test
        restore_snapshot(demo_snapshot)


def restore_snapshot(snapshot):
    """Puts back a serialized database after a flush. The flush re-created
    content types and permissions under new ids: they are replaced by the
    snapshot's, saved first since every other row may point at them."""
    from django.contrib.contenttypes.models import ContentType
    from django.core import serializers
    from django.db import transaction

    first = ("contenttypes.contenttype", "auth.permission")
    objects = list(serializers.deserialize("json", snapshot))
    objects.sort(
        key=lambda obj: first.index(obj.object._meta.label_lower) if obj.object._meta.label_lower in first else 2
    )
    with transaction.atomic():
        ContentType.objects.all().delete()
        for obj in objects:
            obj.save()
    ContentType.objects.clear_cache()


def form_values(html, form_selector="form"):
    """The values a browser would submit for a form, read from the page."""
    form = BeautifulSoup(html, "html.parser").select_one(form_selector)
    data = {}
    for field in form.select("input[name], select[name], textarea[name]"):
        name = field["name"]
        if field.name == "select":
            selected = [o.get("value", o.text) for o in field.select("option[selected]")]
            if field.has_attr("multiple"):
                data.setdefault(name, []).extend(selected)
            elif selected:
                data[name] = selected[0]
            else:
                first = field.select_one("option")
                data[name] = first.get("value", "") if first else ""
        elif field.name == "textarea":
            data[name] = field.text
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                data.setdefault(name, []).append(field.get("value", "on"))
        elif field.get("type") not in ("submit", "button", "file"):
            data[name] = field.get("value", "")
    return data


def text_of(response):
    # Collapse layout whitespace only: the no-break space in "12,50 €" is content.
    return re.sub(r"[ \t\r\n]+", " ", BeautifulSoup(response.content, "html.parser").get_text(" "))


@pytest.fixture(scope="session")
def artifacts_dir():
    path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")
    os.makedirs(path, exist_ok=True)
    return path


def make_always_open(restaurant):
    """Opening hours 24/7, so tests do not depend on the time they run at."""
    from datetime import time

    from home.models import OpeningHours

    restaurant.opening_hours.all().delete()
    for weekday in range(7):
        OpeningHours.objects.create(restaurant=restaurant, weekday=weekday, opens=time(0), closes=time(0))
    restaurant.closures.all().delete()


def make_closed_for(restaurant, hours=3):
    """Opening hours that open `hours` from now, every day, for three hours: the restaurant is closed
    now whatever the time the tests run at. Returns when it opens."""
    from datetime import timedelta

    from django.utils import timezone

    from home.models import OpeningHours

    opens = (timezone.localtime() + timedelta(hours=hours)).replace(second=0, microsecond=0)
    closes = (opens + timedelta(hours=3)).time()
    restaurant.opening_hours.all().delete()
    restaurant.closures.all().delete()
    for weekday in range(7):
        OpeningHours.objects.create(restaurant=restaurant, weekday=weekday, opens=opens.time(), closes=closes)
    return opens


@pytest.fixture
def bastille(db):
    from home.models import RestaurantPage

    restaurant = RestaurantPage.objects.get(slug="bastille")
    make_always_open(restaurant)
    return restaurant


def size_of(product_slug, label=None):
    from home.models import ProductSize

    sizes = ProductSize.objects.filter(product__slug=product_slug).order_by("sort_order")
    return sizes.get(label=label) if label else sizes.first()


def delivery_form(**overrides):
    data = {
        "fulfilment": "delivery",
        "street_address": "10 rue de Lappe",
        "postcode": "75011",
        "city": "Paris",
        "when": "asap",
        "name": "Camille Martin",
        "phone": "06 12 34 56 78",
        "email": "camille@example.fr",
        "note": "",
        "payment_method": "on_site",
        "checkout_key": "a" * 32,
    }
    data.update(overrides)
    return data


def issue_checkout_key(client, key="a" * 32):
    """Gives the client's session a checkout key, as showing the checkout form does."""
    from ordering.forms import IssuedCheckoutKeys

    session = client.session
    IssuedCheckoutKeys(session).remember(key)
    session.save()
    return key


@pytest.fixture(scope="session")
def fake_paypal_server():
    from devtools.fake_paypal import FakePayPal

    with FakePayPal() as server:
        yield server


@pytest.fixture
def paypal(fake_paypal_server, settings):
    """The fake PayPal, reset, with the site pointed at it."""
    settings.PAYPAL_MODE = "fake"
    settings.PAYPAL_FAKE_URL = fake_paypal_server.url
    settings.PAYPAL_CLIENT_ID, settings.PAYPAL_CLIENT_SECRET = "test-client", "test-secret"
    settings.PAYPAL_WEBHOOK_ID = "WH-TEST"
    fake_paypal_server.state.reset()
    from ordering.paypal import client

    client._sdk.cache_clear()  # its OAuth token died with the reset: no 401-and-retry counted in a test's calls
    return fake_paypal_server
