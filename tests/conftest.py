import os
import re

import pytest
from bs4 import BeautifulSoup

from home.demo import load_demo


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The demo content is loaded once in the test database; each test runs in
    a transaction that is rolled back."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def demo(db):
    from home.models import HomePage, RestaurantPage

    return {"home": HomePage.objects.get(), "bastille": RestaurantPage.objects.get(slug="bastille")}


@pytest.fixture
def demo_committed(django_db_serialized_rollback, transactional_db):
    """For tests that need committed data (live server, threads). A transactional
    test empties the database when it ends; the serialized rollback brings back
    what migrations made (root page, site, groups) and the demo is loaded again."""
    from wagtail.models import Page

    # The restored snapshot rewrites the home page row with numchild=0 while its
    # children may still be there; treebeard recounts.
    Page.fix_tree()
    load_demo()


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
