"""Office hours of the MPP (pure): weekdays, Friday's short day, weekends, national holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dialogs.office_hours import OfficeHours, format_when, parse_span
from office.handoff import estimate_from

WIB = ZoneInfo("Asia/Jakarta")
MPP = OfficeHours.from_config(
    "Asia/Jakarta",
    {
        "mon": "08:00-14:00",
        "tue": "08:00-14:00",
        "wed": "08:00-14:00",
        "thu": "08:00-14:00",
        "fri": "08:00-11:00",
    },
    "ID",
)


def wib(y: int, m: int, d: int, h: int, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=WIB)


def test_open_on_a_weekday_morning() -> None:
    assert MPP.is_open(wib(2026, 11, 30, 9))  # Monday
    assert MPP.is_open(wib(2026, 11, 30, 8, 0))
    assert not MPP.is_open(wib(2026, 11, 30, 14, 0))  # closes at 14.00 sharp
    assert not MPP.is_open(wib(2026, 11, 30, 7, 59))


def test_friday_closes_at_eleven() -> None:
    assert MPP.is_open(wib(2026, 11, 27, 10, 59))
    assert not MPP.is_open(wib(2026, 11, 27, 11, 0))


def test_weekend_is_closed_and_next_opening_is_monday() -> None:
    saturday = wib(2026, 11, 28, 10)
    assert not MPP.is_open(saturday)
    assert MPP.next_opening(saturday) == wib(2026, 11, 30, 8)


def test_national_holiday_is_closed() -> None:
    christmas = wib(2026, 12, 25, 9)  # a Friday, Hari Raya Natal
    assert not MPP.is_open(christmas)
    assert MPP.next_opening(christmas) == wib(2026, 12, 28, 8)


def test_independence_day_is_closed() -> None:
    assert not MPP.is_open(wib(2026, 8, 17, 9))  # Monday, HUT RI


def test_extra_closed_dates_from_config() -> None:
    office = OfficeHours.from_config(
        "Asia/Jakarta", {"mon": "08:00-14:00"}, "", extra_closed_dates=[date(2026, 11, 30)]
    )
    assert not office.is_open(wib(2026, 11, 30, 9))
    assert office.next_opening(wib(2026, 11, 30, 9)) == wib(2026, 12, 7, 8)


def test_utc_input_is_converted_to_jakarta() -> None:
    # 02:00 UTC is 09:00 WIB on Monday.
    assert MPP.is_open(datetime(2026, 11, 30, 2, 0, tzinfo=UTC))
    assert not MPP.is_open(datetime(2026, 11, 30, 7, 0, tzinfo=UTC))  # 14:00 WIB


def test_after_closing_next_opening_is_tomorrow() -> None:
    assert MPP.next_opening(wib(2026, 12, 1, 15)) == wib(2026, 12, 2, 8)
    assert MPP.next_opening(wib(2026, 12, 1, 6)) == wib(2026, 12, 1, 8)


def test_indonesian_format() -> None:
    assert format_when(wib(2026, 11, 30, 8), MPP) == "Senin, 30 November 2026 pukul 08.00 WIB"
    assert format_when(wib(2026, 11, 30, 8), MPP, "en") == "Monday, 30 November 2026 at 08:00 WIB"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError):
        MPP.is_open(datetime(2026, 11, 30, 9))


@pytest.mark.parametrize("bad", ["8-14", "14:00-08:00", "nonsense", "08:00"])
def test_bad_spans_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_span(bad)


def test_all_day_span() -> None:
    office = OfficeHours.from_config("Asia/Jakarta", {"sun": "00:00-24:00"}, "")
    assert office.is_open(wib(2026, 11, 29, 23, 59))


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31)))
def test_next_opening_is_open_and_not_earlier(naive: datetime) -> None:
    moment = naive.replace(tzinfo=UTC)
    opening = MPP.next_opening(moment)
    assert opening >= moment
    assert MPP.is_open(opening)
    assert opening - moment < timedelta(days=15)


def test_wait_estimate_needs_history() -> None:
    assert estimate_from([], 1).minutes is None
    assert estimate_from([timedelta(minutes=3)] * 2, 1).minutes is None
    waits = [timedelta(minutes=m) for m in (2, 4, 6)]
    assert estimate_from(waits, 1).minutes == 5
    assert estimate_from(waits, 3).minutes == 15
