"""Whole conversations on Telegram, on the real dialogs, in polling and in webhook mode.

The citizen only does what a person on a phone can do: type, tap the inline buttons the bot
really sent (their callback data, as recorded by the emulated Bot API), press the "share my
number" key, send a photo. Nothing is fed to the pipeline directly.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_telegram import (
    JPEG,
    Citizen,
    running,
    telegram_settings,
    texts,
)
from tests.e2e.test_telegram import emulator as emulator  # the fixture
from tests.emulators.telegram_api import TelegramApiEmulator

MODES = ["polling", "webhook"]


def payloads(citizen: Citizen, message: dict[str, Any]) -> list[str]:
    return [p for _, p in citizen.buttons(message)]


def assert_delivered_in_order(emu: TelegramApiEmulator, chat_id: int) -> None:
    sent = emu.sent_to(chat_id)
    ids = [m["message_id"] for m in sent]
    assert ids == sorted(ids)
    assert all(len(str(m.get("text") or "")) <= 4096 for m in sent)


@pytest.mark.parametrize("mode", MODES)
async def test_requirements_guide_conversation(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator, mode: str
) -> None:
    async with running(telegram_settings(db_url, tmp_path, emulator, mode)) as (app, client):
        citizen = Citizen(emulator, app, client, mode)
        (menu,) = await citizen.say("/start")
        assert "menu:requirements" in payloads(citizen, menu)

        replies = await citizen.tap("menu:requirements")
        assert "Ceritakan usaha" in texts(replies)

        # In the citizen's own words; the bot offers KBLI activities as buttons.
        replies = await citizen.say("saya mau buka warung bakso di rumah")
        offered = payloads(citizen, replies[-1])
        assert "kbli:56101" in offered and "kbli:none" in offered

        replies = await citizen.tap("kbli:56101")
        assert "running:new" in payloads(citizen, replies[-1])
        replies = await citizen.tap("running:new")
        assert "modal" in texts(replies).lower()

        replies = await citizen.say("modalnya 50 juta")
        answer = texts(replies)
        assert "KBLI 56101" in answer
        assert "Usaha Mikro" in answer
        assert "Nomor Induk Berusaha (NIB)" in answer
        assert "Dasar hukum" in answer
        assert {"req:apply", "cmd:menu"} <= set(payloads(citizen, replies[-1]))

        # Every tap was answered (no spinning buttons) and its keyboard taken away.
        taps = 3
        assert len(emulator.calls_of("answerCallbackQuery", ok=True)) == taps
        assert len(emulator.calls_of("editMessageReplyMarkup", ok=True)) == taps
        assert_delivered_in_order(emulator, citizen.chat_id)


FREE_TEXT_ANSWERS = [
    # (words in the question, what the citizen types)
    ("nama lengkap", "Siti Aminah"),
    ("nik", "3574014501900001"),
    ("nama usaha", "Bakso Bu Siti"),
    ("ceritakan usaha", "warung bakso di rumah"),
    ("jelaskan singkat", "jual bakso dan mie ayam setiap hari"),
    ("modal", "50 juta"),
    ("luas", "20 m2"),
    ("tenaga kerja", "2 orang"),
    ("alamat tempat usaha", "Jl. Panglima Sudirman No. 10 RT 02 RW 03"),
]
TAPS = ("kbli:56101", "running:new", "form:skip", "kecamatan:Kademangan", "kelurahan:Ketapang")


@pytest.mark.parametrize("mode", MODES)
async def test_application_with_photo_upload(
    db_url: str, tmp_path: Path, emulator: TelegramApiEmulator, mode: str
) -> None:
    async with running(telegram_settings(db_url, tmp_path, emulator, mode)) as (app, client):
        citizen = Citizen(emulator, app, client, mode)
        await citizen.say("/start")
        replies = await citizen.tap("menu:apply")
        photos = contacts = 0
        summary: dict[str, Any] | None = None
        # Answer whatever the form asks, the way a citizen would, until the summary comes.
        for _ in range(30):
            last = replies[-1]
            question = str(last.get("text") or "").lower()
            markup = last.get("request_markup") or {}
            options = payloads(citizen, last)
            if "app:confirm" in options:
                summary = last
                break
            if any(b.get("request_contact") for row in markup.get("keyboard", []) for b in row):
                replies = await citizen.send(
                    emulator.contact_update(citizen.chat_id, "+6281234567890")
                )
                contacts += 1
            elif "form:cannot" in options:  # a document step (KTP, the place of business)
                replies = await citizen.send(emulator.photo_update(citizen.chat_id, JPEG))
                photos += 1
            elif tap := next((p for p in TAPS if p in options), None):
                replies = await citizen.tap(tap)
            else:
                typed = next((a for q, a in FREE_TEXT_ANSWERS if q in question), None)
                assert typed is not None, f"unexpected question: {question!r}"
                replies = await citizen.say(typed)
        assert summary is not None, "the form never reached its summary"
        assert contacts == 1 and photos >= 1
        text = summary["text"]
        assert "Siti Aminah" in text and "3574**********01" in text  # the NIK shown masked
        assert "+6281234567890" in text and "Ketapang" in text

        replies = await citizen.tap("app:confirm")
        done = texts(replies)
        assert "SKT-" in done
        receipt = next(m for m in replies if m.get("document"))
        assert receipt["document_bytes"].startswith(b"%PDF")
        assert receipt["document"]["file_name"].endswith(".pdf")
        assert any(
            c.params["action"] == "upload_document" for c in emulator.calls_of("sendChatAction")
        )

        # The photo went Telegram -> getFile -> download -> checked file store, by content.
        assert len(emulator.calls_of("getFile", ok=True)) == photos
        digest = hashlib.sha256(JPEG).hexdigest()
        assert app.files.path_for(digest).read_bytes() == JPEG
        assert_delivered_in_order(emulator, citizen.chat_id)
