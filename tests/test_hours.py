"""Opening hours logic, across days, midnight and closures (Europe/Paris)."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from core.hours import Closure, WeeklyInterval, opening_status

MON, FRI, SAT, SUN = 0, 4, 5, 6
# 2026-11-23 is a Monday.
HOURS = [
    WeeklyInterval(MON, time(11, 30), time(14, 30)),
    WeeklyInterval(MON, time(18, 30), time(22, 30)),
    WeeklyInterval(FRI, time(18, 30), time(1, 0)),  # past midnight
    WeeklyInterval(SAT, time(18, 0), time(23, 0)),
]


def at(day, hour, minute=0):
    return timezone.make_aware(datetime(2026, 11, day, hour, minute))


@pytest.mark.parametrize(
    "now, is_open, boundary",
    [
        (at(23, 12), True, at(23, 14, 30)),  # Monday lunch
        (at(23, 11, 29), False, at(23, 11, 30)),  # one minute before opening
        (at(23, 14, 30), False, at(23, 18, 30)),  # closing time itself is closed
        (at(23, 22, 45), False, at(27, 18, 30)),  # Monday night -> Friday
        (at(27, 23, 59), True, at(28, 1, 0)),  # Friday late
        (at(28, 0, 30), True, at(28, 1, 0)),  # Saturday 00:30, still Friday's service
        (at(28, 1, 0), False, at(28, 18, 0)),  # closed after midnight service
        (at(29, 12), False, at(30, 11, 30)),  # Sunday -> Monday
    ],
)
def test_opening_status(now, is_open, boundary):
    status = opening_status(HOURS, [], now)
    assert status.is_open is is_open
    assert (status.closes_at if is_open else status.opens_at) == boundary


def test_closure_cancels_the_day_and_next_opening_skips_it():
    closures = [Closure(date(2026, 11, 27), date(2026, 11, 27))]  # Friday closed
    status = opening_status(HOURS, closures, at(27, 20))
    assert not status.is_open
    assert status.opens_at == at(28, 18, 0)


def test_closure_does_not_cut_a_service_started_the_day_before():
    closures = [Closure(date(2026, 11, 28), date(2026, 11, 28))]  # Saturday closed
    assert opening_status(HOURS, closures, at(28, 0, 30)).is_open


def test_adjacent_intervals_merge_into_one_closing_time():
    hours = [WeeklyInterval(MON, time(11, 0), time(15, 0)), WeeklyInterval(MON, time(15, 0), time(23, 0))]
    assert opening_status(hours, [], at(23, 14)).closes_at == at(23, 23, 0)


def test_no_hours_means_closed_with_no_next_opening():
    status = opening_status([], [], at(23, 12))
    assert not status.is_open and status.opens_at is None


def test_long_closure_reports_no_opening_within_a_week():
    closures = [Closure(date(2026, 11, 20), date(2026, 12, 31))]
    assert opening_status(HOURS, closures, at(23, 12)) == opening_status([], [], at(23, 12))
