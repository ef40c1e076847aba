#!/usr/bin/env python
"""Lighthouse scores of the customer pages, as a phone sees them (Lighthouse's
default mobile emulation: throttled 4G, a mid-range phone's CPU).

    .venv/bin/python bench/lighthouse.py [--runs 3]

Starts the production stack as local processes (devtools/production_stack.py:
gunicorn, nginx over HTTPS with the repository's config, PostgreSQL, Redis),
puts a pizza in a cart and places an order through the ORM, then runs
Lighthouse (npm, package.json) in Debian's Chromium on the home, restaurant,
cart, checkout and tracking pages. Prints the median of each score and of the
largest contentful paint. Goal (issue 16): 100 everywhere, LCP at most 1.5 s.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import requests
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devtools.production_stack import Stack  # noqa: E402

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PLACE_ORDER = """
from datetime import time
from home.models import OpeningHours, RestaurantPage
from ordering.services import OrderDetails, place_order
restaurant = RestaurantPage.objects.get(slug="bastille")
# Open around the clock, so the figures do not depend on the hour the benchmark runs at.
restaurant.closures.all().delete()
restaurant.opening_hours.all().delete()
OpeningHours.objects.bulk_create(OpeningHours(restaurant=restaurant, weekday=day, opens=time(0), closes=time(0))
                                 for day in range(7))
size = restaurant.menu_items.filter(product__category__slug="pizzas").first().product.sizes.first()
details = OrderDetails(fulfilment="pickup", name="Camille", phone="0612345678", email="camille@example.fr")
print(place_order(restaurant, {size.pk: 2}, details).tracking_token)
"""


def session_with_a_pizza(stack):
    """A visitor's session cookie after adding the menu's first item to the cart through nginx."""
    session = requests.Session()
    session.trust_env = False
    session.verify = stack.ca
    session.headers["Referer"] = stack.url + "/"
    menu = session.get(f"{stack.url}/bastille/")
    form = BeautifulSoup(menu.text, "html.parser").find("form", action=re.compile("/panier/ajouter/"))
    data = {}
    for field in form.find_all(["input", "button"]):
        name = field.get("name")
        if name and (field.get("type") not in ("radio", "checkbox") or name not in data):
            data[name] = field.get("value", "1")
    response = session.post(stack.url + form["action"], data=data)
    assert response.ok, response.status_code
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)


def lighthouse(url, headers, workdir):
    report = Path(workdir) / "report.json"
    headers_file = Path(workdir) / "headers.json"
    headers_file.write_text(json.dumps(headers))
    subprocess.run(
        [
            str(LIGHTHOUSE),
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--extra-headers={headers_file}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --ignore-certificate-errors",
        ],
        check=True,
        env={**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")},
        capture_output=True,
        timeout=300,
    )
    result = json.loads(report.read_text())
    scores = {name: round(result["categories"][name]["score"] * 100) for name in CATEGORIES}
    scores["lcp_s"] = result["audits"]["largest-contentful-paint"]["numericValue"] / 1000
    failed = [
        audit["id"]
        for audit in result["audits"].values()
        if audit.get("score") is not None and audit["score"] < 0.9 and audit.get("scoreDisplayMode") == "binary"
    ]
    return scores, failed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (the median is printed)")
    options = parser.parse_args()
    with Stack(workers=3) as stack, tempfile.TemporaryDirectory() as workdir:
        placed = stack.manage("shell", "-c", PLACE_ORDER)
        token = placed.stdout.strip().splitlines()[-1]
        cart_cookie = {"Cookie": session_with_a_pizza(stack)}
        pages = [
            ("home", "/", {}),
            ("restaurant", "/bastille/", {}),
            ("cart", "/commande/panier/", cart_cookie),
            ("checkout", "/commande/valider/", cart_cookie),
            ("tracking", f"/commande/suivi/{token}/", {}),
        ]
        print(
            f"Lighthouse {subprocess.run([str(LIGHTHOUSE), '--version'], capture_output=True, text=True).stdout.strip()}"
            f", mobile preset, median of {options.runs} runs, through nginx and gunicorn:"
        )
        for name, path, headers in pages:
            runs = [lighthouse(stack.url + path, headers, workdir) for _ in range(options.runs)]
            median = {key: statistics.median(scores[key] for scores, _ in runs) for key in runs[0][0]}
            failed = sorted({audit for _, audits in runs for audit in audits})
            print(
                f"  {name:<11} performance {median['performance']:>3.0f}  accessibility {median['accessibility']:>3.0f}"
                f"  best practices {median['best-practices']:>3.0f}  SEO {median['seo']:>3.0f}"
                f"  LCP {median['lcp_s']:.2f} s" + (f"  failed: {', '.join(failed)}" if failed else "")
            )


if __name__ == "__main__":
    main()
