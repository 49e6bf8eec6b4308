"""Working days: Monday to Friday, skipping Indonesian public holidays, in Asia/Jakarta time."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

JAKARTA = ZoneInfo("Asia/Jakarta")


def today_jakarta(now: datetime | None = None) -> date:
    """The calendar date in Asia/Jakarta (WIB) for `now` (default: the current instant)."""
    moment = now if now is not None else datetime.now(JAKARTA)
    if moment.tzinfo is None:
        raise ValueError("give an aware datetime")
    return moment.astimezone(JAKARTA).date()


@lru_cache(maxsize=64)
def _holiday_dates(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("ID", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _holiday_dates(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (0 -> `start` itself)."""
    if days < 0:
        raise ValueError("days must be zero or more")
    current = start
    counted = 0
    while counted < days:
        current += timedelta(days=1)
        if is_working_day(current):
            counted += 1
    return current
