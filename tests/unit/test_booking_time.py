"""The day and time a citizen asks for, read from their words."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from dialogs.booking_time import read_wish

WIB = ZoneInfo("Asia/Jakarta")
FRIDAY_AFTERNOON = datetime(2027, 7, 9, 15, 30, tzinfo=WIB)


@pytest.mark.parametrize(
    ("text", "day", "at"),
    [
        ("besok jam 3", date(2027, 7, 10), time(15)),  # Saturday 15.00: the desk says closed
        ("Senin jam 9", date(2027, 7, 12), time(9)),
        ("senin jam 9 pagi", date(2027, 7, 12), time(9)),
        ("selasa 10.30", date(2027, 7, 13), time(10, 30)),
        ("tgl 14 Juli pukul 13:00", date(2027, 7, 14), time(13)),
        ("14/7 jam 1 siang", date(2027, 7, 14), time(13)),
        ("jam 10", date(2027, 7, 10), time(10)),  # already past today: tomorrow
        ("lusa jam 8", date(2027, 7, 11), time(8)),
        ("tomorrow 2pm", date(2027, 7, 10), time(14)),
        ("jumat depan jam 9", date(2027, 7, 16), time(9)),
        ("hari ini", date(2027, 7, 9), None),
        ("kapan saja", None, None),
    ],
)
def test_wishes(text: str, day: date | None, at: time | None) -> None:
    wish = read_wish(text, FRIDAY_AFTERNOON)
    assert (wish.day, wish.at) == (day, at)


def test_a_wish_becomes_a_moment_in_the_office_zone() -> None:
    wish = read_wish("senin jam 9", FRIDAY_AFTERNOON)
    assert wish.moment(FRIDAY_AFTERNOON) == datetime(2027, 7, 12, 9, tzinfo=WIB)
    assert read_wish("besok", FRIDAY_AFTERNOON).moment(FRIDAY_AFTERNOON) is None
