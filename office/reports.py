"""The admin reports for a period: SQL aggregations over the stored data, the office's report
settings, and CSV/XLSX export. The arithmetic lives in `office.report_math` (pure).

Periods are whole local days (Asia/Jakarta), both ends included.
"""

from __future__ import annotations

import csv
import io
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.ports import STATUS_LABELS, STATUSES
from office.report_math import (
    Effectiveness,
    Ikm,
    Spread,
    count_sessions,
    days_between,
    effectiveness,
    ikm,
    quarter_bounds,
    quarter_of,
    quarters_between,
    spread,
)
from storage.models import (
    Application,
    Conversation,
    Handoff,
    ReportSetting,
    RequirementCheck,
    SurveyResponse,
    TranscriptMessage,
)
from storage.models.base import utcnow

WIB = ZoneInfo("Asia/Jakarta")
UMK_COUNT = "umk_count"
TARGET_PREFIX = "target:"
MICRO_SMALL = ("mikro", "kecil")


class SettingError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class ReportSettings:
    business_count: int | None
    targets: dict[str, float]  # "2026-Q1" -> target achievement in %


@dataclass(frozen=True, slots=True)
class ChannelRow:
    channel: str
    conversations: int
    citizens: int
    messages: int


@dataclass(frozen=True, slots=True)
class CheckRow:
    kbli: str
    title: str
    checks: int
    needs_officer: int


@dataclass(frozen=True, slots=True)
class Completion:
    completed: int
    on_time: int
    on_time_percent: float | None
    days: Spread


@dataclass(frozen=True, slots=True)
class Report:
    start: date
    end: date
    channels: list[ChannelRow]
    checks: list[CheckRow]
    statuses: dict[str, int]
    completion: Completion
    handoffs: int
    handoff_wait_minutes: Spread
    first_response_minutes: Spread
    satisfaction: Ikm
    effectiveness: list[Effectiveness]
    settings: ReportSettings
    generated_at: datetime = field(default_factory=utcnow)

    @property
    def total_conversations(self) -> int:
        return sum(r.conversations for r in self.channels)

    @property
    def total_citizens(self) -> int:
        return sum(r.citizens for r in self.channels)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone=True columns; they were stored in UTC.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight on `start` and of the day after `end`."""
    if end < start:
        raise ValueError("the period ends before it starts")
    lo = datetime.combine(start, time(), WIB).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(), WIB).astimezone(UTC)
    return lo, hi


def local_date(moment: datetime) -> date:
    return _aware(moment).astimezone(WIB).date()


# ---------------------------------------------------------------------- settings
async def load_settings(session: AsyncSession) -> ReportSettings:
    rows = (await session.scalars(select(ReportSetting))).all()
    count: int | None = None
    targets: dict[str, float] = {}
    for row in rows:
        if row.key == UMK_COUNT and row.value is not None:
            count = int(row.value)
        elif row.key.startswith(TARGET_PREFIX) and row.value is not None:
            targets[row.key.removeprefix(TARGET_PREFIX)] = float(row.value)
    return ReportSettings(count, dict(sorted(targets.items())))


async def _put(session: AsyncSession, key: str, value: Any, by: str) -> None:
    row = await session.get(ReportSetting, key)
    if row is None:
        session.add(ReportSetting(key=key, value=value, updated_by=by[:50], updated_at=utcnow()))
    else:
        row.value, row.updated_by, row.updated_at = value, by[:50], utcnow()
    await session.flush()


async def set_business_count(session: AsyncSession, count: int, *, by: str) -> None:
    if count <= 0:
        raise SettingError("jumlah usaha mikro dan kecil harus lebih dari 0")
    await _put(session, UMK_COUNT, int(count), by)


async def set_target(session: AsyncSession, quarter: str, percent: float, *, by: str) -> None:
    try:
        quarter_bounds(quarter)
    except ValueError:
        raise SettingError("triwulan ditulis TTTT-Qn, misalnya 2026-Q1") from None
    if not 0 < percent <= 100:
        raise SettingError("target harus di atas 0 dan paling banyak 100 %")
    await _put(session, TARGET_PREFIX + quarter, float(percent), by)


# ---------------------------------------------------------------------- the report
async def build_report(
    session: AsyncSession, start: date, end: date, *, titles: dict[str, str] | None = None
) -> Report:
    """Every figure of the admin report for the local days `start`..`end` (inclusive)."""
    lo, hi = bounds(start, end)
    settings = await load_settings(session)
    if titles is None:
        titles = await kbli_titles(session)
    return Report(
        start=start,
        end=end,
        channels=await _channels(session, lo, hi),
        checks=await _checks(session, lo, hi, titles),
        statuses=await _statuses(session, lo, hi),
        completion=await _completion(session, lo, hi),
        handoffs=await _count(session, Handoff.requested_at, lo, hi),
        handoff_wait_minutes=await _handoff_times(session, lo, hi, Handoff.claimed_at),
        first_response_minutes=await _handoff_times(session, lo, hi, Handoff.first_response_at),
        satisfaction=await _satisfaction(session, lo, hi),
        effectiveness=await _effectiveness(session, start, end, settings),
        settings=settings,
    )


async def kbli_titles(session: AsyncSession) -> dict[str, str]:
    """Activity titles of the active rule set, over the active catalog's titles."""
    from storage.rule_sets import active_catalog, active_version

    titles = {entry.code: entry.title for entry in await active_catalog(session)}
    _, rule_set = await active_version(session)
    titles.update({a.kbli: a.title for a in rule_set.activities if a.kbli})
    return titles


async def _count(session: AsyncSession, column: Any, lo: datetime, hi: datetime) -> int:
    stmt = select(func.count()).where(column >= lo, column < hi)
    return int(await session.scalar(stmt) or 0)


async def _channels(session: AsyncSession, lo: datetime, hi: datetime) -> list[ChannelRow]:
    rows = await session.execute(
        select(
            Conversation.channel, TranscriptMessage.conversation_id, TranscriptMessage.created_at
        )
        .join(Conversation, Conversation.id == TranscriptMessage.conversation_id)
        .where(
            TranscriptMessage.direction == "in",
            TranscriptMessage.created_at >= lo,
            TranscriptMessage.created_at < hi,
        )
    )
    moments: dict[str, dict[int, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for channel, conversation_id, created_at in rows:
        moments[channel][conversation_id].append(_aware(created_at))
    out = []
    for channel in sorted(moments):
        chats = moments[channel]
        out.append(
            ChannelRow(
                channel,
                conversations=sum(count_sessions(m) for m in chats.values()),
                citizens=len(chats),
                messages=sum(len(m) for m in chats.values()),
            )
        )
    return out


async def _checks(
    session: AsyncSession, lo: datetime, hi: datetime, titles: dict[str, str]
) -> list[CheckRow]:
    officer = func.sum(case((RequirementCheck.needs_officer.is_(True), 1), else_=0))
    rows = await session.execute(
        select(RequirementCheck.kbli, func.count(), officer)
        .where(RequirementCheck.created_at >= lo, RequirementCheck.created_at < hi)
        .group_by(RequirementCheck.kbli)
    )
    out = [CheckRow(k, titles.get(k, ""), int(n), int(o or 0)) for k, n, o in rows]
    return sorted(out, key=lambda r: (-r.checks, r.kbli))


async def _statuses(session: AsyncSession, lo: datetime, hi: datetime) -> dict[str, int]:
    rows = await session.execute(
        select(Application.status, func.count())
        .where(Application.created_at >= lo, Application.created_at < hi)
        .group_by(Application.status)
    )
    found = {status: int(n) for status, n in rows}
    return {s: found.get(s, 0) for s in STATUSES}


async def _completed(session: AsyncSession, lo: datetime, hi: datetime) -> list[Application]:
    stmt = select(Application).where(
        Application.status == "completed",
        Application.completed_at >= lo,
        Application.completed_at < hi,
    )
    return list((await session.scalars(stmt)).all())


async def _completion(session: AsyncSession, lo: datetime, hi: datetime) -> Completion:
    done = await _completed(session, lo, hi)
    on_time = 0
    durations: list[float] = []
    for a in done:
        assert a.completed_at is not None
        if local_date(a.completed_at) <= a.due_date:
            on_time += 1
        durations.append(days_between(_aware(a.created_at), _aware(a.completed_at)))
    percent = on_time / len(done) * 100 if done else None
    return Completion(len(done), on_time, percent, spread(durations))


async def _handoff_times(session: AsyncSession, lo: datetime, hi: datetime, until: Any) -> Spread:
    rows = await session.execute(
        select(Handoff.requested_at, until).where(
            Handoff.requested_at >= lo, Handoff.requested_at < hi, until.is_not(None)
        )
    )
    minutes = [
        max(0.0, (_aware(b) - _aware(a)).total_seconds() / 60) for a, b in rows if b is not None
    ]
    return spread(minutes)


async def _satisfaction(session: AsyncSession, lo: datetime, hi: datetime) -> Ikm:
    rows = (
        await session.scalars(
            select(SurveyResponse).where(
                SurveyResponse.created_at >= lo, SurveyResponse.created_at < hi
            )
        )
    ).all()
    return ikm(
        [
            {
                "requirements": r.requirements,
                "speed": r.speed,
                "clarity": r.clarity,
                "manner": r.manner,
            }
            for r in rows
        ]
    )


async def _effectiveness(
    session: AsyncSession, start: date, end: date, settings: ReportSettings
) -> list[Effectiveness]:
    """Per quarter the period touches: micro and small businesses whose application (and so
    their NIB) was completed through this service in that part of the period."""
    lo, hi = bounds(start, end)
    served: Counter[str] = Counter()
    for a in await _completed(session, lo, hi):
        scale = str((a.decision or {}).get("scale") or "")
        if scale in MICRO_SMALL:
            assert a.completed_at is not None
            served[quarter_of(local_date(a.completed_at))] += 1
    return [
        effectiveness(q, served[q], settings.business_count, settings.targets.get(q))
        for q in quarters_between(start, end)
    ]


# ---------------------------------------------------------------------- export
def _num(value: float | None, digits: int = 2) -> float | str:
    return "" if value is None else round(value, digits)


def report_sections(report: Report) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report as named tables (title, header, rows) — the same for CSV, XLSX and the page."""
    c = report.completion
    return [
        (
            "Percakapan per kanal",
            ["Kanal", "Percakapan", "Warga unik", "Pesan masuk"],
            [[r.channel, r.conversations, r.citizens, r.messages] for r in report.channels]
            + [["Jumlah", report.total_conversations, report.total_citizens, ""]],
        ),
        (
            "Cek persyaratan per kegiatan",
            ["KBLI", "Kegiatan", "Cek", "Perlu petugas"],
            [[r.kbli, r.title, r.checks, r.needs_officer] for r in report.checks],
        ),
        (
            "Permohonan per status",
            ["Status", "Jumlah"],
            [[STATUS_LABELS[s], n] for s, n in report.statuses.items()],
        ),
        (
            "Penyelesaian terhadap batas waktu",
            ["Selesai", "Tepat waktu", "Tepat waktu (%)", "Median (hari)", "Persentil 90 (hari)"],
            [
                [
                    c.completed,
                    c.on_time,
                    _num(c.on_time_percent),
                    _num(c.days.median),
                    _num(c.days.p90),
                ]
            ],
        ),
        (
            "Layanan petugas (menit)",
            ["Ukuran", "Jumlah", "Median", "Persentil 90"],
            [
                ["Permintaan petugas", report.handoffs, "", ""],
                [
                    "Waktu tunggu sampai diambil",
                    report.handoff_wait_minutes.count,
                    _num(report.handoff_wait_minutes.median),
                    _num(report.handoff_wait_minutes.p90),
                ],
                [
                    "Waktu tanggapan pertama",
                    report.first_response_minutes.count,
                    _num(report.first_response_minutes.median),
                    _num(report.first_response_minutes.p90),
                ],
            ],
        ),
        (
            "Indeks kepuasan masyarakat (IKM)",
            ["Unsur", "Jawaban", "Rata-rata (1-4)", "Nilai (25-100)"],
            [
                [e.label, e.answers, _num(e.average), _num(e.index)]
                for e in report.satisfaction.elements
            ]
            + [
                [
                    "IKM keseluruhan",
                    report.satisfaction.responses,
                    _num(report.satisfaction.average),
                    _num(report.satisfaction.index),
                ],
                ["Mutu pelayanan", "", report.satisfaction.grade, report.satisfaction.grade_label],
            ],
        ),
        (
            "Efektivitas (usaha mikro dan kecil dilayani)",
            [
                "Triwulan",
                "UMK dilayani",
                "Jumlah UMK kota",
                "Capaian (%)",
                "Target (%)",
                "Efektivitas (%)",
                "Kategori",
            ],
            [
                [
                    e.quarter,
                    e.served,
                    e.business_count or "",
                    _num(e.achievement_percent, 4),
                    _num(e.target_percent),
                    _num(e.effectiveness_percent),
                    e.category,
                ]
                for e in report.effectiveness
            ],
        ),
    ]


def to_csv(report: Report) -> str:
    """One CSV: a title row per section, its header, its rows, a blank line between sections."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([f"Laporan SIKETAN {report.start.isoformat()} s.d. {report.end.isoformat()}"])
    for title, header, rows in report_sections(report):
        writer.writerow([])
        writer.writerow([title])
        writer.writerow(header)
        writer.writerows(rows)
    return buffer.getvalue()


def to_xlsx(report: Report) -> bytes:
    """A workbook with one sheet per section."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    first = True
    for title, header, rows in report_sections(report):
        sheet = book.active if first else book.create_sheet()
        assert sheet is not None
        first = False
        sheet.title = title[:31]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(60, width + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_json(report: Report) -> dict[str, Any]:
    return {
        "start": report.start.isoformat(),
        "end": report.end.isoformat(),
        "sections": [
            {"title": title, "header": header, "rows": rows}
            for title, header, rows in report_sections(report)
        ],
    }
