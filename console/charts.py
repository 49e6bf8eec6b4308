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
    label_w = int(
        max((len(w) for label, _ in items for w in _label_lines(label)), default=8) * CHAR
    )
    label_w = max(80, min(label_w, int(LABEL_CHARS * CHAR))) + 10
    low, high = scale or (0.0, max((v for _, v in items), default=0.0) or 1.0)
    span = (high - low) or 1.0
    plot = WIDTH - label_w - 60
    height = TOP + ROW * max(len(items), 1) + (22 if bands or lines or scale else 8)

    def x(value: float) -> float:
        return label_w + (min(max(value, low), high) - low) / span * plot

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="0" y="16" font-size="14" font-weight="bold">{escape(title)}</text>',
    ]
    bottom = TOP + ROW * max(len(items), 1)
    for band in bands:
        parts.append(
            f'<rect class="band" data-grade="{escape(band.label)}" x="{x(band.start):.1f}" '
            f'y="{TOP - 4}" width="{x(band.end) - x(band.start):.1f}" '
            f'height="{bottom - TOP + 4}" fill="{band.fill}"/>'
        )
        parts.append(
            f'<text x="{(x(band.start) + x(band.end)) / 2:.1f}" y="{bottom + 14}" '
            f'font-size="11" text-anchor="middle">{escape(band.label)}</text>'
        )
    if not items:
        parts.append(f'<text x="0" y="{TOP + 16}" font-size="12">belum ada data</text>')
    for i, (label, value) in enumerate(items):
        y = TOP + i * ROW
        wrapped = _label_lines(label)
        for n, text in enumerate(wrapped):
            dy = 14 + n * 13 - (6 if len(wrapped) > 1 else 0)
            parts.append(
                f'<text x="{label_w - 8}" y="{y + dy}" font-size="12" text-anchor="end">'
                f"{escape(text)}</text>"
            )
        end = x(value)
        parts.append(
            f'<rect class="bar" data-value="{value:g}" x="{label_w}" y="{y + 4}" '
            f'width="{end - label_w:.1f}" height="{ROW - 14}" fill="#0b5d7a"/>'
        )
        parts.append(
            f'<text x="{end + 4:.1f}" y="{y + 18}" font-size="12">'
            f"{escape(_number(value, unit))}</text>"
        )
    for line in lines:
        parts.append(
            f'<line class="target" x1="{x(line.at):.1f}" x2="{x(line.at):.1f}" y1="{TOP - 6}" '
            f'y2="{bottom}" stroke="#a4241a" stroke-width="2" stroke-dasharray="4 3"/>'
        )
        parts.append(
            f'<text x="{x(line.at):.1f}" y="{bottom + 14}" font-size="11" text-anchor="middle" '
            f'fill="#a4241a">{escape(line.label)}</text>'
        )
    if scale:
        parts.append(
            f'<text x="{label_w}" y="{bottom + 14}" font-size="11">{_number(low, unit)}</text>'
            f'<text x="{label_w + plot}" y="{bottom + 14}" font-size="11" text-anchor="end">'
            f"{_number(high, unit)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
