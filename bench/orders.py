#!/usr/bin/env python
"""Order placement benchmark against PostgreSQL.

    .venv/bin/python bench/orders.py [--clients 20] [--orders-per-client 50]

Uses its own database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/ocpizza_bench), created and filled with the
demo if needed. Reports:
  1. throughput: N client processes (like gunicorn workers) place orders at
     once at one restaurant, through ordering.services.place_order (pricing,
     stock locks, numbering, lines, movement log);
  2. overselling: the same clients fight for the last units of an ingredient;
  3. the oven: the same clients place "as soon as possible" orders, and orders for
     one chosen time, against a small capacity per 15-minute slot; no slot may end
     over its capacity, and each slot's load must be the sum of its reservations;
  4. queries per checkout for 1 line and for 10 lines.
"""

import argparse
import multiprocessing as mp
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

from common import ensure_database

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/ocpizza_bench")
os.environ.update(
    DJANGO_SETTINGS_MODULE="settings.dev",
    DATABASE_URL=DB_URL,
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
)
os.environ.pop("REDIS_URL", None)


def setup():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", stdout=open(os.devnull, "w"))


def client(args):
    """One client process: places orders one after the other; returns (placed, refused, seconds)."""
    import django

    django.setup()
    from home.models import RestaurantPage
    from ordering.exceptions import OrderError
    from ordering.services import OrderDetails, place_order

    index, count, start_at, basket, *when = args
    restaurant = RestaurantPage.objects.get(slug="bastille")
    details = OrderDetails(
        fulfilment="pickup",
        name=f"Bench {index}",
        phone="0612345678",
        email="bench@example.fr",
        requested_for=when[0] if when and index % 2 else None,  # half of them want the chosen time
    )
    placed = refused = 0
    while time.time() < start_at:
        time.sleep(0.001)
    began = time.perf_counter()
    for _ in range(count):
        try:
            place_order(restaurant, basket, details)
            placed += 1
        except OrderError:
            refused += 1
    return placed, refused, time.perf_counter() - began


def run_clients(clients, per_client, basket, *when):
    start_at = time.time() + 1.0
    with mp.get_context("fork").Pool(clients) as pool:
        began = time.perf_counter()
        results = pool.map(client, [(i, per_client, start_at, basket, *when) for i in range(clients)])
        elapsed = time.perf_counter() - began - max(0.0, start_at - time.time())
    return results, elapsed


def set_stock(restaurant, name, quantity):
    from ordering.models import Stock, StockMovement

    stock = Stock.objects.get(restaurant=restaurant, ingredient__name=name)
    StockMovement.objects.create(
        stock=stock, delta=quantity - stock.quantity, reason=StockMovement.Reason.INVENTORY, note="bench"
    )
    Stock.objects.filter(pk=stock.pk).update(quantity=quantity)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--orders-per-client", type=int, default=50)
    options = parser.parse_args()

    ensure_database(DB_URL)
    setup()
    from django.db import connection, connections, reset_queries
    from django.db.models import Sum
    from django.test.utils import CaptureQueriesContext

    from home.models import OpeningHours, ProductSize, RestaurantPage
    from ordering.capacity import Capacities
    from ordering.models import CapacitySettings, Order, SlotLoad, SlotReservation, Stock
    from ordering.services import OrderDetails, place_order
    from ordering.slots import schedule

    restaurant = RestaurantPage.objects.get(slug="bastille")
    margherita = ProductSize.objects.filter(product__slug="margherita").order_by("sort_order").first()
    reine = ProductSize.objects.filter(product__slug="reine").order_by("sort_order").first()
    basket = {margherita.pk: 1, reine.pk: 1}
    total = options.clients * options.orders_per_client
    for stock in Stock.objects.filter(restaurant=restaurant):
        set_stock(restaurant, stock.ingredient.name, Decimal("100000000"))
    Order.objects.filter(restaurant=restaurant).delete()
    SlotLoad.objects.filter(restaurant=restaurant).delete()
    # Open around the clock and an oven that never fills: the throughput of the rest.
    restaurant.opening_hours.all().delete()
    restaurant.closures.all().delete()
    for weekday in range(7):
        OpeningHours.objects.create(restaurant=restaurant, weekday=weekday, opens="00:00", closes="00:00")
    CapacitySettings.objects.update_or_create(restaurant=restaurant, defaults={"default_capacity": 9999})
    restaurant.capacity_rules.all().delete()
    connections.close_all()

    results, elapsed = run_clients(options.clients, options.orders_per_client, basket)
    placed = sum(r[0] for r in results)
    print(
        f"throughput: {placed}/{total} orders in {elapsed:.2f} s with {options.clients} concurrent clients "
        f"= {placed / elapsed:.0f} orders/s (2 lines each, one restaurant)"
    )

    # The last units: mozzarella for exactly `limit` baskets (90 g + 90 g each).
    limit = total // 3
    set_stock(restaurant, "Mozzarella", Decimal("180") * limit)
    connections.close_all()
    results, elapsed = run_clients(options.clients, options.orders_per_client // 2, basket)
    placed, refused = sum(r[0] for r in results), sum(r[1] for r in results)
    mozzarella = Stock.objects.get(restaurant=restaurant, ingredient__name="Mozzarella")
    ledger = mozzarella.movements.aggregate(total=Sum("delta"))["total"]
    oversold = max(0, placed - limit)
    print(
        f"last units: {placed} placed for {limit} possible, {refused} refused, oversold {oversold}, "
        f"stock left {mozzarella.quantity}, ledger {'balances' if ledger == mozzarella.quantity else 'DOES NOT BALANCE'}"
    )

    set_stock(restaurant, "Mozzarella", Decimal("100000000"))

    # The oven: 40 units per 15 minutes (a Junior takes 2: 2 lines = 4 units, 10 orders a slot).
    capacity = 40
    CapacitySettings.objects.filter(restaurant=restaurant).update(default_capacity=capacity)
    Order.objects.filter(restaurant=restaurant).delete()
    SlotLoad.objects.filter(restaurant=restaurant).delete()
    chosen = schedule(restaurant)["pickup"].slots[8]
    connections.close_all()
    per_client = max(1, options.orders_per_client // 5)
    results, elapsed = run_clients(options.clients, per_client, basket, chosen)
    placed, refused = sum(r[0] for r in results), sum(r[1] for r in results)
    capacities = Capacities(restaurant, capacity)
    slots = list(SlotLoad.objects.filter(restaurant=restaurant, load__gt=0).order_by("starts_at"))
    over = [slot for slot in slots if slot.load > capacities.of(slot.starts_at)]
    unbalanced = [
        slot
        for slot in slots
        if slot.load != (SlotReservation.objects.filter(slot=slot).aggregate(t=Sum("load"))["t"] or 0)
    ]
    most = max((slot.load for slot in slots), default=0)
    print(
        f"oven: {placed} placed, {refused} refused (their chosen time full) in {elapsed:.2f} s "
        f"= {placed / elapsed:.0f} orders/s; {len(slots)} slots used, fullest {most}/{capacity} units, "
        f"{len(over)} over capacity, {len(unbalanced)} not matching their reservations"
    )

    CapacitySettings.objects.filter(restaurant=restaurant).update(default_capacity=9999)
    details = OrderDetails(fulfilment="pickup", name="Bench", phone="0612345678", email="bench@example.fr")
    sizes = list(ProductSize.objects.filter(product__category__slug="pizzas").order_by("pk")[:10])
    for lines in (1, 10):
        reset_queries()  # a full query log (9000, e.g. after loading the demo) would count nothing
        with CaptureQueriesContext(connection) as queries:
            place_order(restaurant, {size.pk: 1 for size in sizes[:lines]}, details)
        print(f"queries per checkout with {lines} line(s): {len(queries)}")
    return 1 if oversold or over or unbalanced else 0


if __name__ == "__main__":
    sys.exit(main())
