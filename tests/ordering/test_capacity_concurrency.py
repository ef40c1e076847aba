"""Against PostgreSQL, with real concurrent transactions: the oven is never overfilled,
and placing, changing and cancelling at once never deadlock."""

from dataclasses import replace
from datetime import timedelta

from django.db.models import Sum

from home.models import RestaurantPage
from ordering.capacity import SlotFull, slot_start
from ordering.exceptions import OrderError
from ordering.models import CapacitySettings, Order, SlotLoad, SlotReservation
from ordering.services import cancel_by_customer, change_order, place_order
from ordering.slots import schedule
from ordering.workflow import Fulfilment, Status
from tests.conftest import committed_db, make_always_open, size_of
from tests.ordering.test_concurrency import CLIENTS, assert_ledgers_balance, details, run_at_once

pytestmark = committed_db


def assert_never_overfilled(restaurant, capacity):
    for slot in SlotLoad.objects.filter(restaurant=restaurant):
        assert slot.load <= capacity, slot
        assert slot.load == (slot.reservations.aggregate(total=Sum("load"))["total"] or 0), slot
    for order in Order.objects.filter(restaurant=restaurant):
        load = sum(line.size.oven_load * line.quantity for line in order.lines.select_related("size"))
        reservation = SlotReservation.objects.filter(order=order).first()
        if order.status == Status.CANCELLED:
            assert reservation is None, order
        else:
            assert reservation is not None and reservation.load == load, order


def restaurant_with_capacity(units):
    restaurant = RestaurantPage.objects.get(slug="bastille")
    make_always_open(restaurant)
    CapacitySettings.objects.update_or_create(restaurant=restaurant, defaults={"default_capacity": units})
    return restaurant


def test_twenty_clients_fight_for_one_slot_and_never_overfill_it(demo_committed):
    restaurant = restaurant_with_capacity(10)  # 5 Junior pizzas
    moment = schedule(restaurant)[Fulfilment.PICKUP].slots[4]
    margherita = size_of("margherita")

    def order(n):
        return lambda: place_order(
            RestaurantPage.objects.get(pk=restaurant.pk), {margherita.pk: 1}, replace(details(n), requested_for=moment)
        )

    results = run_at_once([order(n) for n in range(CLIENTS)])
    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, SlotFull)]
    assert len(placed) == 5 and len(refused) == CLIENTS - 5, results
    assert all(r.next_time == moment + timedelta(minutes=15) for r in refused)
    assert SlotLoad.objects.get(restaurant=restaurant, starts_at=slot_start(moment, "pickup")).load == 10
    assert_never_overfilled(restaurant, 10)
    assert_ledgers_balance(restaurant)


def test_as_soon_as_possible_spreads_twenty_clients_over_the_slots(demo_committed):
    restaurant = restaurant_with_capacity(6)  # 3 Junior pizzas a slot
    margherita = size_of("margherita")
    jobs = [
        lambda n=n: place_order(RestaurantPage.objects.get(pk=restaurant.pk), {margherita.pk: 1}, details(n))
        for n in range(CLIENTS)
    ]
    results = run_at_once(jobs)
    assert all(isinstance(r, Order) for r in results), results
    assert_never_overfilled(restaurant, 6)
    loads = list(SlotLoad.objects.filter(restaurant=restaurant, load__gt=0).order_by("starts_at"))
    assert len(loads) == 7 and [slot.load for slot in loads[:-1]] == [6] * 6  # 20 pizzas = 6 full slots + 2
    for order in results:  # the promise is the end of the slot reserved (or later, when the lead time ends in it)
        order.refresh_from_db()
        assert order.estimated_ready_at >= order.slot_reservation.slot.starts_at
        assert order.estimated_ready_at <= order.slot_reservation.slot.starts_at + timedelta(minutes=15)


def test_placing_changing_and_cancelling_at_once_never_overfill_nor_deadlock(demo_committed):
    restaurant = restaurant_with_capacity(12)
    moment = schedule(restaurant)[Fulfilment.PICKUP].slots[4]
    margherita = size_of("margherita")
    timed = replace(details(0), requested_for=moment)
    orders = [place_order(restaurant, {margherita.pk: 1}, timed) for _ in range(4)]  # 8 of 12 units

    jobs = [lambda o=o: cancel_by_customer(o) for o in orders[:2]]
    jobs += [lambda o=o: change_order(o, {margherita.pk: 3}) for o in orders[2:]]
    jobs += [lambda: place_order(restaurant, {margherita.pk: 1}, timed) for _ in range(CLIENTS - 4)]
    jobs += [lambda n=n: place_order(restaurant, {margherita.pk: 2}, details(200 + n)) for n in range(4)]
    results = run_at_once(jobs)
    assert all(isinstance(r, (Order, OrderError)) for r in results), results  # no deadlock, no 500
    assert all(isinstance(r, Order) for r in results[:2])  # cancelling never fails
    assert all(isinstance(r, Order) for r in results[-4:])  # "as soon as possible" finds a slot
    assert_never_overfilled(restaurant, 12)
    assert_ledgers_balance(restaurant)
    assert SlotLoad.objects.get(restaurant=restaurant, starts_at=slot_start(moment, "pickup")).load <= 12
