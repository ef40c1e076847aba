"""The oven's capacity per 15-minute slot, and the restaurant's busy mode.

An order loads the oven with its pizzas, weighted by size (ProductSize.oven_load:
Junior 2, Sénior 3, Méga 4; drinks and desserts 0), in the 15-minute slot of the
kitchen's time in which it comes out of the oven: the slot ending at the first
quarter-hour at or after its ready time (minus the ride for a delivery). Each
slot holds at most the restaurant's capacity (CapacitySettings.default_capacity,
or the smallest CapacityRule for that weekday and time); an order bigger than a
whole slot takes an empty one to itself.

The load of a slot is one row (SlotLoad) that only changes under its row lock,
in the transaction of the order service that places, changes or cancels the
order (ordering.services), after the stock rows and before the daily counter;
several slots are always locked in time order. Each order's share is its
SlotReservation; a slot's load is the sum of its reservations.

Busy mode: minutes added to every promise, or online orders paused (phone and
counter orders are still taken), each until a time after which it ends by itself.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .exceptions import OrderError
from .models import CapacityRule, CapacitySettings, Order, SlotLoad, SlotReservation
from .slots import DELIVERY_MINUTES, current_period_end, lead_time, schedule
from .wording import moment_phrase
from .workflow import Fulfilment, Status

SLOT = timedelta(minutes=15)
DEFAULT_CAPACITY = CapacitySettings._meta.get_field("default_capacity").default
MOST_CAPACITY = 9999
EXTRA_CHOICES = (10, 20, 30)  # minutes busy mode adds to every promise
BUSY_DURATIONS = (30, 60, 90, 120, 180)  # minutes a busy mode lasts
SEARCH_LIMIT = timedelta(hours=12)  # how far "as soon as possible" looks when the hours do not bound it
LOADS_READ = timedelta(days=3)  # the slots a checkout page reads (today and tomorrow, and the night after)


# --- the arithmetic of slots --------------------------------------------------------------


def order_load(lines):
    """The oven units of priced lines (size and quantity), e.g. 2 Sénior + 1 Junior = 8."""
    return sum(line.size.oven_load * line.quantity for line in lines if line.size is not None)


def ride(fulfilment):
    return timedelta(minutes=DELIVERY_MINUTES if fulfilment == Fulfilment.DELIVERY else 0)


def _ceil(moment):
    seconds = SLOT.total_seconds()
    epoch = moment.timestamp()
    return moment + timedelta(seconds=math.ceil(epoch / seconds) * seconds - epoch)


def slot_start(moment, fulfilment):
    """The start of the oven slot of an order ready (take-away) or delivered at `moment`."""
    return _ceil(moment - ride(fulfilment)) - SLOT


def next_candidate(moment, fulfilment):
    """The customer's time at the end of the oven slot after `moment`'s."""
    return slot_start(moment, fulfilment) + 2 * SLOT + ride(fulfilment)


# --- busy mode and capacities -------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """A restaurant's capacity settings as they apply at one moment (an ended busy mode is off)."""

    default_capacity: int = DEFAULT_CAPACITY
    extra_minutes: int = 0
    extra_until: datetime | None = None
    paused_until: datetime | None = None

    @property
    def extra(self):
        return timedelta(minutes=self.extra_minutes)

    @property
    def paused(self):
        return self.paused_until is not None

    @property
    def busy(self):
        return self.paused or bool(self.extra_minutes)

    def notice(self):
        """What the public site says about it ("" when the kitchen runs normally)."""
        if self.paused:
            return _("Online orders are paused until %(time)s: please call the restaurant to order.") % {
                "time": moment_phrase(self.paused_until)
            }
        if self.extra_minutes:
            return _("The kitchen is very busy: times are %(minutes)s minutes later than usual until %(time)s.") % {
                "minutes": self.extra_minutes,
                "time": moment_phrase(self.extra_until),
            }
        return ""


def pace(restaurant, now=None):
    """The restaurant's capacity settings now (one query)."""
    return pace_from(CapacitySettings.objects.filter(restaurant=restaurant).first(), now)


def pace_from(row, now=None):
    """The pace these settings (a CapacitySettings, or None: the defaults) give now."""
    now = now or timezone.now()
    if row is None:
        return Pace()
    extra_on = row.extra_minutes and row.extra_until and row.extra_until > now
    paused_on = row.paused_until and row.paused_until > now
    return Pace(
        default_capacity=row.default_capacity,
        extra_minutes=row.extra_minutes if extra_on else 0,
        extra_until=row.extra_until if extra_on else None,
        paused_until=row.paused_until if paused_on else None,
    )


class Capacities:
    """The capacity of each slot of a restaurant: the smallest rule for its weekday and
    time, else the default (one query)."""

    def __init__(self, restaurant, default):
        self.default = default
        self.rules = list(CapacityRule.objects.filter(restaurant=restaurant))

    def of(self, start):
        local = timezone.localtime(start)
        day, time = local.weekday(), local.time()
        applicable = [rule.capacity for rule in self.rules if rule.weekday == day and rule.starts <= time < rule.ends]
        return min(applicable) if applicable else self.default


def _fits(used, load, capacity):
    """Room for `load` more units in a slot holding `used`. An order bigger than a whole
    slot (a 14-pizza office order) takes an empty slot to itself, unless the slot is closed (0)."""
    if load == 0 or used + load <= capacity:
        return True
    return used == 0 and capacity > 0 and load > capacity


class Room:
    """Which slots have room for an order of `load` units, as read now without locks
    (what the checkout offers; the order services check again under the slot's lock)."""

    def __init__(self, restaurant, load, now, capacities):
        self.load = max(load, 0)
        self.capacities = capacities
        self.loads = dict(
            SlotLoad.objects.filter(
                restaurant=restaurant, starts_at__gte=now - 4 * SLOT, starts_at__lt=now + LOADS_READ
            ).values_list("starts_at", "load")
        )

    def has_room(self, start):
        return _fits(self.loads.get(start, 0), self.load, self.capacities.of(start))

    def for_fulfilment(self, fulfilment):
        return _FulfilmentRoom(self, fulfilment)


class _FulfilmentRoom:
    def __init__(self, room, fulfilment):
        self.room, self.fulfilment = room, fulfilment
        self.full = set()  # the slots left out for want of room (the checkout explains them)

    def offers(self, moment):
        if self.room.has_room(slot_start(moment, self.fulfilment)):
            return True
        self.full.add(moment)
        return False

    def first_fit(self, moment, limit):
        """The earliest time from `moment` until `limit` whose oven slot has room, or None."""
        while moment <= limit:
            if self.room.has_room(slot_start(moment, self.fulfilment)):
                return moment
            moment = next_candidate(moment, self.fulfilment)
        return None


def checkout_schedule(restaurant, load, now=None):
    """(the times a checkout offers an order of `load` units: busy mode's minutes added,
    full slots left out, "as soon as possible" the earliest with room; the pace; the slots
    left out as full, per fulfilment)."""
    now = now or timezone.now()
    current = pace(restaurant, now)
    room, rooms = Room(restaurant, load, now, Capacities(restaurant, current.default_capacity)), {}

    def room_for(fulfilment):
        rooms[fulfilment] = room.for_fulfilment(fulfilment)
        return rooms[fulfilment]

    times = schedule(restaurant, now, extra=current.extra, room=room_for)
    return times, current, {fulfilment: fits.full for fulfilment, fits in rooms.items()}


def next_free(restaurant, load, fulfilment, after=None, now=None):
    """The first time after `after` (or the earliest) an order of `load` units fits, or None."""
    times = checkout_schedule(restaurant, load, now)[0][fulfilment]
    if after is None and times.asap:
        return times.asap
    return next((slot for slot in times.slots if after is None or slot > after), None)


class SlotFull(OrderError):
    """The chosen time's oven slot has no room left; says the next free time."""

    def __init__(self, next_time):
        self.next_time = next_time
        if next_time is None:
            message = _("The oven is full at that time, and there is no free time left today or tomorrow.")
        else:
            message = _("The oven is full at that time — next free slot: %(time)s.") % {
                "time": moment_phrase(next_time)
            }
        super().__init__(message)


# --- reserving under lock (inside the order services' transactions) ------------------------


@dataclass
class Booking:
    slot: SlotLoad
    load: int
    promise: datetime  # when the order is ready (take-away) or delivered


def _lock_slot(restaurant, start):
    """The slot's row, created if needed and locked until the end of the transaction."""
    table = connection.ops.quote_name(SlotLoad._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (restaurant_id, starts_at, "load") VALUES (%s, %s, 0) '
            f'ON CONFLICT (restaurant_id, starts_at) DO UPDATE SET "load" = {table}."load" RETURNING id, "load"',
            [restaurant.pk, start],
        )
        pk, load = cursor.fetchone()
    return SlotLoad(pk=pk, restaurant_id=restaurant.pk, starts_at=start, load=load)


def _add(slot, load):
    slot.load += load
    SlotLoad.objects.filter(pk=slot.pk).update(load=slot.load)


def book(restaurant, lines, details, now):
    """Reserves the oven for a new order (stock rows already locked): the chosen time's
    slot, or for "as soon as possible" the earliest slot with room after the lead time
    (and busy mode's minutes), or from the time the checkout showed if later. Online
    orders are refused while paused. Returns a Booking
    or raises OrderError (SlotFull names the next free time)."""
    load = order_load(lines)
    current = pace(restaurant, now)
    if current.paused and details.channel == Order.Channel.WEB:
        raise OrderError(current.notice())
    capacities = Capacities(restaurant, current.default_capacity)
    fulfilment = details.fulfilment
    if details.requested_for is not None:
        moment = details.requested_for
        slot = _lock_slot(restaurant, slot_start(moment, fulfilment))
        if not _fits(slot.load, load, capacities.of(slot.starts_at)):
            raise SlotFull(next_free(restaurant, load, fulfilment, after=moment, now=now))
    else:
        earliest = now + lead_time(restaurant, fulfilment) + current.extra
        if details.estimated_ready_at and details.estimated_ready_at > earliest:
            earliest = details.estimated_ready_at  # what the checkout said: never promised earlier
        end = current_period_end(restaurant, now)
        limit = max(end, earliest) if end else earliest + SEARCH_LIMIT
        room = Room(restaurant, load, now, capacities).for_fulfilment(fulfilment)  # skips the slots seen full
        moment, slot = room.first_fit(earliest, limit), None
        while moment is not None:  # later and later: slots are locked in time order
            slot = _lock_slot(restaurant, slot_start(moment, fulfilment))
            if _fits(slot.load, load, capacities.of(slot.starts_at)):
                break
            moment, slot = room.first_fit(next_candidate(moment, fulfilment), limit), None
        if slot is None:
            raise SlotFull(next_free(restaurant, load, fulfilment, after=limit, now=now))
    _add(slot, load)
    return Booking(slot=slot, load=load, promise=timezone.localtime(moment))


def record(order, booking):
    SlotReservation.objects.create(order=order, slot_id=booking.slot.pk, load=booking.load)


def rebook(order, lines):
    """The order (locked) changes its lines: its slot's load follows, if there is room."""
    load = order_load(lines)
    reservation = SlotReservation.objects.filter(order=order).first()
    if reservation is None:  # placed before capacities existed: it joins its slot now
        promise = order.requested_for or order.estimated_ready_at or order.created_at
        slot, held = _lock_slot(order.restaurant, slot_start(promise, order.fulfilment)), 0
    else:
        slot, held = SlotLoad.objects.select_for_update().get(pk=reservation.slot_id), reservation.load
    added = load - held
    if added > 0:
        capacities = Capacities(order.restaurant, pace(order.restaurant).default_capacity)
        if not _fits(slot.load - held, load, capacities.of(slot.starts_at)):
            raise OrderError(
                _(
                    "The oven has no room left at that time for more: keep the order as it is, "
                    "or order the extra items separately."
                )
            )
    _add(slot, added)
    if reservation is None:
        SlotReservation.objects.create(order=order, slot=slot, load=load)
    else:
        SlotReservation.objects.filter(pk=reservation.pk).update(load=load)


def release(order):
    """The order (locked) is cancelled: its load leaves its slot."""
    reservation = SlotReservation.objects.filter(order=order).first()
    if reservation is None:
        return
    slot = SlotLoad.objects.select_for_update().get(pk=reservation.slot_id)
    _add(slot, -reservation.load)
    reservation.delete()


# --- the promise the tracking page shows ---------------------------------------------------

STILL_TO_COOK = timedelta(minutes=5)  # an order being prepared is out of the oven in about this


def live_promise(order, now=None):
    """(the time the customer can expect the order, True when it moved later than promised
    because the kitchen is late). An order not started yet still needs half the usual
    preparation time (10 minutes at least), one being prepared about 5 minutes."""
    promise = order.requested_for or order.estimated_ready_at
    if promise is None or order.status not in (Status.PLACED, Status.IN_PREPARATION):
        return promise, False
    now = now or timezone.now()
    if order.status == Status.IN_PREPARATION:
        still = STILL_TO_COOK
    else:
        still = timedelta(minutes=max(10, order.restaurant.preparation_minutes // 2))
    revised = now + still + ride(order.fulfilment)
    return (revised, True) if revised > promise else (promise, False)


# --- the manager's and the kitchen's changes -----------------------------------------------


def settings_of(restaurant):
    return CapacitySettings.objects.get_or_create(restaurant=restaurant)[0]


def set_default_capacity(restaurant, capacity):
    CapacitySettings.objects.update_or_create(restaurant=restaurant, defaults={"default_capacity": capacity})


def set_busy(restaurant, mode, minutes, now=None):
    """Busy mode for `minutes` from now: mode "pause" (online orders), a number of minutes
    added to every promise (10, 20, 30), or "normal" (ends both)."""
    until = (now or timezone.now()) + timedelta(minutes=minutes)
    if mode == "normal":
        fields = {"extra_minutes": 0, "extra_until": None, "paused_until": None}
    elif mode == "pause":
        fields = {"paused_until": until}
    else:
        fields = {"extra_minutes": int(mode), "extra_until": until}
    CapacitySettings.objects.update_or_create(restaurant=restaurant, defaults=fields)
