"""The message path: dedup, rollback on failure, per-conversation order, outbox, restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import build_app
from bot.channels.base import Capabilities, Channel, Delivered, DeliveryError, SendContext
from bot.outbox import OutboxSender
from bot.pipeline import Pipeline
from bot.settings import OutboxSettings
from dialogs.engine import Turn, TurnResult
from dialogs.messages import ConversationKey, Inbound, Outbound
from storage.migrate import upgrade_database
from storage.models import Conversation, OutboxMessage, ProcessedInbound, TranscriptMessage
from tests.helpers import settings_for

pytestmark = pytest.mark.postgres


async def make_app(db_url: str, tmp_path: Path, channels: dict[str, Channel] | None = None):  # type: ignore[no-untyped-def]
    await upgrade_database(db_url)
    return build_app(settings_for(db_url, tmp_path), extra_channels=channels)


async def rows(app, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with app.sessions() as db:
        stmt = select(func.count()).select_from(model)
        for w in where:
            stmt = stmt.where(w)
        return int((await db.execute(stmt)).scalar_one())


def msg(chat: str, mid: str, text: str = "", payload: str = "") -> Inbound:
    return Inbound(key=ConversationKey("webchat", chat), message_id=mid, text=text, payload=payload)


async def test_duplicate_inbound_processed_once(db_url: str, tmp_path: Path) -> None:
    app = await make_app(db_url, tmp_path)
    try:
        first = await app.pipeline.handle(msg("c1", "m1", payload="cmd:menu"))
        again = await app.pipeline.handle(msg("c1", "m1", payload="cmd:menu"))
        assert not first.duplicate and again.duplicate
        assert [r.id for r in again.replies] == [r.id for r in first.replies]
        assert await rows(app, TranscriptMessage, TranscriptMessage.direction == "in") == 1
        out = await rows(app, TranscriptMessage, TranscriptMessage.direction == "out")
        assert out == len(first.replies)
        # Web chat is read, not pushed: its replies are the transcript, none wait in the outbox.
        assert await rows(app, OutboxMessage) == 0
    finally:
        await app.stop()


async def test_duplicate_inbound_on_a_push_channel_queues_its_replies_once(
    db_url: str, tmp_path: Path
) -> None:
    app = await make_app(db_url, tmp_path, {"fake": FakePlatform([])})
    try:
        again = Inbound(key=ConversationKey("fake", "u1"), message_id="f1", payload="menu:office")
        first = await app.pipeline.handle(again)
        second = await app.pipeline.handle(again)
        assert second.duplicate and [r.id for r in second.replies] == [r.id for r in first.replies]
        queued = await rows(app, OutboxMessage, OutboxMessage.status == "pending")
        assert await rows(app, OutboxMessage) == queued == len(first.replies) > 0
    finally:
        await app.stop()


async def test_duplicate_inbound_concurrent_processed_once(db_url: str, tmp_path: Path) -> None:
    app = await make_app(db_url, tmp_path)
    try:
        results = await asyncio.gather(
            *(app.pipeline.handle(msg("c1", "same", payload="menu:office")) for _ in range(8))
        )
        assert sum(not r.duplicate for r in results) == 1
        assert await rows(app, TranscriptMessage, TranscriptMessage.direction == "in") == 1
        assert await rows(app, TranscriptMessage, TranscriptMessage.direction == "out") == len(
            results[0].replies
        )
        assert len({tuple(r.id for r in res.replies) for res in results}) == 1
    finally:
        await app.stop()


class FailOnce:
    """Fault injection at the dialog seam: the first turn raises, later turns run for real."""

    def __init__(self, real: object) -> None:
        self.real = real
        self.failed = False

    async def handle(self, turn: Turn) -> TurnResult:
        if not self.failed:
            self.failed = True
            raise RuntimeError("boom inside the dialog step")
        return await self.real.handle(turn)  # type: ignore[attr-defined,no-any-return]


async def test_exception_in_dialog_commits_nothing_and_redelivery_works(
    db_url: str, tmp_path: Path
) -> None:
    app = await make_app(db_url, tmp_path)
    try:
        pipeline = Pipeline(app.sessions, FailOnce(app.pipeline._dialogs), app.office.notifications)
        with pytest.raises(RuntimeError):
            await pipeline.handle(msg("c1", "m1", payload="menu:office"))
        assert await rows(app, ProcessedInbound) == 0
        assert await rows(app, TranscriptMessage) == 0
        assert await rows(app, OutboxMessage) == 0
        result = await pipeline.handle(msg("c1", "m1", payload="menu:office"))
        assert not result.duplicate
        assert "Basuki Rahmat" in result.replies[0].message.text
        assert await rows(app, ProcessedInbound) == 1
    finally:
        await app.stop()


async def test_fifty_conversations_twenty_messages_in_order(db_url: str, tmp_path: Path) -> None:
    app = await make_app(db_url, tmp_path)
    try:

        async def converse(c: int) -> list[str]:
            # Alternate two payloads whose replies differ, so order is visible in the transcript.
            seen = []
            for i in range(20):
                payload = "menu:office" if i % 2 == 0 else "cmd:menu"
                result = await app.pipeline.handle(msg(f"conv-{c}", f"{c}-{i}", payload=payload))
                seen.append(result.replies[0].message.text)
            return seen

        await asyncio.gather(*(converse(c) for c in range(50)))
        async with app.sessions() as db:
            for c in (0, 17, 49):
                conv = (
                    await db.execute(
                        select(Conversation).where(Conversation.chat_id == f"conv-{c}")
                    )
                ).scalar_one()
                transcript = (
                    (
                        await db.execute(
                            select(TranscriptMessage)
                            .where(TranscriptMessage.conversation_id == conv.id)
                            .order_by(TranscriptMessage.id)
                        )
                    )
                    .scalars()
                    .all()
                )
                inbound = [t for t in transcript if t.direction == "in"]
                assert [t.platform_message_id for t in inbound] == [f"{c}-{i}" for i in range(20)]
                # every reply follows the message it answers, before the next message
                last_in = None
                for t in transcript:
                    if t.direction == "in":
                        last_in = t.id
                    else:
                        assert t.in_reply_to == last_in
        assert await rows(app, TranscriptMessage, TranscriptMessage.direction == "in") == 1000
    finally:
        await app.stop()


async def test_restart_mid_menu_continues(db_url: str, tmp_path: Path) -> None:
    app = await make_app(db_url, tmp_path)
    first = await app.pipeline.handle(msg("r1", "m1", payload="cmd:menu"))
    assert first.replies[-1].message.buttons
    await app.stop()
    # A new process: nothing in memory survives, only the database.
    app2 = await make_app(db_url, tmp_path)
    try:
        # "5" picks the fifth numbered option of the menu shown before the restart.
        result = await app2.pipeline.handle(msg("r1", "m2", text="5"))
        assert "Basuki Rahmat" in result.replies[0].message.text
    finally:
        await app2.stop()


class FakePlatform(Channel):
    """Stands in for a remote platform at the network edge: fails as told, records sends."""

    name = "fake"
    capabilities = Capabilities()

    def __init__(self, failures: list[DeliveryError]) -> None:
        self.failures = failures
        self.sent: list[str] = []
        self.calls = 0

    async def send(
        self, key: ConversationKey, message: Outbound, context: SendContext | None = None
    ) -> Delivered:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(message.text)
        return Delivered(platform_message_id=f"p-{len(self.sent)}")


async def drain(sender: OutboxSender, rounds: int = 40) -> None:
    for _ in range(rounds):
        await sender.run_once()
        await asyncio.sleep(0.01)


FAST = OutboxSettings(max_attempts=4, base_delay_seconds=0.001, max_delay_seconds=0.01)


async def test_outbox_retries_then_delivers_once(db_url: str, tmp_path: Path) -> None:
    platform = FakePlatform([DeliveryError("502"), DeliveryError("timeout")])
    app = await make_app(db_url, tmp_path, {"fake": platform})
    try:
        result = await app.pipeline.handle(
            Inbound(key=ConversationKey("fake", "u1"), message_id="f1", payload="menu:office")
        )
        sender = OutboxSender(app.sessions, app.channels, FAST)
        await drain(sender)
        assert platform.sent == [r.message.text for r in result.replies]
        async with app.sessions() as db:
            out = (
                (await db.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
            )
        assert [o.status for o in out] == ["sent"] * len(out)
        assert out[0].attempts == 3 and out[0].platform_message_id == "p-1"
        assert platform.calls == 2 + len(out)
    finally:
        await app.stop()


async def test_outbox_permanent_failure_recorded_not_retried(db_url: str, tmp_path: Path) -> None:
    platform = FakePlatform([DeliveryError("400 bad request", permanent=True)])
    app = await make_app(db_url, tmp_path, {"fake": platform})
    try:
        await app.pipeline.handle(
            Inbound(key=ConversationKey("fake", "u1"), message_id="f1", text="menu")
        )
        sender = OutboxSender(app.sessions, app.channels, FAST)
        await drain(sender)
        async with app.sessions() as db:
            out = (
                (await db.execute(select(OutboxMessage).order_by(OutboxMessage.id))).scalars().all()
            )
        assert out[0].status == "failed" and "400" in out[0].last_error
        assert out[0].attempts == 1
        calls = platform.calls
        await drain(sender, 5)
        assert platform.calls == calls
    finally:
        await app.stop()


async def test_outbox_gives_up_after_max_attempts(db_url: str, tmp_path: Path) -> None:
    platform = FakePlatform([DeliveryError("503")] * 10)
    app = await make_app(db_url, tmp_path, {"fake": platform})
    try:
        await app.pipeline.handle(
            Inbound(key=ConversationKey("fake", "u1"), message_id="f1", text="menu")
        )
        sender = OutboxSender(app.sessions, app.channels, FAST)
        await drain(sender, 60)
        async with app.sessions() as db:
            first = (
                (await db.execute(select(OutboxMessage).order_by(OutboxMessage.id)))
                .scalars()
                .first()
            )
        assert (
            first is not None and first.status == "failed" and first.attempts == FAST.max_attempts
        )
    finally:
        await app.stop()


async def test_outbox_blocked_user_marked(db_url: str, tmp_path: Path) -> None:
    platform = FakePlatform([DeliveryError("403 blocked", blocked=True)])
    app = await make_app(db_url, tmp_path, {"fake": platform})
    try:
        await app.pipeline.handle(
            Inbound(key=ConversationKey("fake", "u1"), message_id="f1", text="menu")
        )
        sender = OutboxSender(app.sessions, app.channels, FAST)
        await drain(sender, 5)
        assert platform.sent == []
        async with app.sessions() as db:
            conv = (await db.execute(select(Conversation))).scalar_one()
            statuses = (await db.execute(select(OutboxMessage.status))).scalars().all()
        assert conv.blocked
        assert set(statuses) == {"failed"}
    finally:
        await app.stop()


async def test_outbox_keeps_order_within_conversation(db_url: str, tmp_path: Path) -> None:
    platform = FakePlatform([DeliveryError("timeout")])
    app = await make_app(db_url, tmp_path, {"fake": platform})
    try:
        r1 = await app.pipeline.handle(
            Inbound(key=ConversationKey("fake", "u1"), message_id="a", payload="menu:office")
        )
        r2 = await app.pipeline.handle(
            Inbound(key=ConversationKey("fake", "u1"), message_id="b", payload="cmd:menu")
        )
        sender = OutboxSender(app.sessions, app.channels, FAST)
        await drain(sender)
        assert platform.sent == [r.message.text for r in r1.replies + r2.replies]
    finally:
        await app.stop()
