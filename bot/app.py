"""Composition root: builds every part from settings and passes it in. No globals."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.base import Channel, ChannelContext
from bot.channels.webchat import WebChatChannel
from bot.ktp_reader import KtpPrefetch, OcrKtpReader
from bot.outbox import OutboxSender
from bot.pipeline import Pipeline
from bot.settings import OfficeSettings, Settings
from bot.understanding import Understanding, build_understanding
from dialogs.engine import DialogEngine
from dialogs.office import load_office_info
from dialogs.office_hours import OfficeHours
from dialogs.ports import DialogRepos
from office import Office
from office.appointment_reminders import AppointmentReminders
from office.appointments import AppointmentOffice
from office.confirmations import ConfirmationService
from office.handoff import HandoffService
from office.live import LiveHub
from office.notifications import Notifications
from office.receipts import PdfReceiptWriter
from office.rechecks import RecheckService
from office.status import StatusService
from storage import outbox as outbox_repo
from storage.applications import DbRuleSource, SqlApplicationRepository, SqlCheckLog
from storage.conversations import get_conversation
from storage.db import create_engine, session_factory
from storage.files import FileStore

__all__ = ["App", "build_app", "office_hours_from"]

log = logging.getLogger(__name__)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    hub: LiveHub
    channels: dict[str, Channel]
    pipeline: Pipeline
    outbox: OutboxSender
    files: FileStore
    understanding: Understanding
    office: Office
    reminders: AppointmentReminders
    ktp: KtpPrefetch
    _tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self, *, run_outbox: bool = True) -> None:
        await self.understanding.warm()
        for name, channel in self.channels.items():
            await channel.start(self.channel_context(name))
        if run_outbox:
            self._tasks.append(asyncio.create_task(self.outbox.run_forever(self._stop)))
            self._tasks.append(asyncio.create_task(self.office.handoff.run_forever(self._stop)))
            self._tasks.append(asyncio.create_task(self.reminders.run_forever(self._stop)))
            self._tasks.append(
                asyncio.create_task(self.understanding.follow_rules(self.sessions, self._stop))
            )

    def channel_context(self, channel_name: str) -> ChannelContext:
        async def record_delivery(platform_message_id: str, status: str, error: str) -> None:
            async with self.sessions() as session, session.begin():
                await outbox_repo.record_delivery(
                    session, channel_name, platform_message_id, status, error
                )

        return ChannelContext(
            handle_inbound=self.pipeline.handle, files=self.files, record_delivery=record_delivery
        )

    async def stop(self) -> None:
        self._stop.set()
        # Let background loops finish their current transaction: a task cancelled inside one
        # can leave its connection, and on SQLite the write lock, behind until the process ends.
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=5)
            for task in pending:
                task.cancel()
            for task in self._tasks:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        self._tasks.clear()
        for channel in self.channels.values():
            await channel.stop()
        await self.engine.dispose()


async def peek_state(
    sessions: async_sessionmaker[AsyncSession], channel: str, chat_id: str
) -> dict[str, Any] | None:
    """The stored dialog state, read without the conversation's lock (for work before a turn)."""
    async with sessions() as session:
        conversation = await get_conversation(session, channel, chat_id)
        return dict(conversation.state or {}) if conversation is not None else None


def office_hours_from(settings: OfficeSettings) -> OfficeHours:
    return OfficeHours.from_config(
        settings.timezone,
        settings.hours,
        settings.holidays_country,
        settings.extra_closed_dates,
    )


def build_app(settings: Settings, extra_channels: dict[str, Channel] | None = None) -> App:
    """Build every part in dependency order: storage, live hub, channels, office, dialogs,
    pipeline, outbox. Nothing is wired after construction."""
    engine = create_engine(settings.database.url, echo=settings.database.echo)
    sessions = session_factory(engine)
    hub = LiveHub()
    channels: dict[str, Channel] = {"webchat": WebChatChannel()}
    if settings.telegram.enabled:
        from bot.channels.telegram import build_telegram_channel

        channels["telegram"] = build_telegram_channel(settings)
    if settings.whatsapp.enabled:
        from bot.channels.whatsapp import build_whatsapp_channel

        channels["whatsapp"] = build_whatsapp_channel(settings)
    channels.update(extra_channels or {})

    def pulls(channel_name: str) -> bool:
        channel = channels.get(channel_name)
        return channel is None or channel.capabilities.pull_delivery

    files = FileStore(settings.files.root, settings.files.max_bytes)
    hours = office_hours_from(settings.office)
    notifications = Notifications(hub, pulls)
    handoff = HandoffService(
        sessions,
        notifications,
        hub,
        hours,
        timedelta(minutes=settings.office.handoff_timeout_minutes),
        files,
    )
    office = Office(
        sessions=sessions,
        hub=hub,
        files=files,
        hours=hours,
        notifications=notifications,
        handoff=handoff,
        status=StatusService(sessions, notifications),
        receipts=PdfReceiptWriter(files),
        rechecks=RecheckService(notifications),
        confirmations=ConfirmationService(sessions, notifications),
        appointments=AppointmentOffice(sessions, notifications, hours),
    )
    office_info = load_office_info()
    reminders = AppointmentReminders(sessions, notifications, hours, address=office_info.address)
    ktp = KtpPrefetch(
        OcrKtpReader(
            files,
            enabled=settings.ktp.reading,
            threads=settings.ktp.threads,
            max_pixels=settings.ktp.max_pixels,
            wait_seconds=settings.ktp.wait_seconds,
        ),
        partial(peek_state, sessions),
    )
    understanding = build_understanding(settings)
    dialogs = DialogEngine(understanding)

    def repos_factory(session: AsyncSession) -> DialogRepos:
        return DialogRepos(
            rules=DbRuleSource(session),
            applications=SqlApplicationRepository(session),
            receipts=office.receipts,
            checks=SqlCheckLog(session),
        )

    pipeline = Pipeline(
        sessions,
        dialogs,
        notifications,
        handoff,
        repos_factory=repos_factory,
        one_at_a_time=settings.database.is_sqlite,
        before_turn=ktp.prefetch,
    )
    outbox = OutboxSender(sessions, channels, settings.outbox, hub)
    return App(
        settings,
        engine,
        sessions,
        hub,
        channels,
        pipeline,
        outbox,
        files,
        understanding,
        office,
        reminders,
        ktp,
    )
