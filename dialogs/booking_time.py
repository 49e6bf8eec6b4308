"""The day and time a citizen asks for, in their words: "besok jam 3", "Senin 10.30",
"tgl 12 Juli jam 9 pagi", "tomorrow 2pm" (pure: the current local time is given)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from nlu.entities import extract_date

WEEKDAYS = {
    "senin": 0, "selasa": 1, "rabu": 2, "kamis": 3, "jumat": 4, "jum'at": 4, "sabtu": 5,
    "minggu": 6, "ahad": 6,
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}  # fmt: skip
_WEEKDAY_RE = re.compile(r"\b(" + "|".join(re.escape(w) for w in WEEKDAYS) + r")\b", re.I)
_TIME_RE = re.compile(
    r"(?:\b(?:jam|pukul|pkl|at)\s*(?P<h1>\d{1,2})(?:[.:](?P<m1>\d{2}))?"
    r"|\b(?P<h2>\d{1,2})[.:](?P<m2>\d{2})\b"
    r"|\b(?P<h3>\d{1,2})\s*(?P<ampm>am|pm)\b)"
    r"(?:\s*(?P<part>pagi|siang|sore|malam|am|pm))?",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Wish:
    day: date | None
    at: time | None

    def moment(self, zone_of: datetime) -> datetime | None:
        if self.day is None or self.at is None:
            return None
        return datetime.combine(self.day, self.at, tzinfo=zone_of.tzinfo)


_DAY_MONTH_RE = re.compile(r"(?<![\d/.])(\d{1,2})/(\d{1,2})(?![\d/])")


def wished_day(text: str, now: datetime) -> date | None:
    today = now.date()
    found = extract_date(text, today)
    if found:
        return date.fromisoformat(str(found[0].value))
    short = _DAY_MONTH_RE.search(text)  # "14/7": this year, or next if already past
    if short is not None:
        try:
            day = date(today.year, int(short.group(2)), int(short.group(1)))
        except ValueError:
            return None
        return day if day >= today else day.replace(year=today.year + 1)
    match = _WEEKDAY_RE.search(text)
    if match is None:
        return None
    target = WEEKDAYS[match.group(1).lower()]
    ahead = (target - today.weekday()) % 7
    return today + timedelta(days=ahead or 7) if ahead or "depan" in text.lower() else today


def wished_time(text: str) -> time | None:
    match = _TIME_RE.search(text)
    if match is None:
        return None
    hour = int(match.group("h1") or match.group("h2") or match.group("h3"))
    minute = int(match.group("m1") or match.group("m2") or 0)
    part = (match.group("part") or match.group("ampm") or "").lower()
    if (part in ("pm", "sore", "malam") and hour < 12) or (part == "siang" and hour < 6):
        hour += 12
    elif part in ("am", "pagi") and hour == 12:
        hour = 0
    elif not part and 1 <= hour <= 6:
        # Nobody books an office visit at three in the night: "jam 3" is 15.00.
        hour += 12
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def read_wish(text: str, now: datetime) -> Wish:
    """The day and the time named in `text` (either may be missing). A time without a day is
    today if still to come, else tomorrow."""
    day = wished_day(text, now)
    at = wished_time(text)
    if day is None and at is not None:
        day = now.date() if at > now.time() else now.date() + timedelta(days=1)
    return Wish(day, at)
