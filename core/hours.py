"""Opening hours as concrete periods of time, independent of models and templates.

A weekly interval whose closing time is not after its opening time runs past
midnight (e.g. Friday 18:00-01:00 ends on Saturday at 01:00).
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class WeeklyInterval:
    weekday: int  # 0 = Monday, as in date.weekday()
    opens: time
    closes: time


@dataclass(frozen=True)
class Closure:
    start: date
    end: date  # inclusive

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class OpeningStatus:
    is_open: bool
    closes_at: datetime | None = None  # when open: end of the current period
    opens_at: datetime | None = None  # when closed: start of the next period (None: no opening in sight)


def _local(day: date, at: time, tz) -> datetime:
    return timezone.make_aware(datetime.combine(day, at), tz)


def open_periods(intervals, closures, start_day: date, days: int, tz=None):
    """Concrete (start, end) periods for the days from start_day, sorted by start.

    A closure cancels the periods that start on one of its days.
    """
    tz = tz or timezone.get_current_timezone()
    periods = []
    for offset in range(days):
        day = start_day + timedelta(days=offset)
        if any(closure.covers(day) for closure in closures):
            continue
        for interval in intervals:
            if interval.weekday != day.weekday():
                continue
            end_day = day if interval.closes > interval.opens else day + timedelta(days=1)
            periods.append((_local(day, interval.opens, tz), _local(end_day, interval.closes, tz)))
    periods.sort()
    return _merge(periods)


def _merge(periods):
    """Join periods that touch or overlap, so "closes at" is the real closing time."""
    merged = []
    for start, end in periods:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def opening_status(intervals, closures, now: datetime, horizon_days: int = 8) -> OpeningStatus:
    tz = timezone.get_current_timezone()
    local_now = timezone.localtime(now, tz)
    # Start yesterday: a period opened last night may still be running.
    periods = open_periods(intervals, closures, local_now.date() - timedelta(days=1), horizon_days + 1, tz)
    for start, end in periods:
        if start <= local_now < end:
            return OpeningStatus(is_open=True, closes_at=end)
        if start > local_now:
            return OpeningStatus(is_open=False, opens_at=start)
    return OpeningStatus(is_open=False)
