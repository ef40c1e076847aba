"""The Content-Security-Policy keeps the site and the Wagtail admin working:
real pages in Chromium, and not one CSP violation reported (issue 9)."""

import re

import pytest

from tests.browser.conftest import order_take_away
from tests.conftest import committed_db

pytestmark = [pytest.mark.browser, committed_db]

# Each frame reports its violations to the console, where the test collects them.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline code"} on ${document.location.pathname}`);
});
"""


def watched_context(browser, **options):
    context = browser.new_context(locale="fr-FR", **options)
    context.add_init_script(REPORT_VIOLATIONS)
    context.violations = []

    def collect(message):
        text = message.text
        if "Content Security Policy" in text or text.startswith("CSP violation"):
            context.violations.append(text)

    context.on("console", collect)
    return context


@pytest.fixture
def customer(browser):
    context = watched_context(browser, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def admin(browser, live_server, bastille):  # bastille: the demo (and its admin account) is there first
    context = watched_context(browser, viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin")
    page.click("button[type=submit]")
    page.wait_for_url(live_server.url + "/admin/", wait_until="domcontentloaded")
    yield page
    context.close()


def test_the_site_sends_a_strict_policy(customer, live_server, bastille):
    response = customer.goto(live_server.url + bastille.url)
    policy = response.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]+)", policy).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
    assert "'unsafe-inline'" not in re.search(r"style-src ([^;]+)", policy).group(1)


def test_customer_pages_work_without_a_violation(customer, live_server, bastille):
    customer.goto(live_server.url + "/")
    customer.goto(live_server.url + "/commande/compte/inscription/")
    customer.goto(live_server.url + "/commande/compte/connexion/")
    order_take_away(customer, live_server, bastille, ["reine", "coca-cola"])  # menu script, checkout script
    customer.wait_for_url(re.compile(r"/commande/suivi/"))
    customer.locator("[data-status-label]").wait_for()
    customer.wait_for_timeout(4_000)  # the tracking page polls its status
    customer.goto(live_server.url + "/commande/panier/")
    assert customer.context.violations == [], "\n".join(customer.context.violations)


def test_admin_pages_work_without_a_violation(admin, live_server, bastille):
    from wagtail.images import get_image_model

    from home.models import Product

    admin.locator("main").wait_for()  # dashboard
    # Page editor with its live preview.
    admin.goto(f"{live_server.url}/admin/pages/{bastille.pk}/edit/")
    admin.locator("[data-side-panel-toggle='preview']").click()
    preview = admin.frame_locator("#w-preview-iframe")
    preview.locator("body").wait_for()
    admin.wait_for_timeout(2_000)
    # Snippets, images, the kitchen board.
    product = Product.objects.order_by("pk").first()
    admin.goto(f"{live_server.url}/admin/snippets/home/product/")
    admin.goto(f"{live_server.url}/admin/snippets/home/product/edit/{product.pk}/")
    admin.locator("form").first.wait_for()
    image = get_image_model().objects.order_by("pk").first()
    admin.goto(f"{live_server.url}/admin/images/")
    admin.goto(f"{live_server.url}/admin/images/{image.pk}/")
    admin.locator("form").first.wait_for()
    response = admin.goto(f"{live_server.url}/admin/cuisine/{bastille.pk}/")
    assert response.status == 200
    admin.wait_for_timeout(1_500)  # the board polls
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy
    assert admin.context.violations == [], "\n".join(admin.context.violations)
