"""Working-hours arithmetic (pure)."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from sla.calendar import WorkingCalendar

CAL = WorkingCalendar(start=time(7), end=time(19), days=frozenset(range(5)), zone=ZoneInfo("UTC"))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)  # 2026-12-04 is a Friday


def test_minutes_inside_one_working_day():
    assert CAL.add(at(3, 9), 30) == at(3, 9, 30)


def test_time_outside_working_hours_does_not_count():
    # Friday 18:30 + 60 working minutes: 30 on Friday, 30 on Monday from 07:00.
    assert CAL.add(at(4, 18, 30), 60) == at(7, 7, 30)
    assert CAL.add(at(5, 12), 10) == at(7, 7, 10)  # a Saturday starts on Monday morning


def test_minutes_between_skips_nights_and_weekends():
    assert CAL.minutes_between(at(4, 18, 30), at(7, 7, 30)) == 60
    assert CAL.minutes_between(at(3, 20), at(4, 6)) == 0


def test_calendar_in_another_time_zone():
    paris = WorkingCalendar(
        start=time(9), end=time(17), days=frozenset(range(5)), zone=ZoneInfo("Europe/Paris")
    )
    # 07:30 UTC is 08:30 in Paris: the clock starts at 09:00 Paris = 08:00 UTC.
    assert paris.add(at(3, 7, 30), 15) == at(3, 8, 15)
