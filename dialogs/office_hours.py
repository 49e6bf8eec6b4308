"""When officers serve: the MPP's opening hours, weekends and national holidays (pure, no I/O).

Configured in config.yaml `office:` (weekday -> "HH:MM-HH:MM"); a weekday without hours is closed,
and so is every public holiday of `holidays_country` (the `holidays` package) and every date in
`extra_closed_dates` (e.g. cuti bersama announced late).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTH_NAMES_ID = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
DAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ZONE_ABBREVIATIONS = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
END_OF_DAY = time(23, 59, 59, 999999)


@dataclass(frozen=True)
class Span:
    start: time
    end: time  # END_OF_DAY stands for "24:00"


def parse_span(value: str) -> Span:
    """'08:00-14:00' (or '08.00-14.00') -> Span; '24:00' as end means until midnight."""
    try:
        start_s, end_s = (part.strip().replace(".", ":") for part in value.split("-", 1))
        start = time.fromisoformat(start_s)
        end = END_OF_DAY if end_s == "24:00" else time.fromisoformat(end_s)
    except ValueError as exc:
        raise ValueError(f"office hours must look like 08:00-14:00, got {value!r}") from exc
    if end <= start:
        raise ValueError(f"office hours end before they start: {value!r}")
    return Span(start, end)


@lru_cache(maxsize=8)
def _holiday_calendar(country: str, year: int) -> dict[date, str]:
    if not country:
        return {}
    calendar = holidays.country_holidays(country, years=year)
    return {d: str(name) for d, name in calendar.items()}


@dataclass(frozen=True)
class OfficeHours:
    timezone: str
    spans: Mapping[int, Span]  # weekday (0 = Monday) -> opening span
    holidays_country: str = "ID"
    extra_closed_dates: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_config(
        cls,
        timezone: str,
        hours: Mapping[str, str],
        holidays_country: str = "ID",
        extra_closed_dates: Iterable[date] = (),
    ) -> OfficeHours:
        spans: dict[int, Span] = {}
        for day, value in hours.items():
            key = day.strip().lower()[:3]
            if key not in WEEKDAYS:
                raise ValueError(f"unknown weekday {day!r}; use mon, tue, ... sun")
            if value.strip():
                spans[WEEKDAYS.index(key)] = parse_span(value)
        ZoneInfo(timezone)  # fail at start-up, not at the first citizen's request
        return cls(timezone, spans, holidays_country, frozenset(extra_closed_dates))

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("office hours need an aware datetime")
        return moment.astimezone(self.zone)

    def is_closed_day(self, day: date) -> bool:
        if day in self.extra_closed_dates:
            return True
        if day in _holiday_calendar(self.holidays_country, day.year):
            return True
        return day.weekday() not in self.spans

    def is_open(self, moment: datetime) -> bool:
        here = self.local(moment)
        if self.is_closed_day(here.date()):
            return False
        span = self.spans[here.weekday()]
        return span.start <= here.time().replace(tzinfo=None) < span.end

    def next_opening(self, moment: datetime) -> datetime:
        """The next moment officers serve (`moment` itself when open now), in local time."""
        here = self.local(moment)
        if self.is_open(here):
            return here
        day = here.date()
        for offset in range(0, 400):
            candidate_day = day + timedelta(days=offset)
            if self.is_closed_day(candidate_day):
                continue
            span = self.spans[candidate_day.weekday()]
            opening = datetime.combine(candidate_day, span.start, tzinfo=self.zone)
            if opening > here:
                return opening
        raise ValueError("no opening hours configured in the next 400 days")

    def closing_time(self, moment: datetime) -> datetime | None:
        """When today's service ends, if open now."""
        here = self.local(moment)
        if not self.is_open(here):
            return None
        span = self.spans[here.weekday()]
        return datetime.combine(here.date(), span.end, tzinfo=self.zone)

    def zone_label(self) -> str:
        return ZONE_ABBREVIATIONS.get(self.timezone, self.timezone)


def format_when(moment: datetime, office: OfficeHours, locale: str = "id") -> str:
    """'Senin, 30 November 2026 pukul 08.00 WIB' (Indonesian style: dots in the time)."""
    here = office.local(moment)
    zone = office.zone_label()
    if locale == "en":
        return f"{DAY_NAMES_EN[here.weekday()]}, {here:%d %B %Y} at {here:%H:%M} {zone}"
    day = DAY_NAMES_ID[here.weekday()]
    month = MONTH_NAMES_ID[here.month - 1]
    return f"{day}, {here.day} {month} {here.year} pukul {here:%H.%M} {zone}"
