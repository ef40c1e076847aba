#!/usr/bin/env python
"""The kitchen board, push against the old poll, through the production stack.

    .venv/bin/python bench/board.py [--orders 50] [--idle-seconds 60]

Starts the production stack as local processes (devtools/production_stack.py:
gunicorn, the board stream, nginx, private PostgreSQL and Redis), opens
Bastille's board in Chromium as its pizzaiolo, then for each mode:

- push: the board stream (Server-Sent Events), the production setting;
- poll: gunicorn restarted with BOARD_STREAM_URL=off — the board polls its
  columns twice a second, as before the stream (204 while nothing changed);

places --orders orders through ordering.services (in this process, on the
stack's database and Redis, as the web and phone orders do), and reports how
long each took from its insert to its ticket in the board's page (p50, p95);
then, the board open and nothing happening for --idle-seconds, the SQL
statements PostgreSQL ran (log_statement = all) and the CPU time of the
server's processes (gunicorn, board stream, nginx, Redis, PostgreSQL), minus
the same minute with no board open: the cost of one open board per minute.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import time as clock
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "site"))

from devtools.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from devtools.production_stack import Stack  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
# Records when each ticket first appears in the page (wall clock, milliseconds).
OBSERVER = """() => {
    window.__seen = {};
    const note = () => document.querySelectorAll("[data-order-id]").forEach((ticket) => {
        if (!(ticket.dataset.orderId in window.__seen)) window.__seen[ticket.dataset.orderId] = performance.timeOrigin + performance.now();
    });
    note();
    new MutationObserver(note).observe(document.querySelector("[data-board]"), { childList: true, subtree: true });
}"""


def children_of():
    tree = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            tree.setdefault(int(fields[1]), []).append(int(entry))
    return tree


def cpu_seconds(roots):
    """User + system CPU time of these processes and all their descendants."""
    tree, total, todo = children_of(), 0, list(roots)
    while todo:
        pid = todo.pop()
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
        todo.extend(tree.get(pid, []))
    return total / TICKS


def server_roots(stack):
    postmaster = int((stack.dir / "pgdata/postmaster.pid").read_text().split()[0])
    return [process.pid for process in stack.processes.values()] + [postmaster]


def statements(stack):
    return (stack.dir / "pgdata/log").read_text(errors="replace").count("statement: ")


def idle_cost(stack, seconds):
    """(SQL statements, CPU seconds) of the stack over `seconds` of quiet."""
    roots = server_roots(stack)
    before_sql, before_cpu = statements(stack), cpu_seconds(roots)
    time.sleep(seconds)
    return statements(stack) - before_sql, cpu_seconds(roots) - before_cpu


def open_board(browser, stack, restaurant):
    context = browser.new_context(ignore_https_errors=True, viewport={"width": 1280, "height": 800}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{stack.url}/admin/login/?next=/admin/cuisine/{restaurant.pk}/")
    page.fill("#id_username", "pizzaiolo-bastille")
    page.fill("#id_password", "pizza")
    page.click("button[type=submit]")
    page.wait_for_url(f"**/admin/cuisine/{restaurant.pk}/")
    page.evaluate(OBSERVER)
    return context, page


def measure_latency(page, restaurant, orders, place):
    latencies = []
    for _ in range(orders):
        time.sleep(random.uniform(0.3, 1.2))  # orders do not come in step with the poll
        order = place(restaurant)
        page.wait_for_function(f"() => '{order.pk}' in window.__seen", timeout=20_000)
        seen_ms = page.evaluate(f"window.__seen['{order.pk}']")
        latencies.append(seen_ms / 1000 - order.created_at.timestamp())
    return latencies


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--idle-seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    options = parser.parse_args()

    with Stack(workers=options.workers) as stack:
        os.environ.update(
            stack.env(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend")
        )  # this process's orders
        import django

        django.setup()
        from playwright.sync_api import sync_playwright

        from home.models import OpeningHours, ProductSize, RestaurantPage
        from ordering.models import Stock
        from ordering.services import OrderDetails, place_order
        from ordering.workflow import Fulfilment

        restaurant = RestaurantPage.objects.get(slug="bastille")
        restaurant.opening_hours.all().delete()
        for weekday in range(7):
            OpeningHours.objects.create(restaurant=restaurant, weekday=weekday, opens=clock(0), closes=clock(0))
        reine = ProductSize.objects.filter(product__slug="reine").order_by("sort_order").first()
        Stock.objects.filter(restaurant=restaurant).update(quantity=90000)  # 2 × --orders Reines: never short

        def place(restaurant):
            details = OrderDetails(
                fulfilment=Fulfilment.PICKUP, name="Bench", phone="0612345678", email="bench@example.fr"
            )
            return place_order(restaurant, {reine.pk: 1}, details)

        stack.psql("ALTER SYSTEM SET log_statement = 'all'")
        stack.psql("SELECT pg_reload_conf()")
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop in this thread; plain ORM calls
        results = {}
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            baseline = idle_cost(stack, options.idle_seconds)
            for mode in ("push", "poll"):
                if mode == "poll":
                    stack.extra_env["BOARD_STREAM_URL"] = "off"
                    stack.restart_gunicorn()
                context, page = open_board(browser, stack, restaurant)
                if mode == "push":
                    page.locator("[data-board][data-stream='open']").wait_for()
                else:
                    assert page.locator("[data-board]").get_attribute("data-stream-url") == ""
                latencies = measure_latency(page, restaurant, options.orders, place)
                idle = idle_cost(stack, options.idle_seconds)
                context.close()
                results[mode] = (latencies, idle)
            browser.close()

        scale = 60 / options.idle_seconds
        print(f"Kitchen board, {options.orders} orders, through nginx ({options.workers} gunicorn workers):")
        print(
            f"  no board open: {baseline[0] * scale:.0f} SQL statements/min, {baseline[1] * scale:.2f} s CPU/min (baseline)"
        )
        for mode, (latencies, (sql, cpu)) in results.items():
            print(
                f"  {mode}: order -> visible p50 {statistics.median(latencies) * 1000:.0f} ms, "
                f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms; "
                f"one open board, idle: {(sql - baseline[0]) * scale:.0f} SQL statements/min, "
                f"{(cpu - baseline[1]) * scale:.2f} s CPU/min"
            )


if __name__ == "__main__":
    main()
