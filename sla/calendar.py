"""Working-hours arithmetic: add a number of working minutes to a moment, and count the
working minutes between two moments, on a weekly calendar (working days, one daily
window, a time zone). Pure functions; the calendar comes from settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class WorkingCalendar:
    start: time
    end: time
    days: frozenset[int]  # 0 = Monday
    zone: ZoneInfo

    @classmethod
    def from_settings(cls) -> WorkingCalendar:
        start, end = settings.VIGIL_SLA_WORKING_HOURS.split("-")
        days = frozenset(DAY_NAMES.index(day.strip().lower()[:3]) for day in settings.VIGIL_SLA_WORKING_DAYS)
        return cls(
            start=time.fromisoformat(start.strip()),
            end=time.fromisoformat(end.strip()),
            days=days,
            zone=ZoneInfo(settings.VIGIL_SLA_WORKING_TIME_ZONE),
        )

    def _windows(self, moment: datetime):
        """The working windows (start, end) from the day of `moment` on, in order."""
        local = moment.astimezone(self.zone)
        day = local.date()
        for _ in range(3660):  # ten years: a calendar with no working day ends the loop
            if day.weekday() in self.days:
                yield (
                    datetime.combine(day, self.start, self.zone),
                    datetime.combine(day, self.end, self.zone),
                )
            day += timedelta(days=1)

    def add(self, moment: datetime, minutes: float) -> datetime:
        """The moment when `minutes` of working time have passed since `moment`."""
        remaining = timedelta(minutes=minutes)
        for start, end in self._windows(moment):
            if end <= moment:
                continue
            begin = max(start, moment)
            if begin + remaining <= end:
                return (begin + remaining).astimezone(moment.tzinfo)
            remaining -= end - begin
        raise ValueError("The working calendar has no working days.")

    def minutes_between(self, start_at: datetime, end_at: datetime) -> float:
        """Working minutes from `start_at` to `end_at` (0 when end is before start)."""
        total = timedelta()
        for start, end in self._windows(start_at):
            if start >= end_at:
                break
            begin, finish = max(start, start_at), min(end, end_at)
            if finish > begin:
                total += finish - begin
        return total.total_seconds() / 60
