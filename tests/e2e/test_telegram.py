"""Telegram end to end: the whole app and the real python-telegram-bot against a local Bot API.

The emulator (tests/emulators/telegram_api.py) is a real HTTP server; the bot polls it or the
test delivers updates to /webhooks/telegram with the secret the bot registered, exactly as
Telegram does. Conversations are driven by tapping the buttons the bot really sent.
"""

from __future__ import annotations

import asyncio
import json
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
from storage.models import OutboxMessage, ProcessedInbound
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
        await asyncio.sleep(0.05)


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
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator, mode: str
) -> None:
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
