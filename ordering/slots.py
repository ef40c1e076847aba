"""When an order can be ready: "as soon as possible" and time slots inside
the restaurant's opening hours, spaced and delayed by its preparation time.

Each fulfilment has its own lead time (a delivery adds the ride), so each gets
its own times: a checkout offers for take-away and for delivery only the times
that fulfilment can keep (`schedule`)."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from core.hours import Closure, WeeklyInterval, open_periods

from .workflow import Fulfilment

DELIVERY_MINUTES = 20  # riding time added to the kitchen's for a delivery
SLOT_DAYS = 2  # today and tomorrow


def lead_time(restaurant, fulfilment):
    minutes = restaurant.preparation_minutes + (DELIVERY_MINUTES if fulfilment == Fulfilment.DELIVERY else 0)
    return timedelta(minutes=minutes)


def slot_step(restaurant):
    return timedelta(minutes=15 if restaurant.preparation_minutes <= 30 else 30)


def _periods(restaurant, now):
    intervals = [WeeklyInterval(h.weekday, h.opens, h.closes) for h in restaurant.opening_hours.all()]
    closures = [Closure(c.start_date, c.end_date) for c in restaurant.closures.all()]
    local = timezone.localtime(now)
    return open_periods(intervals, closures, local.date() - timedelta(days=1), SLOT_DAYS + 1)


def _round_up(moment, step):
    seconds = step.total_seconds()
    epoch = moment.timestamp()
    return moment + timedelta(seconds=math.ceil(epoch / seconds) * seconds - epoch)


def _slots(periods, lead, step, now, room=None):
    """The slots from the earliest; with `room` (ordering.capacity), only those it has room in."""
    slots = []
    for start, end in periods:
        moment = timezone.localtime(_round_up(max(start + lead, now + lead), step))
        while moment <= end:
            if room is None or room.offers(moment):
                slots.append(moment)
            moment += step
    return slots


def _asap(periods, lead, now, room=None):
    """Now plus the lead time, if open; with `room`, the earliest time from then with room before closing."""
    ready = now + lead
    for start, end in periods:
        if start <= now < end and ready <= end:
            moment = ready if room is None else room.first_fit(ready, end)
            return None if moment is None else timezone.localtime(moment)
    return None


def current_period_end(restaurant, now=None):
    """When the opening period the restaurant is in now ends, or None when closed."""
    now = now or timezone.now()
    return next((end for start, end in _periods(restaurant, now) if start <= now < end), None)


def available_slots(restaurant, fulfilment, now=None):
    """Times the order can be ready at (take-away) or delivered at, from the earliest possible one."""
    now = now or timezone.now()
    return _slots(_periods(restaurant, now), lead_time(restaurant, fulfilment), slot_step(restaurant), now)


def asap_time(restaurant, fulfilment, now=None):
    """When an order placed now would be ready (or delivered), or None if the
    restaurant is closed now or would close before."""
    now = now or timezone.now()
    return _asap(_periods(restaurant, now), lead_time(restaurant, fulfilment), now)


@dataclass(frozen=True)
class TimeChoices:
    """What one fulfilment can offer: "as soon as possible" (the time it would be
    ready or delivered; None when not possible now) and the slots it can keep."""

    asap: datetime | None
    slots: tuple

    @property
    def first(self):
        """The earliest time this fulfilment can offer, or None."""
        return self.asap or (self.slots[0] if self.slots else None)


@dataclass(frozen=True)
class Schedule:
    is_open: bool
    choices: dict  # fulfilment -> TimeChoices

    def __getitem__(self, fulfilment):
        return self.choices[fulfilment]

    @property
    def every_slot(self):
        """Each slot some fulfilment offers, once, in time order."""
        return sorted({slot for times in self.choices.values() for slot in times.slots})


def schedule(restaurant, now=None, extra=None, room=None):
    """The times of each fulfilment from one reading of the opening hours (two queries).
    `extra` (busy mode) delays every time; `room(fulfilment)` (ordering.capacity) keeps
    only the times whose oven slot has room."""
    now = now or timezone.now()
    periods = _periods(restaurant, now)
    step = slot_step(restaurant)
    choices = {}
    for fulfilment in Fulfilment.values:
        lead = lead_time(restaurant, fulfilment) + (extra or timedelta(0))
        fits = room(fulfilment) if room else None
        choices[fulfilment] = TimeChoices(
            asap=_asap(periods, lead, now, fits), slots=tuple(_slots(periods, lead, step, now, fits))
        )
    return Schedule(is_open=any(start <= now < end for start, end in periods), choices=choices)
