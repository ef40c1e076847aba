#!/usr/bin/env python
"""How long a change takes to show through nginx's and Django's page caches.

    .venv/bin/python bench/freshness.py [--stock-changes 20] [--publishes 10] [--load 8]

Starts the production stack as local processes (devtools/production_stack.py),
keeps the menu page busy through nginx (--load threads of anonymous visitors, so
that the caches are hot, as in a rush), then makes changes from this process with
the production settings (a stock level through the movement log, which makes a
size sold out or available again; a published intro on the restaurant page), and
polls the page through nginx until the change shows: change → visible, p50 / max.
The goal is ≤ 1 s (the nginx entries last until the end of the second in which the
app checked their versions; Django's entries are checked on every request).
"""

import argparse
import os
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "site"))

from devtools.production_stack import Stack  # noqa: E402

REINE = 'id="reine"'  # the product card whose sizes go sold out and back


def visitors(stack, stop, count):
    import requests

    def visit():
        session = requests.Session()
        session.trust_env = False
        while not stop.is_set():
            session.get(f"{stack.url}/bastille/", verify=stack.ca)

    threads = [threading.Thread(target=visit, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads


def time_to_visible(stack, shows, timeout=10):
    """Seconds from now until a GET through nginx satisfies shows(html)."""
    import requests

    session = requests.Session()
    session.trust_env = False
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if shows(session.get(f"{stack.url}/bastille/", verify=stack.ca).text):
            return time.perf_counter() - started
        time.sleep(0.01)
    raise RuntimeError("the change did not show within 10 s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stock-changes", type=int, default=20)
    parser.add_argument("--publishes", type=int, default=10)
    parser.add_argument("--load", type=int, default=8, help="threads of anonymous visitors meanwhile")
    options = parser.parse_args()
    with Stack(workers=3) as stack:
        os.environ.update(stack.env(LOG_LEVEL="WARNING"))
        import django

        django.setup()
        from decimal import Decimal

        from home.models import RestaurantPage
        from ordering.models import Stock
        from ordering.stock import record_movement

        bastille = RestaurantPage.objects.get(slug="bastille")
        ham = Stock.objects.get(restaurant=bastille, ingredient__name="Jambon blanc")
        level = ham.quantity
        stop = threading.Event()
        visitors(stack, stop, options.load)
        time.sleep(2)
        stock_delays, publish_delays = [], []
        try:
            for number in range(options.stock_changes):
                sold_out = number % 2 == 0
                before = time.perf_counter()
                record_movement(ham, None, "inventory", set_level=Decimal("0") if sold_out else level)
                changed = time.perf_counter() - before
                delay = time_to_visible(
                    stack,
                    lambda html, sold_out=sold_out: (
                        ("size-chip--sold-out" in html.split(REINE, 1)[1].split("</article>", 1)[0]) == sold_out
                    ),
                )
                stock_delays.append(changed + delay)  # from the start of the change (a short transaction)
                time.sleep(0.3)
            for number in range(options.publishes):
                intro = f"Fraîcheur {number} {time.time():.3f}"
                page = RestaurantPage.objects.get(pk=bastille.pk)
                page.intro = intro
                page.save_revision().publish()  # returns once committed (Wagtail's own work: seconds)
                publish_delays.append(time_to_visible(stack, lambda html, intro=intro: intro in html))
                time.sleep(0.3)
        finally:
            stop.set()
    for label, delays in (("stock change", stock_delays), ("publish", publish_delays)):
        print(
            f"{label:13} → visible through nginx: p50 {statistics.median(delays):.3f} s, max {max(delays):.3f} s "
            f"({len(delays)} changes, {options.load} visitors meanwhile)"
        )
        print(f"{'':13}   all, sorted: " + " ".join(f"{delay:.2f}" for delay in sorted(delays)))


if __name__ == "__main__":
    main()
