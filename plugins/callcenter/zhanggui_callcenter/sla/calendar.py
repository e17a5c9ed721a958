"""Business time: working hours per weekday, minus a region's public holidays.

Holidays come from the ``holidays`` package (mainland China, Taiwan, Hong Kong),
including the days off the mainland's State Council moves (调休); the Saturdays it
turns into working days are not in that package and are not counted as working
time.  All arguments and results are timezone-aware UTC datetimes; the working
hours are local time in the policy's zone.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

MAX_DAYS = 3 * 366      # a deadline further than this means there are no working hours


class NoWorkingHours(ValueError):
    """The calendar has no working time at all (no hours, or only holidays)."""


@lru_cache(maxsize=64)
def _holidays(region: str, year: int) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(region, years=year).keys())


def is_holiday(region: str, day: dt.date) -> bool:
    return day in _holidays(region, day.year)


class BusinessCalendar:
    """``hours`` maps a weekday (0 Monday) to its working periods ``[(start, end)]``."""

    def __init__(self, hours: dict[int, list[tuple[dt.time, dt.time]]], region: str = "CN",
                 timezone: str = "Asia/Shanghai"):
        self.hours = {day: sorted(periods) for day, periods in hours.items()}
        self.region = region
        self.zone = ZoneInfo(timezone)

    def periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The working periods of a local date, as UTC datetimes (none on holidays)."""
        if is_holiday(self.region, day):
            return []
        out = []
        for start, end in self.hours.get(day.weekday(), []):
            if end > start:
                out.append((dt.datetime.combine(day, start, self.zone).astimezone(dt.timezone.utc),
                            dt.datetime.combine(day, end, self.zone).astimezone(dt.timezone.utc)))
        return out

    def _days_from(self, moment: dt.datetime):
        day = moment.astimezone(self.zone).date()
        for offset in range(MAX_DAYS):
            yield day + dt.timedelta(days=offset)

    def add(self, start: dt.datetime, seconds: float) -> dt.datetime:
        """The moment ``seconds`` of working time after ``start``."""
        left = max(0.0, float(seconds))
        for day in self._days_from(start):
            for begin, end in self.periods(day):
                if end <= start:
                    continue
                begin = max(begin, start)
                span = (end - begin).total_seconds()
                if left <= span:
                    return begin + dt.timedelta(seconds=left)
                left -= span
        raise NoWorkingHours("no working time within three years")

    def seconds_between(self, start: dt.datetime, end: dt.datetime) -> float:
        """Working seconds in ``[start, end)``; negative when ``end`` is before ``start``."""
        if end < start:
            return -self.seconds_between(end, start)
        total = 0.0
        for day in self._days_from(start):
            if dt.datetime.combine(day, dt.time(0), self.zone) > end:
                break
            for begin, finish in self.periods(day):
                lo, hi = max(begin, start), min(finish, end)
                if hi > lo:
                    total += (hi - lo).total_seconds()
        return total
