"""Against PostgreSQL, with real concurrent transactions: stock is never oversold."""

import threading
from decimal import Decimal

from django.db import connection
from django.db.models import Sum

from home.models import RestaurantPage
from ordering.exceptions import OrderError
from ordering.models import Order, Stock
from ordering.services import OrderDetails, cancel_by_customer, change_order, place_order
from ordering.stock import ingredient_needs, recipes_for
from ordering.workflow import Fulfilment, Status
from tests.conftest import committed_db, size_of

pytestmark = committed_db
CLIENTS = 20
MOZZARELLA_PER_JUNIOR = Decimal("90")  # 120 g x 0.75


def run_at_once(jobs):
    """Runs the callables in threads released together; returns their results or exceptions."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except Exception as error:  # noqa: BLE001 - collected for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def details(n):
    return OrderDetails(fulfilment=Fulfilment.PICKUP, name=f"Client {n}", phone="0612345678", email=f"c{n}@example.fr")


def mozzarella(restaurant):
    return Stock.objects.get(restaurant=restaurant, ingredient__name="Mozzarella")


def assert_ledgers_balance(restaurant):
    for stock in Stock.objects.filter(restaurant=restaurant):
        assert stock.quantity >= 0
        assert stock.movements.aggregate(total=Sum("delta"))["total"] == stock.quantity, stock.ingredient.name


def set_level(stock, level):
    """Adjusts through the movement log, as staff would."""
    from ordering.models import StockMovement

    StockMovement.objects.create(stock=stock, delta=level - stock.quantity, reason=StockMovement.Reason.INVENTORY)
    Stock.objects.filter(pk=stock.pk).update(quantity=level)


def test_twenty_clients_order_the_last_units(demo_committed):
    restaurant = RestaurantPage.objects.get(slug="bastille")
    margherita = size_of("margherita")  # Junior
    set_level(mozzarella(restaurant), MOZZARELLA_PER_JUNIOR * 7)  # enough for exactly 7

    def order(n):
        return lambda: place_order(RestaurantPage.objects.get(pk=restaurant.pk), {margherita.pk: 1}, details(n))

    results = run_at_once([order(n) for n in range(CLIENTS)])
    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, OrderError)]
    assert len(placed) == 7 and len(refused) == CLIENTS - 7, results
    assert all("Margherita" in str(error) for error in refused)
    assert mozzarella(restaurant).quantity == 0
    assert Order.objects.filter(restaurant=restaurant).count() == 7
    assert len({o.number for o in placed}) == 7
    assert_ledgers_balance(restaurant)


def test_concurrent_changes_and_cancellations_keep_the_books(demo_committed):
    restaurant = RestaurantPage.objects.get(slug="bastille")
    margherita = size_of("margherita")
    set_level(mozzarella(restaurant), MOZZARELLA_PER_JUNIOR * 12)
    orders = [place_order(restaurant, {margherita.pk: 1}, details(n)) for n in range(10)]
    assert mozzarella(restaurant).quantity == MOZZARELLA_PER_JUNIOR * 2

    jobs = [lambda o=o: cancel_by_customer(o) for o in orders[:5]]
    jobs += [lambda o=o: change_order(o, {margherita.pk: 3}) for o in orders[5:]]
    jobs += [lambda n=n: place_order(restaurant, {margherita.pk: 1}, details(100 + n)) for n in range(CLIENTS - 10)]
    results = run_at_once(jobs)
    assert all(isinstance(r, (Order, OrderError)) for r in results), results
    assert all(isinstance(r, Order) for r in results[:5])  # cancelling never fails

    assert_ledgers_balance(restaurant)
    # What the live orders hold, plus what is left, is what there was.
    held, mozzarella_id = Decimal("0"), mozzarella(restaurant).ingredient_id
    for order in Order.objects.filter(restaurant=restaurant):
        needs = ingredient_needs(
            {line.size_id: line.quantity for line in order.lines.all()}, recipes_for([margherita.pk])
        )
        from_log = -(
            order.stock_movements.filter(stock__ingredient__name="Mozzarella").aggregate(s=Sum("delta"))["s"] or 0
        )
        expected = Decimal("0") if order.status == Status.CANCELLED else needs[mozzarella_id]
        assert from_log == expected, order
        held += from_log
    assert held + mozzarella(restaurant).quantity == MOZZARELLA_PER_JUNIOR * 12
