"""Working days skip weekends and Indonesian public holidays (Asia/Jakarta)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from permit_rules import add_working_days, today_jakarta
from permit_rules.workdays import is_working_day


def test_zero_days_is_the_same_day() -> None:
    assert add_working_days(date(2025, 12, 24), 0) == date(2025, 12, 24)


def test_across_a_weekend() -> None:
    # Friday 2025-12-26 + 1 working day -> Monday 2025-12-29
    assert add_working_days(date(2025, 12, 26), 1) == date(2025, 12, 29)


def test_across_a_national_holiday() -> None:
    # Christmas, Thursday 2025-12-25, is a public holiday in Indonesia
    assert not is_working_day(date(2025, 12, 25))
    assert add_working_days(date(2025, 12, 24), 1) == date(2025, 12, 26)


def test_across_holiday_and_weekend() -> None:
    # Wed 24 Dec -> (25 holiday) 26 Fri = 1, (27-28 weekend) 29 Mon = 2
    assert add_working_days(date(2025, 12, 24), 2) == date(2025, 12, 29)


def test_independence_day_and_new_year() -> None:
    assert not is_working_day(date(2024, 8, 17))
    assert add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)


def test_negative_days_rejected() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2025, 1, 6), -1)


def test_today_is_taken_in_jakarta_time() -> None:
    # 18:00 UTC on 31 Dec is already 1 Jan in WIB (UTC+7)
    assert today_jakarta(datetime(2025, 12, 31, 18, 0, tzinfo=UTC)) == date(2026, 1, 1)
    with pytest.raises(ValueError):
        today_jakarta(datetime(2025, 12, 31, 18, 0))
