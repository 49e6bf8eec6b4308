"""The admin report for a period: every figure, worked out from what `storage.reports` returns
with the arithmetic of `office.report_math`, and the office's report settings. Exports (CSV,
XLSX, JSON, the page's tables) are `office.report_export`'s.

Periods are whole local days (Asia/Jakarta), both ends included.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from dialogs.ports import STATUSES
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
from permit_rules import version_label
from storage import reports as repo
from storage.models.base import utcnow

__all__ = [
    "ChannelRow",
    "CheckRow",
    "Completion",
    "Report",
    "ReportSettings",
    "SettingError",
    "bounds",
    "build_report",
    "kbli_titles",
    "load_settings",
    "local_date",
    "set_business_count",
    "set_target",
]

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
    kbli_version: str
    title: str
    checks: int
    needs_officer: int

    @property
    def label(self) -> str:
        """The code with its version ("KBLI 2025 56101"): the digits alone are ambiguous."""
        return f"{version_label(self.kbli_version)} {self.kbli}"


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


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight on `start` and of the day after `end`."""
    if end < start:
        raise ValueError("the period ends before it starts")
    lo = datetime.combine(start, time(), WIB).astimezone(UTC)
    hi = datetime.combine(end + timedelta(days=1), time(), WIB).astimezone(UTC)
    return lo, hi


def local_date(moment: datetime) -> date:
    return repo.aware(moment).astimezone(WIB).date()


# ---------------------------------------------------------------------- settings
async def load_settings(session: AsyncSession) -> ReportSettings:
    count: int | None = None
    targets: dict[str, float] = {}
    for key, value in (await repo.settings(session)).items():
        if key == UMK_COUNT:
            count = int(value)
        elif key.startswith(TARGET_PREFIX):
            targets[key.removeprefix(TARGET_PREFIX)] = float(value)
    return ReportSettings(count, dict(sorted(targets.items())))


async def set_business_count(session: AsyncSession, count: int, *, by: str) -> None:
    if count <= 0:
        raise SettingError("jumlah usaha mikro dan kecil harus lebih dari 0")
    await repo.put_setting(session, UMK_COUNT, int(count), by=by)


async def set_target(session: AsyncSession, quarter: str, percent: float, *, by: str) -> None:
    try:
        quarter_bounds(quarter)
    except ValueError:
        raise SettingError("triwulan ditulis TTTT-Qn, misalnya 2026-Q1") from None
    if not 0 < percent <= 100:
        raise SettingError("target harus di atas 0 dan paling banyak 100 %")
    await repo.put_setting(session, TARGET_PREFIX + quarter, float(percent), by=by)


# ---------------------------------------------------------------------- the report
async def build_report(
    session: AsyncSession,
    start: date,
    end: date,
    *,
    titles: dict[tuple[str, str], str] | None = None,
) -> Report:
    """Every figure of the admin report for the local days `start`..`end` (inclusive)."""
    lo, hi = bounds(start, end)
    settings = await load_settings(session)
    if titles is None:
        titles = await kbli_titles(session)
    completed = await repo.completed_applications(session, lo, hi)
    found = await repo.status_counts(session, lo, hi)
    return Report(
        start=start,
        end=end,
        channels=channel_rows(await repo.inbound_messages(session, lo, hi)),
        checks=check_rows(await repo.check_counts(session, lo, hi), titles),
        statuses={s: found.get(s, 0) for s in STATUSES},
        completion=completion(completed),
        handoffs=await repo.handoff_count(session, lo, hi),
        handoff_wait_minutes=minutes(await repo.handoff_durations(session, lo, hi, "claimed")),
        first_response_minutes=minutes(
            await repo.handoff_durations(session, lo, hi, "first_response")
        ),
        satisfaction=ikm([asdict(a) for a in await repo.survey_answers(session, lo, hi)]),
        effectiveness=served_per_quarter(start, end, completed, settings),
        settings=settings,
    )


async def kbli_titles(session: AsyncSession) -> dict[tuple[str, str], str]:
    """(KBLI version, code) -> title: the active rule set's activity titles over the catalogs'
    (KBLI 2025 in force, KBLI 2020 for checks recorded before it)."""
    from storage.rule_sets import active_catalogs, active_version

    catalogs = await active_catalogs(session)
    titles = {
        (catalog.version, entry.code): entry.display_title
        for catalog in (catalogs.previous, catalogs.in_force)
        for entry in catalog
    }
    _, rule_set = await active_version(session)
    version = rule_set.meta.kbli_version
    titles.update({(version, a.kbli): a.title for a in rule_set.activities if a.kbli})
    return titles


def channel_rows(messages: list[repo.InboundMessage]) -> list[ChannelRow]:
    """Per channel: conversations (sessions split by silence), citizens, messages."""
    moments: dict[str, dict[int, list[datetime]]] = defaultdict(lambda: defaultdict(list))
    for message in messages:
        moments[message.channel][message.conversation_id].append(message.at)
    return [
        ChannelRow(
            channel,
            conversations=sum(count_sessions(m) for m in moments[channel].values()),
            citizens=len(moments[channel]),
            messages=sum(len(m) for m in moments[channel].values()),
        )
        for channel in sorted(moments)
    ]


def check_rows(counts: list[repo.CheckCount], titles: dict[tuple[str, str], str]) -> list[CheckRow]:
    rows = [
        CheckRow(
            c.kbli,
            c.kbli_version,
            titles.get((c.kbli_version, c.kbli), ""),
            c.checks,
            c.needs_officer,
        )
        for c in counts
    ]
    return sorted(rows, key=lambda r: (-r.checks, r.kbli_version, r.kbli))


def completion(done: list[repo.CompletedApplication]) -> Completion:
    on_time = sum(1 for a in done if local_date(a.completed_at) <= a.due_date)
    durations = [days_between(a.created_at, a.completed_at) for a in done]
    percent = on_time / len(done) * 100 if done else None
    return Completion(len(done), on_time, percent, spread(durations))


def minutes(pairs: list[tuple[datetime, datetime]]) -> Spread:
    return spread([max(0.0, (b - a).total_seconds() / 60) for a, b in pairs])


def served_per_quarter(
    start: date, end: date, done: list[repo.CompletedApplication], settings: ReportSettings
) -> list[Effectiveness]:
    """Per quarter the period touches: micro and small businesses whose application (and so
    their NIB) was completed through this service in that part of the period."""
    served: Counter[str] = Counter(
        quarter_of(local_date(a.completed_at)) for a in done if a.scale in MICRO_SMALL
    )
    return [
        effectiveness(q, served[q], settings.business_count, settings.targets.get(q))
        for q in quarters_between(start, end)
    ]
