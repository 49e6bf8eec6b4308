"""The arithmetic of the admin reports, pure and typed: percentiles, the satisfaction index (IKM,
PermenPAN-RB 14/2017), the office's effectiveness measure, quarters, conversation sessions and
inline SVG bar charts. No I/O; the storage layer feeds it plain values."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from html import escape

__all__ = [
    "SESSION_GAP",
    "SURVEY_ELEMENTS",
    "Effectiveness",
    "Ikm",
    "IkmElement",
    "Spread",
    "bar_chart_svg",
    "count_sessions",
    "days_between",
    "effectiveness",
    "effectiveness_category",
    "ikm",
    "ikm_grade",
    "median",
    "percentile",
    "quarter_bounds",
    "quarter_of",
    "quarters_between",
    "spread",
]

SURVEY_ELEMENTS: dict[str, str] = {
    "requirements": "Persyaratan",
    "speed": "Waktu penyelesaian",
    "clarity": "Kejelasan informasi",
    "manner": "Perilaku pelaksana",
}
# A citizen who is silent this long and writes again starts a new conversation.
SESSION_GAP = timedelta(minutes=30)


def percentile(values: Iterable[float], p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation between closest ranks (the
    spreadsheet PERCENTILE.INC / numpy default); None for no values."""
    ordered = sorted(values)
    if not ordered:
        return None
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = math.ceil(rank)
    if low == high:
        return float(ordered[low])
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Iterable[float]) -> float | None:
    return percentile(values, 50)


@dataclass(frozen=True, slots=True)
class Spread:
    count: int
    median: float | None
    p90: float | None


def spread(values: Sequence[float]) -> Spread:
    return Spread(len(values), percentile(values, 50), percentile(values, 90))


# ---------------------------------------------------------------------- satisfaction (IKM)
@dataclass(frozen=True, slots=True)
class IkmElement:
    key: str
    label: str
    answers: int
    average: float | None  # 1-4
    index: float | None  # average x 25 (25-100)


@dataclass(frozen=True, slots=True)
class Ikm:
    responses: int
    elements: tuple[IkmElement, ...]
    average: float | None  # mean of the element averages (1-4)
    index: float | None  # that mean x 25
    grade: str  # A-D, "" when there is no answer
    grade_label: str


# PermenPAN-RB 14/2017: the converted index (25-100) gives the service quality grade.
_IKM_GRADES = (
    (88.31, "A", "Sangat baik"),
    (76.61, "B", "Baik"),
    (65.00, "C", "Kurang baik"),
    (25.00, "D", "Tidak baik"),
)


def ikm_grade(index: float | None) -> tuple[str, str]:
    if index is None:
        return "", "belum ada data"
    for floor, grade, label in _IKM_GRADES:
        if round(index, 2) >= floor:
            return grade, label
    return "D", "Tidak baik"


def ikm(responses: Sequence[Mapping[str, int | None]]) -> Ikm:
    """Element average (1-4) x 25 per element; overall = mean of the element averages x 25.

    An element nobody answered is left out of the overall mean (a skipped question is not a 0).
    """
    elements: list[IkmElement] = []
    for key, label in SURVEY_ELEMENTS.items():
        scores = [int(v) for r in responses if (v := r.get(key)) is not None and 1 <= int(v) <= 4]
        avg = sum(scores) / len(scores) if scores else None
        elements.append(
            IkmElement(key, label, len(scores), avg, avg * 25 if avg is not None else None)
        )
    answered = [e.average for e in elements if e.average is not None]
    overall = sum(answered) / len(answered) if answered else None
    index = overall * 25 if overall is not None else None
    grade, label = ikm_grade(index)
    return Ikm(len(responses), tuple(elements), overall, index, grade, label)


# ---------------------------------------------------------------------- effectiveness
def effectiveness_category(percent: float | None) -> str:
    """0-25 % not effective, >25-50 % less, >50-75 % fairly, >75 % effective."""
    if percent is None:
        return "belum dapat dihitung"
    if percent <= 25:
        return "Tidak efektif"
    if percent <= 50:
        return "Kurang efektif"
    if percent <= 75:
        return "Cukup efektif"
    return "Efektif"


@dataclass(frozen=True, slots=True)
class Effectiveness:
    quarter: str
    served: int
    business_count: int | None
    target_percent: float | None
    achievement_percent: float | None
    effectiveness_percent: float | None
    category: str


def effectiveness(
    quarter: str, served: int, business_count: int | None, target_percent: float | None
) -> Effectiveness:
    """achievement = served / businesses in the city x 100 %; effectiveness = achievement /
    the quarter's target x 100 %. Missing settings leave the figures empty, never a guess."""
    achievement = served / business_count * 100 if business_count else None
    eff = achievement / target_percent * 100 if achievement is not None and target_percent else None
    return Effectiveness(
        quarter,
        served,
        business_count,
        target_percent,
        achievement,
        eff,
        effectiveness_category(eff),
    )


# ---------------------------------------------------------------------- periods
def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First and last day of a quarter written `YYYY-Qn`."""
    year_text, _, q_text = quarter.partition("-Q")
    year, q = int(year_text), int(q_text)
    if not 1 <= q <= 4:
        raise ValueError(f"bad quarter {quarter!r}")
    start = date(year, 3 * q - 2, 1)
    end = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return start, end - timedelta(days=1)


def quarters_between(start: date, end: date) -> list[str]:
    out: list[str] = []
    day = start
    while day <= end:
        q = quarter_of(day)
        out.append(q)
        day = quarter_bounds(q)[1] + timedelta(days=1)
    return out


def count_sessions(moments: Iterable[datetime], gap: timedelta = SESSION_GAP) -> int:
    """Conversations in one chat: runs of messages with no silence longer than `gap`."""
    ordered = sorted(moments)
    if not ordered:
        return 0
    sessions = 1
    for before, after in itertools.pairwise(ordered):
        if after - before > gap:
            sessions += 1
    return sessions


def days_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 86400


# ---------------------------------------------------------------------- charts
def bar_chart_svg(
    items: Sequence[tuple[str, float]], *, title: str, unit: str = "", width: int = 520
) -> str:
    """A horizontal bar chart as inline SVG markup (labels escaped; no script, no fonts)."""
    row, label_w, pad = 22, 170, 6
    top = 24
    height = top + row * max(len(items), 1) + pad
    peak = max((v for _, v in items), default=0) or 1
    bar_space = width - label_w - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="15" font-size="13" font-weight="bold">{escape(title)}</text>',
    ]
    if not items:
        parts.append(f'<text x="0" y="{top + 14}" font-size="12">belum ada data</text>')
    for i, (label, value) in enumerate(items):
        y = top + i * row
        w = max(0.0, value) / peak * bar_space
        shown = f"{value:.0f}{unit}" if float(value).is_integer() else f"{value:.1f}{unit}"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 14}" font-size="12" text-anchor="end">'
            f"{escape(label[:28])}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row - 8}" fill="#0b5d7a"/>'
        )
        parts.append(
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="12">{escape(shown)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
