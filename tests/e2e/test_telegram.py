"""Telegram end to end: the whole app and the real python-telegram-bot against a local Bot API.

The emulator (tests/emulators/telegram_api.py) is a real HTTP server; the bot polls it or the
test delivers updates to /webhooks/telegram with the secret the bot registered, exactly as
Telegram does. Conversations are driven by tapping the buttons the bot really sent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import App, build_app
from bot.channels.telegram import SECRET_HEADER
from bot.settings import Settings
from bot.web import create_web_app
from storage.migrate import upgrade_database
from storage.models import Conversation, OutboxMessage, ProcessedInbound, TranscriptMessage
from tests.conftest import DATA
from tests.emulators.telegram_api import TelegramApiEmulator
from tests.helpers import settings_for

TOKEN = "123456:TEST-emulated-token"
SECRET = "secret_For-the-tests-123"
FIXTURES = DATA / "telegram"
# The smallest valid JPEG and PDF the file store accepts (checked by content).
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\x00" * 200 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def emulator(trained_model: Path) -> Iterator[TelegramApiEmulator]:
    with TelegramApiEmulator(TOKEN) as emu:
        yield emu


def telegram_settings(
    db_url: str, tmp_path: Path, emu: TelegramApiEmulator, mode: str, **telegram: Any
) -> Settings:
    return settings_for(
        db_url,
        tmp_path,
        telegram={
            "token": TOKEN,
            "mode": mode,
            "base_url": emu.base_url,
            "base_file_url": emu.base_file_url,
            "webhook_url": "https://siketan.example.go.id/webhooks/telegram",
            "secret_token": SECRET,
            "poll_timeout_seconds": 1,
            "per_chat_per_second": 10.0,
            "per_chat_burst": 5,
            **telegram,
        },
        outbox={"poll_interval_seconds": 0.05, "base_delay_seconds": 0.2},
    )


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[tuple[App, httpx.AsyncClient]]:
    """The whole app in this process with its outbox sender running; HTTP through ASGI."""
    await upgrade_database(settings.database.url)
    app = build_app(settings)
    web = create_web_app(app, run_background=False)
    await app.start(run_outbox=True)
    try:
        transport = httpx.ASGITransport(app=web)
        async with httpx.AsyncClient(transport=transport, base_url="http://siketan.test") as client:
            yield app, client
    finally:
        await app.stop()


async def count(app: App, model: Any, *where: Any) -> int:
    async with app.sessions() as db:
        stmt = select(func.count()).select_from(model)
        for w in where:
            stmt = stmt.where(w)
        return int((await db.execute(stmt)).scalar_one())


async def settle(app: App, emu: TelegramApiEmulator, processed: int, within: float = 15) -> None:
    """Wait until `processed` updates went through the pipeline and the outbox is empty."""
    deadline = time.monotonic() + within
    while True:
        done = await count(app, ProcessedInbound, ProcessedInbound.channel == "telegram")
        busy = await count(app, OutboxMessage, OutboxMessage.status.in_(("pending", "sending")))
        if done >= processed and busy == 0 and emu.pending_updates() == 0:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"not settled: processed {done}/{processed}, outbox busy {busy}")
        await asyncio.sleep(0.02)


class Citizen:
    """One person chatting with the bot, through polling or the webhook."""

    def __init__(
        self,
        emu: TelegramApiEmulator,
        app: App,
        client: httpx.AsyncClient,
        mode: str,
        chat_id: int = 55501,
    ) -> None:
        self.emu, self.app, self.client, self.mode, self.chat_id = emu, app, client, mode, chat_id
        self.processed = 0

    async def deliver(
        self, update: dict[str, Any], *, counts: bool = True
    ) -> httpx.Response | None:
        response = None
        if self.mode == "polling":
            self.emu.push(update)
        else:
            response = await webhook(self.client, self.emu, update)
            assert response.status_code == 200, response.text
        self.processed += 1 if counts else 0
        await settle(self.app, self.emu, self.processed)
        return response

    async def send(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        before = len(self.emu.sent_to(self.chat_id))
        await self.deliver(update)
        return self.emu.sent_to(self.chat_id)[before:]

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self.send(self.emu.text_update(self.chat_id, text))

    def keyboard_message(self, payload: str) -> dict[str, Any]:
        """The newest bot message whose inline keyboard has a button with this payload."""
        for message in reversed(self.emu.sent_to(self.chat_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if button.get("callback_data") == payload:
                        return message
        raise AssertionError(f"no visible button with payload {payload!r}")

    def buttons(self, message: dict[str, Any]) -> list[tuple[str, str]]:
        markup = message.get("request_markup") or {}
        return [
            (b["text"], b.get("callback_data", ""))
            for row in markup.get("inline_keyboard", [])
            for b in row
        ]

    async def tap(self, payload: str) -> list[dict[str, Any]]:
        message = self.keyboard_message(payload)
        public = {k: v for k, v in message.items() if k not in ("request_markup", "parse_mode")}
        return await self.send(self.emu.callback_update(self.chat_id, public, payload))


async def webhook(
    client: httpx.AsyncClient, emu: TelegramApiEmulator, update: Any, secret: str | None = None
) -> httpx.Response:
    registered = emu.webhook or {}
    token = registered.get("secret_token", "") if secret is None else secret
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    return await client.post(
        "/webhooks/telegram",
        content=body,
        headers={SECRET_HEADER: token, "Content-Type": "application/json"},
    )


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(str(m.get("text") or m.get("caption") or "") for m in messages)


# -- start-up --------------------------------------------------------------------------------


async def test_polling_deletes_webhook_and_webhook_mode_registers_secret(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator
) -> None:
    emulator.webhook = {"url": "https://old.example/hook"}
    async with running(telegram_settings(db_url, tmp_path, emulator, "polling")):
        deadline = time.monotonic() + 5
        while not emulator.calls_of("getUpdates", ok=True):
            assert time.monotonic() < deadline, "polling never started"
            await asyncio.sleep(0.05)
        assert emulator.calls_of("getMe")
        methods = [c.method for c in emulator.calls]
        assert methods.index("deleteWebhook") < methods.index("getUpdates")
        assert emulator.webhook is None
    emulator.calls.clear()
    async with running(telegram_settings(f"{db_url}", tmp_path, emulator, "webhook")):
        assert emulator.webhook is not None
        assert emulator.webhook["url"] == "https://siketan.example.go.id/webhooks/telegram"
        assert emulator.webhook["secret_token"] == SECRET
        assert not emulator.calls_of("getUpdates")


# -- a conversation in both modes -----------------------------------------------------------


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_menu_by_commands_and_buttons(
    db_url: str,
    tmp_path: Path,
    emulator: TelegramApiEmulator,
    mode: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with running(telegram_settings(db_url, tmp_path, emulator, mode)) as (app, client):
        citizen = Citizen(emulator, app, client, mode)
        replies = await citizen.say("/start")
        assert len(replies) == 1
        menu = replies[0]
        assert "SIKETAN" in menu["text"]
        assert menu["parse_mode"] == "HTML"
        payloads = [p for _, p in citizen.buttons(menu)]
        assert "menu:office" in payloads and "menu:requirements" in payloads

        replies = await citizen.tap("menu:office")
        assert "Probolinggo" in texts(replies)
        answered = emulator.calls_of("answerCallbackQuery")
        assert len(answered) == 1
        # The tapped keyboard is taken away, so the same choice cannot be sent twice.
        edits = emulator.calls_of("editMessageReplyMarkup", ok=True)
        assert [int(e.params["message_id"]) for e in edits] == [menu["message_id"]]

        replies = await citizen.say("/batal@siketan_test_bot")
        assert "Tidak ada proses" in texts(replies)
        replies = await citizen.say("/help")
        assert "bantuan" in texts(replies).lower()
    # httpx logs every Bot API URL, and the token is part of it.
    assert "/bot<token>/" in caplog.text
    assert TOKEN not in caplog.text


# -- real payloads through the webhook --------------------------------------------------------

PHOTO_FILE_ID = "AgADAgAD36sxG-PX0UvQSXIn9rccdw-ACA4ABAEAAwIAA3kAAyTcBAABFgQ"  # the largest size


def _body(row: TranscriptMessage) -> dict[str, Any]:
    return dict(row.body or {})


EXPECTED: dict[str, Any] = {
    "aiogram_raw_update_text.json": lambda b: b["text"] == "test",
    "teloxide_update_private_text.json": lambda b: b["text"] == "4",
    "teloxide_callback_query_inline.json": lambda b: b["payload"] == "some_data",
    "teloxide_message_photo.json": lambda b: (
        b["attachments"][0]["kind"] == "photo"
        and b["attachments"][0]["ref"].startswith("sha256:")
        and not b["attachments"][0]["error"]
    ),
    # The fixture's file id is unknown to our Telegram: the dialog hears "download failed".
    "aiogram_message_document.json": lambda b: (
        b["attachments"][0]["kind"] == "document"
        and b["attachments"][0]["error"] == "download_failed"
    ),
    "aiogram_message_contact.json": lambda b: b["contact"]["phone"] == "911",
    "aiogram_message_location.json": lambda b: b["location"]["latitude"] == 3.14,
    "teloxide_message_location_venue.json": lambda b: b["location"]["name"] == "Title",
    "aiogram_edited_message.json": lambda b: b["unsupported"] == "edited_message",
}


# The payloads come from several projects' test suites and reuse ids (four are message 42 in
# chat 42): in one bot they would be redeliveries of one message. Each group is one bot.
GROUPS = [
    [
        "aiogram_raw_update_text.json",
        "teloxide_update_private_text.json",
        "teloxide_callback_query_inline.json",
        "teloxide_message_photo.json",
        "teloxide_message_location_venue.json",
        "aiogram_edited_message.json",
    ],
    ["aiogram_message_contact.json"],
    ["aiogram_message_document.json"],
    ["aiogram_message_location.json"],
]


def test_groups_cover_every_parseable_payload() -> None:
    names = sorted(p.name for p in FIXTURES.glob("*.json"))
    assert sorted(n for group in GROUPS for n in group) == names == sorted(EXPECTED)


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g[0].removesuffix(".json"))
async def test_real_payloads_through_webhook(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator, group: list[str]
) -> None:
    emulator.register_file(PHOTO_FILE_ID, JPEG, "photo.jpg")
    async with running(telegram_settings(db_url, tmp_path, emulator, "webhook")) as (app, client):
        for number, name in enumerate(group, start=1):
            raw = (FIXTURES / name).read_bytes()
            before = len(emulator.calls_of("sendMessage", ok=True))
            response = await webhook(client, emulator, raw)
            assert response.status_code == 200, name
            await settle(app, emulator, number)
            async with app.sessions() as db:
                rows = (
                    (await db.execute(select(TranscriptMessage).order_by(TranscriptMessage.id)))
                    .scalars()
                    .all()
                )
            inbound = [r for r in rows if r.direction == "in"]
            assert len(inbound) == number, name
            assert EXPECTED[name](_body(inbound[-1])), (name, _body(inbound[-1]))
            # Every message gets a polite answer, and it reached the emulated Telegram.
            assert any(r.direction == "out" and r.in_reply_to == inbound[-1].id for r in rows)
            assert len(emulator.calls_of("sendMessage", ok=True)) > before, name
            if name.startswith("teloxide_callback"):
                answered = emulator.calls_of("answerCallbackQuery")
                assert [c.params["callback_query_id"] for c in answered] == ["id"]


async def test_payloads_the_library_rejects_are_acknowledged_and_not_stored(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator
) -> None:
    rejected = sorted((FIXTURES / "rejected_by_parsers").glob("*.json"))
    assert len(rejected) == 8
    async with running(telegram_settings(db_url, tmp_path, emulator, "webhook")) as (app, client):
        for path in rejected:
            response = await webhook(client, emulator, path.read_bytes())
            assert response.status_code == 200, path.name
        response = await webhook(client, emulator, b"{not json")
        assert response.status_code == 200
        assert await count(app, TranscriptMessage) == 0
        assert await count(app, ProcessedInbound) == 0
        assert await count(app, Conversation) == 0


async def test_polling_survives_an_update_the_library_rejects(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator
) -> None:
    async with running(telegram_settings(db_url, tmp_path, emulator, "polling")) as (app, client):
        citizen = Citizen(emulator, app, client, "polling")
        bad = json.loads(
            (FIXTURES / "rejected_by_parsers" / "tgdocs_message_text.json").read_text()
        )
        bad["update_id"] = 1  # before the citizen's update, in the same getUpdates batch
        emulator.push(bad)
        replies = await citizen.say("/start")
        assert len(replies) == 1
        assert emulator.pending_updates() == 0  # both confirmed: nothing stalls the queue
        assert await count(app, ProcessedInbound) == 1


async def test_forged_or_missing_secret_is_refused_and_nothing_stored(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator
) -> None:
    async with running(telegram_settings(db_url, tmp_path, emulator, "webhook")) as (app, client):
        update = emulator.text_update(55501, "halo")
        forged = await webhook(client, emulator, update, secret="not-the-secret")
        assert forged.status_code == 403
        missing = await client.post("/webhooks/telegram", json=update)
        assert missing.status_code == 403
        assert await count(app, TranscriptMessage) == 0
        assert await count(app, ProcessedInbound) == 0
        assert not emulator.calls_of("sendMessage")


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_redelivered_update_is_processed_once(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator, mode: str
) -> None:
    async with running(telegram_settings(db_url, tmp_path, emulator, mode)) as (app, client):
        citizen = Citizen(emulator, app, client, mode)
        update = emulator.text_update(citizen.chat_id, "/start")
        await citizen.send(update)
        # Telegram redelivers the very same update (same update_id) when it missed our answer.
        await citizen.deliver(update, counts=False)
        assert await count(app, TranscriptMessage, TranscriptMessage.direction == "in") == 1
        assert len(emulator.sent_to(citizen.chat_id)) == 1


async def test_flood_control_429_is_waited_out_and_delivered_once(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator
) -> None:
    async with running(telegram_settings(db_url, tmp_path, emulator, "webhook")) as (app, client):
        emulator.fail("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
        citizen = Citizen(emulator, app, client, "webhook")
        replies = await citizen.say("/start")
        calls = emulator.calls_of("sendMessage")
        assert [c.status for c in calls] == [429, 200]
        assert calls[1].at - calls[0].at >= 1.0  # the outbox honoured retry_after
        assert len(replies) == 1 and "SIKETAN" in replies[0]["text"]
        async with app.sessions() as db:
            row = (await db.execute(select(OutboxMessage))).scalar_one()
        assert row.status == "sent" and row.attempts == 2
        assert row.platform_message_id == str(replies[0]["message_id"])


async def test_citizen_who_blocked_the_bot_is_marked_and_not_retried(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator
) -> None:
    async with running(telegram_settings(db_url, tmp_path, emulator, "webhook")) as (app, client):
        emulator.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
        citizen = Citizen(emulator, app, client, "webhook")
        await citizen.say("/start")
        await asyncio.sleep(0.5)  # time for a (wrong) retry to show up
        assert len(emulator.calls_of("sendMessage")) == 1
        async with app.sessions() as db:
            conversation = (await db.execute(select(Conversation))).scalar_one()
            row = (await db.execute(select(OutboxMessage))).scalar_one()
        assert conversation.blocked is True
        assert row.status == "failed"


async def test_files_too_large_or_of_wrong_type_get_a_clear_answer(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator
) -> None:
    async with running(telegram_settings(db_url, tmp_path, emulator, "polling")) as (app, client):
        citizen = Citizen(emulator, app, client, "polling")
        # Telegram says 25 MB: over getFile's 20 MB and our 10 MB; nothing is downloaded.
        replies = await citizen.send(emulator.photo_update(citizen.chat_id, JPEG, size=25 << 20))
        assert not emulator.calls_of("getFile")
        assert replies  # what the dialog says about it is the dialog's business
        async with app.sessions() as db:
            rows = (await db.execute(select(TranscriptMessage))).scalars().all()
        first = next(r for r in rows if r.direction == "in")
        assert _body(first)["attachments"][0]["error"] == "too_large"

        exe = b"MZ\x90\x00" + b"\x00" * 500
        await citizen.send(
            emulator.document_update(citizen.chat_id, exe, "ktp.pdf", "application/pdf")
        )
        assert len(emulator.calls_of("getFile")) == 1
        async with app.sessions() as db:
            rows = (await db.execute(select(TranscriptMessage))).scalars().all()
        last = [r for r in rows if r.direction == "in"][-1]
        assert _body(last)["attachments"][0]["error"] == "wrong_type"
        # Showing "typing..." at once: a file takes a moment to fetch and check.
        assert emulator.calls_of("sendChatAction")


async def test_group_chats_are_answered_once_and_not_stored(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator
) -> None:
    async with running(telegram_settings(db_url, tmp_path, emulator, "webhook")) as (app, client):
        for text in ("halo bot", "izin usaha?"):
            update = emulator.text_update(-100123, text)
            update["message"]["chat"] = {"id": -100123, "type": "supergroup", "title": "UMKM"}
            assert (await webhook(client, emulator, update)).status_code == 200
        sent = emulator.sent_to(-100123)
        assert len(sent) == 1 and "pribadi" in sent[0]["text"]
        assert await count(app, TranscriptMessage) == 0


async def test_stickers_and_voice_get_a_polite_answer(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator
) -> None:
    async with running(telegram_settings(db_url, tmp_path, emulator, "webhook")) as (app, client):
        citizen = Citizen(emulator, app, client, "webhook")
        sticker = {
            "file_id": "S1",
            "file_unique_id": "S1u",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
        replies = await citizen.send(emulator._message(citizen.chat_id, sticker=sticker))
        voice = {"file_id": "V1", "file_unique_id": "V1u", "duration": 3}
        replies += await citizen.send(emulator._message(citizen.chat_id, voice=voice))
        assert len(replies) == 2
        assert all("belum bisa membaca" in r["text"] for r in replies)
