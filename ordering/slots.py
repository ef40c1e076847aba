"""When an order can be ready: "as soon as possible" and time slots inside
the restaurant's opening hours, spaced and delayed by its preparation time."""

import math
from datetime import timedelta

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


def available_slots(restaurant, fulfilment, now=None):
    """Times the order can be ready at, from the earliest possible one."""
    now = now or timezone.now()
    lead, step = lead_time(restaurant, fulfilment), slot_step(restaurant)
    slots = []
    for start, end in _periods(restaurant, now):
        moment = _round_up(max(start + lead, now + lead), step)
        while moment <= end:
            slots.append(moment)
            moment += step
    return slots


def asap_time(restaurant, fulfilment, now=None):
    """When an order placed now would be ready, or None if the restaurant is
    closed now or would close before."""
    now = now or timezone.now()
    ready = now + lead_time(restaurant, fulfilment)
    for start, end in _periods(restaurant, now):
        if start <= now < end and ready <= end:
            return ready
    return None
