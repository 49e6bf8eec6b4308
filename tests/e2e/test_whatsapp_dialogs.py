"""Whole conversations on WhatsApp: the citizen taps the buttons and list rows the bot really
sent (read back from the Graph API emulator) and types the rest, through signed webhooks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from storage.models import Conversation, TranscriptMessage
from tests.e2e.test_whatsapp_harness import Citizen, visible_text, whatsapp_app

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 4000 + b"\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(visible_text(m) for m in messages)


async def step_of(citizen: Citizen) -> str:
    async with citizen.app.sessions() as db:
        conv = (
            await db.execute(select(Conversation).where(Conversation.chat_id == citizen.phone))
        ).scalar_one()
    return str((conv.state or {}).get("step", ""))


async def test_requirements_guide_with_buttons_and_lists(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        citizen = Citizen(app, client, emulator)
        menu = await citizen.say("halo")
        assert "SIKETAN" in texts(menu)
        assert menu[-1]["interactive"]["type"] == "list"  # six services: a list message
        assert "menu:requirements" in citizen.options

        asked = await citizen.tap("menu:requirements")
        assert "usaha" in texts(asked).lower()

        candidates = await citizen.say("saya mau buka warung bakso di rumah")
        assert "56101" in texts(candidates)
        assert "kbli:56101" in citizen.options

        running = await citizen.tap("kbli:56101")
        assert running[-1]["type"] == "interactive"
        assert "running:new" in citizen.options

        capital = await citizen.tap("running:new")
        assert "modal" in texts(capital).lower()

        result = await citizen.say("modalnya 50 juta")
        answer = texts(result)
        assert "NIB" in answer
        assert "Mikro" in answer
        assert "PP 28/2025" in answer  # every answer names its legal basis
        assert all(len(visible_text(m)) <= 4096 for m in result)
        # The bot offers to go on with an application: those are buttons the citizen can tap.
        assert "cmd:menu" in citizen.options
        back = await citizen.tap("cmd:menu")
        assert "menu:apply" in citizen.options, texts(back)


async def answer_step(citizen: Citizen, step: str) -> list[dict[str, Any]]:
    options = citizen.options
    if step == "full_name":
        return await citizen.say("Siti Aminah")
    if step == "nik":
        return await citizen.say("3574014107850001")
    if step == "phone":
        return await citizen.say("081234567890")
    if step == "email":
        return await citizen.tap("form:skip") if "form:skip" in options else await citizen.say("-")
    if step == "business_name":
        return await citizen.say("Warung Bakso Bu Siti")
    if step in ("kbli", "kbli_pick"):
        if "kbli:56101" in options:
            return await citizen.tap("kbli:56101")
        return await citizen.say("warung bakso")
    if step == "description":
        return await citizen.say("Jualan bakso dan mie ayam di depan rumah")
    if step == "running":
        return await citizen.tap("running:new")
    if step == "capital":
        return await citizen.say("50 juta")
    if step == "annual_sales":
        return await citizen.say("300 juta")
    if step == "land_area":
        return await citizen.say("30 m2")
    if step == "workers":
        return await citizen.say("2 orang")
    if step.startswith("cond:"):
        return await citizen.tap(next(p for p in options if p.startswith("cond:")))
    if step == "address":
        return await citizen.say("Jl. Panglima Sudirman No. 10")
    if step == "kecamatan":
        return await citizen.tap_title("Mayangan")
    if step == "kelurahan":
        return await citizen.tap(next(p for p in options if p.startswith("kelurahan:")))
    if step.startswith("doc:"):
        media_id = f"{abs(hash(step)) % 10**9}"
        citizen.emulator.add_media(media_id, JPEG + step.encode(), "image/jpeg")
        return await citizen.send_image(media_id)
    if "app:confirm" in options:
        return await citizen.tap("app:confirm")
    raise AssertionError(f"the test does not know how to answer step {step!r}: {options}")


async def test_whole_application_with_an_image_upload(db_url: str, tmp_path: Path) -> None:
    async with whatsapp_app(db_url, tmp_path) as (app, client, emulator):
        citizen = Citizen(app, client, emulator)
        await citizen.say("menu")
        replies = await citizen.tap("menu:apply")
        transcript: list[str] = [texts(replies)]
        uploads = 0
        for _ in range(40):
            step = await step_of(citizen)
            if step.startswith("doc:"):
                uploads += 1
            if not step and "app:confirm" not in citizen.options:
                break
            replies = await answer_step(citizen, step)
            transcript.append(f"[{step}] " + texts(replies))
            if any(m["type"] == "document" for m in replies):
                break
        else:
            raise AssertionError("the application never finished:\n" + "\n".join(transcript[-6:]))
        sent = citizen.emulator.sent_messages()
        documents = [m for m in sent if m["type"] == "document"]
        assert uploads >= 1, "\n".join(transcript)
        assert documents, "no receipt document:\n" + "\n".join(transcript[-4:])
        receipt = documents[-1]["document"]
        assert receipt["filename"].endswith(".pdf")
        media = emulator.uploads[receipt["id"]]
        assert media.data.startswith(b"%PDF")
        # The photos went through Meta's media endpoint into the file store, checked.
        async with app.sessions() as db:
            inbound = (
                (
                    await db.execute(
                        select(TranscriptMessage).where(TranscriptMessage.direction == "in")
                    )
                )
                .scalars()
                .all()
            )
        stored = [a for row in inbound for a in (row.body or {}).get("attachments", [])]
        assert len(stored) == uploads
        assert all(a["ref"].startswith("sha256:") and not a["error"] for a in stored)
        assert all(app.files.read(a["ref"][7:]).startswith(b"\xff\xd8\xff") for a in stored)
        # The reference number the citizen can quote, on the chat and on the receipt's caption.
        assert "SKT-" in transcript[-1]
        assert "SKT-" in receipt.get("caption", "")
