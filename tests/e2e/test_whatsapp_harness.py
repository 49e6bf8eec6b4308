"""Support for the WhatsApp e2e tests (no tests here).

Drives the real app as WhatsApp would: signed webhook POSTs built from Meta's sample payloads
(tests/data/whatsapp/), replies delivered by the real outbox through pywa to the Graph API
emulator, where the test reads what the citizen would see.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bot.app import App
from tests.emulators.graph_api import GraphApiEmulator, sign
from tests.helpers import running_app, settings_for

DATA = Path(__file__).resolve().parent.parent / "data" / "whatsapp"
APP_SECRET = "e2e-test-app-secret"
VERIFY_TOKEN = "e2e-verify-token"
CITIZEN = "6281234567890"
WEBHOOK = "/webhooks/whatsapp"


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DATA / name).read_text())
    return data


def fixture_bytes(name: str) -> bytes:
    return (DATA / name).read_bytes()


def _message_update(template: str, message_id: str, sender: str, **fields: Any) -> dict[str, Any]:
    """One of Meta's sample message payloads, re-addressed to `sender` with a fresh id."""
    data = copy.deepcopy(fixture(template))
    value = data["entry"][0]["changes"][0]["value"]
    value["contacts"][0]["wa_id"] = sender
    value["contacts"][0]["profile"]["name"] = "Siti Aminah"
    message = value["messages"][0]
    message["from"] = sender
    message["id"] = message_id
    message.update(fields)
    return data


def text_update(message_id: str, text: str, sender: str = CITIZEN) -> dict[str, Any]:
    return _message_update("message_text.json", message_id, sender, text={"body": text})


def button_update(
    message_id: str, payload: str, title: str, sender: str = CITIZEN
) -> dict[str, Any]:
    reply = {"type": "button_reply", "button_reply": {"id": payload, "title": title}}
    return _message_update("interactive_button_reply.json", message_id, sender, interactive=reply)


def list_update(message_id: str, payload: str, title: str, sender: str = CITIZEN) -> dict[str, Any]:
    reply = {"type": "list_reply", "list_reply": {"id": payload, "title": title}}
    return _message_update("interactive_list_reply.json", message_id, sender, interactive=reply)


def image_update(message_id: str, media_id: str, sender: str = CITIZEN) -> dict[str, Any]:
    image = {"mime_type": "image/jpeg", "sha256": "4654+8g=", "id": media_id}
    return _message_update("message_image.json", message_id, sender, image=image)


def document_update(
    message_id: str, media_id: str, file_name: str, sender: str = CITIZEN
) -> dict[str, Any]:
    document = {
        "filename": file_name,
        "mime_type": "application/pdf",
        "sha256": "grwfwe/ZPx0wAbdfbdeFUNItPZ0RylL8gGUvdt3YFqc18SY=",
        "id": media_id,
    }
    return _message_update("message_document.json", message_id, sender, document=document)


@dataclass
class Options:
    """The choices of the last interactive message: payload -> (kind, title)."""

    by_payload: dict[str, tuple[str, str]] = field(default_factory=dict)


def options_of(message: dict[str, Any]) -> dict[str, tuple[str, str]]:
    if message.get("type") != "interactive":
        return {}
    interactive = message["interactive"]
    if interactive["type"] == "button":
        return {
            b["reply"]["id"]: ("button_reply", b["reply"]["title"])
            for b in interactive["action"]["buttons"]
        }
    return {
        row["id"]: ("list_reply", row["title"])
        for section in interactive["action"]["sections"]
        for row in section["rows"]
    }


def visible_text(message: dict[str, Any]) -> str:
    kind = message.get("type")
    if kind == "text":
        return str(message["text"]["body"])
    if kind == "interactive":
        return str(message["interactive"]["body"]["text"])
    if kind == "document":
        return str(message["document"].get("caption", ""))
    if kind == "template":
        return json.dumps(message["template"])
    return ""


@dataclass
class Citizen:
    """One WhatsApp user talking to the bot."""

    app: App
    client: httpx.AsyncClient
    emulator: GraphApiEmulator
    phone: str = CITIZEN
    seen: int = 0
    options: dict[str, tuple[str, str]] = field(default_factory=dict)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_id(self) -> str:
        return f"wamid.E2E{self.phone}{next(self._ids):05d}"

    async def post(self, update: dict[str, Any] | bytes) -> httpx.Response:
        return await post_update(self.client, update)

    async def _exchange(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        response = await self.post(update)
        assert response.status_code == 200, response.text
        return await self.replies()

    async def replies(self) -> list[dict[str, Any]]:
        """Run the outbox; what reached this citizen since the last call."""
        while await self.app.outbox.run_once():
            pass
        sent = [
            m
            for m in self.emulator.sent_messages()
            if m.get("to") == self.phone or m.get("recipient") == self.phone
        ]
        new = sent[self.seen :]
        self.seen = len(sent)
        for message in new:
            if message.get("type") == "interactive":
                self.options = options_of(message)
        return new

    async def say(self, text: str) -> list[dict[str, Any]]:
        return await self._exchange(text_update(self.new_id(), text, self.phone))

    async def tap(self, payload: str) -> list[dict[str, Any]]:
        assert payload in self.options, f"{payload!r} not offered; offered: {list(self.options)}"
        kind, title = self.options[payload]
        build = button_update if kind == "button_reply" else list_update
        return await self._exchange(build(self.new_id(), payload, title, self.phone))

    async def tap_title(self, fragment: str) -> list[dict[str, Any]]:
        """Tap the offered option whose title contains `fragment` (case-insensitive)."""
        for payload, (_, title) in self.options.items():
            if fragment.lower() in title.lower():
                return await self.tap(payload)
        raise AssertionError(f"no option like {fragment!r}; offered: {self.options}")

    async def send_image(self, media_id: str) -> list[dict[str, Any]]:
        return await self._exchange(image_update(self.new_id(), media_id, self.phone))

    async def send_document(self, media_id: str, name: str) -> list[dict[str, Any]]:
        return await self._exchange(document_update(self.new_id(), media_id, name, self.phone))


async def post_update(
    client: httpx.AsyncClient, update: dict[str, Any] | bytes, secret: str = APP_SECRET
) -> httpx.Response:
    body = update if isinstance(update, bytes) else json.dumps(update).encode()
    return await client.post(
        WEBHOOK,
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, secret)},
    )


@asynccontextmanager
async def whatsapp_app(
    db_url: str, tmp_path: Path
) -> AsyncIterator[tuple[App, httpx.AsyncClient, GraphApiEmulator]]:
    with GraphApiEmulator() as emulator:
        settings = settings_for(
            db_url,
            tmp_path,
            whatsapp={
                "phone_number_id": emulator.phone_number_id,
                "access_token": emulator.access_token,
                "app_secret": APP_SECRET,
                "verify_token": VERIFY_TOKEN,
                "api_version": emulator.api_version,
                "graph_api_base_url": emulator.base_url,
            },
            outbox={"base_delay_seconds": 0.01, "max_delay_seconds": 0.05},
        )
        async with running_app(settings) as (app, client):
            yield app, client, emulator
