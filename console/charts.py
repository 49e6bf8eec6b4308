"""Horizontal bar charts as inline SVG (labels escaped; no script, no fonts).

Labels get the room they need (wrapped on two lines, never cut mid-word); a chart of a measure
with a fixed range (the IKM index, percentages) keeps that range instead of stretching the
largest bar to full width, so 58.3 (grade D) does not look like a full score.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

ROW = 34
TOP = 30
CHAR = 6.6  # average width of a 12 px character
LABEL_CHARS = 26  # a label wraps after this many characters, on at most two lines
WIDTH = 640


@dataclass(frozen=True, slots=True)
class Band:
    start: float
    end: float
    label: str
    fill: str


@dataclass(frozen=True, slots=True)
class Line:
    at: float
    label: str


# PermenPAN-RB 14/2017: converted IKM (25-100) per service quality grade.
IKM_BANDS = (
    Band(25.0, 65.0, "D", "#fde2e1"),
    Band(65.0, 76.61, "C", "#fff1cc"),
    Band(76.61, 88.31, "B", "#e3f2fb"),
    Band(88.31, 100.0, "A", "#e3f6e7"),
)


def _number(value: float, unit: str) -> str:
    shown = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}".replace(".", ",")
    return shown + unit


def _label_lines(label: str) -> list[str]:
    lines = textwrap.wrap(label, LABEL_CHARS, break_long_words=False) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), LABEL_CHARS, placeholder=" …")]
    return lines


@dataclass(frozen=True, slots=True)
class _Frame:
    """Where things go: the label column, the plot and its axis range."""

    label_w: int
    low: float
    high: float
    rows: int

    @property
    def plot(self) -> float:
        return WIDTH - self.label_w - 60

    @property
    def bottom(self) -> int:
        return TOP + ROW * max(self.rows, 1)

    def x(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return self.label_w + (min(max(value, self.low), self.high) - self.low) / span * self.plot


def _frame(items: Sequence[tuple[str, float]], scale: tuple[float, float] | None) -> _Frame:
    longest = max((len(w) for label, _ in items for w in _label_lines(label)), default=8)
    label_w = max(80, min(int(longest * CHAR), int(LABEL_CHARS * CHAR))) + 10
    low, high = scale or (0.0, max((v for _, v in items), default=0.0) or 1.0)
    return _Frame(label_w, low, high, len(items))


def _bands(f: _Frame, bands: Sequence[Band]) -> list[str]:
    parts = []
    for band in bands:
        left, right = f.x(band.start), f.x(band.end)
        parts.append(
            f'<rect class="band" data-grade="{escape(band.label)}" x="{left:.1f}" '
            f'y="{TOP - 4}" width="{right - left:.1f}" height="{f.bottom - TOP + 4}" '
            f'fill="{band.fill}"/>'
            f'<text x="{(left + right) / 2:.1f}" y="{f.bottom + 14}" font-size="11" '
            f'text-anchor="middle">{escape(band.label)}</text>'
        )
    return parts


def _bar(f: _Frame, i: int, label: str, value: float, unit: str) -> str:
    y = TOP + i * ROW
    wrapped = _label_lines(label)
    lift = 6 if len(wrapped) > 1 else 0
    texts = "".join(
        f'<text x="{f.label_w - 8}" y="{y + 14 + n * 13 - lift}" font-size="12" '
        f'text-anchor="end">{escape(text)}</text>'
        for n, text in enumerate(wrapped)
    )
    end = f.x(value)
    return (
        f'{texts}<rect class="bar" data-value="{value:g}" x="{f.label_w}" y="{y + 4}" '
        f'width="{end - f.label_w:.1f}" height="{ROW - 14}" fill="#0b5d7a"/>'
        f'<text x="{end + 4:.1f}" y="{y + 18}" font-size="12">'
        f"{escape(_number(value, unit))}</text>"
    )


def _lines(f: _Frame, lines: Sequence[Line]) -> list[str]:
    return [
        f'<line class="target" x1="{f.x(line.at):.1f}" x2="{f.x(line.at):.1f}" y1="{TOP - 6}" '
        f'y2="{f.bottom}" stroke="#a4241a" stroke-width="2" stroke-dasharray="4 3"/>'
        f'<text x="{f.x(line.at):.1f}" y="{f.bottom + 14}" font-size="11" text-anchor="middle" '
        f'fill="#a4241a">{escape(line.label)}</text>'
        for line in lines
    ]


def _axis(f: _Frame, unit: str) -> str:
    return (
        f'<text x="{f.label_w}" y="{f.bottom + 14}" font-size="11">{_number(f.low, unit)}</text>'
        f'<text x="{f.label_w + f.plot:.1f}" y="{f.bottom + 14}" font-size="11" '
        f'text-anchor="end">{_number(f.high, unit)}</text>'
    )


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    scale: tuple[float, float] | None = None,
    bands: Sequence[Band] = (),
    lines: Sequence[Line] = (),
) -> str:
    """The chart's SVG. `scale` fixes the axis (default: 0 to the largest value)."""
    f = _frame(items, scale)
    height = f.bottom + (22 if bands or lines or scale else 8)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
        *_bands(f, bands),
    ]
    if not items:
        parts.append(f'<text x="0" y="{TOP + 16}" font-size="12">belum ada data</text>')
    parts += [_bar(f, i, label, value, unit) for i, (label, value) in enumerate(items)]
    parts += _lines(f, lines)
    if scale:
        parts.append(_axis(f, unit))
    parts.append("</svg>")
    return "".join(parts)
