"""Officer handoff through the real app and database: queue, claim races, replies on the
citizen's channel, cancel, office hours, timeouts, tickets (issue 8)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import App
from office.accounts import add_officer
from office.handoff import HandoffError
from storage.models import AuditEntry, Conversation, Handoff, Officer
from tests.helpers import new_session, running_app, settings_for

pytestmark = pytest.mark.postgres

ALWAYS_OPEN = {
    "hours": {d: "00:00-24:00" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
    "holidays_country": "",
}


def open_settings(db_url: str, tmp_path: Path, **office: Any) -> Any:
    return settings_for(db_url, tmp_path, office={**ALWAYS_OPEN, **office})


async def officer(app: App, username: str, role: str = "officer") -> Officer:
    async with app.sessions() as db, db.begin():
        return await add_officer(db, username, username.title(), "rahasia-sekali-123", role)


async def say(client: httpx.AsyncClient, sid: str, auth: dict[str, str], **body: str) -> Any:
    r = await client.post(f"/api/webchat/sessions/{sid}/messages", json=body, headers=auth)
    assert r.status_code == 200, r.text
    return r.json()["messages"]


async def received(client: httpx.AsyncClient, sid: str, auth: dict[str, str]) -> list[Any]:
    r = await client.get(f"/api/webchat/sessions/{sid}/messages", headers=auth)
    return list(r.json()["messages"])


async def conversation(app: App, sid: str) -> Conversation:
    async with app.sessions() as db:
        row = (
            await db.execute(select(Conversation).where(Conversation.chat_id == sid))
        ).scalar_one()
        return row


async def handoff_of(app: App, conversation_id: int) -> Handoff:
    async with app.sessions() as db:
        return (
            (
                await db.execute(
                    select(Handoff)
                    .where(Handoff.conversation_id == conversation_id)
                    .order_by(Handoff.id.desc())
                )
            )
            .scalars()
            .first()
        )


def texts(messages: list[Any]) -> str:
    return "\n".join(m["text"] for m in messages)


async def test_asking_for_an_officer_queues_with_position(db_url: str, tmp_path: Path) -> None:
    async with running_app(open_settings(db_url, tmp_path)) as (app, client):
        first = await new_session(client)
        second = await new_session(client)
        one = await say(client, *first, text="petugas")
        two = await say(client, *second, payload="menu:officer")
        assert "antrean ke-1" in texts(one)
        assert "antrean ke-2" in texts(two)
        # No history yet: an honest fixed phrase instead of an invented number.
        assert "secepatnya" in texts(one)
        assert any(b["payload"] == "handoff:cancel" for b in one[-1]["buttons"])
        conv = await conversation(app, first[0])
        assert conv.mode == "waiting"
        handoff = await handoff_of(app, conv.id)
        assert handoff.status == "open" and handoff.reason == "asked"


async def test_waiting_citizen_hears_once_and_can_cancel(db_url: str, tmp_path: Path) -> None:
    async with running_app(open_settings(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        await say(client, sid, auth, text="petugas")
        ack = await say(client, sid, auth, text="izin warung saya bagaimana?")
        assert "sudah kami teruskan" in texts(ack)
        assert await say(client, sid, auth, text="halo?") == []  # bot stays silent
        cancelled = await say(client, sid, auth, text="batal")
        assert "dibatalkan" in texts(cancelled)
        conv = await conversation(app, sid)
        assert conv.mode == "bot"
        assert (await handoff_of(app, conv.id)).status == "cancelled"
        back = await say(client, sid, auth, text="menu")
        assert back and back[-1]["buttons"]  # the bot answers again


async def test_two_officers_claiming_at_once_one_wins(db_url: str, tmp_path: Path) -> None:
    async with running_app(open_settings(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        await say(client, sid, auth, text="petugas")
        conv = await conversation(app, sid)
        handoff = await handoff_of(app, conv.id)
        a, b = await officer(app, "ani"), await officer(app, "budi")
        results = await asyncio.gather(
            app.office.handoff.claim(handoff.id, a),
            app.office.handoff.claim(handoff.id, b),
            return_exceptions=True,
        )
        winners = [r for r in results if isinstance(r, Handoff)]
        losers = [r for r in results if isinstance(r, HandoffError)]
        assert len(winners) == 1 and len(losers) == 1
        assert losers[0].reason == "taken"
        assert (await conversation(app, sid)).mode == "officer"
        # A third attempt later is refused the same way.
        with pytest.raises(HandoffError):
            await app.office.handoff.claim(handoff.id, a)


async def test_officer_chat_round_trip_and_close(db_url: str, tmp_path: Path) -> None:
    async with running_app(open_settings(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        await say(client, sid, auth, text="petugas")
        conv = await conversation(app, sid)
        handoff = await handoff_of(app, conv.id)
        ani = await officer(app, "ani")
        await app.office.handoff.claim(handoff.id, ani)
        await app.office.handoff.reply(handoff.id, ani, "Selamat pagi, ada yang bisa dibantu?")
        got = await received(client, sid, auth)
        officer_msgs = [m for m in got if m.get("author") == "officer"]
        assert officer_msgs and officer_msgs[-1]["text"] == "Selamat pagi, ada yang bisa dibantu?"
        assert "Ani" in texts(got)  # "Petugas Ani sudah bergabung"
        # The citizen's answer goes to the officer; the bot says nothing.
        assert await say(client, sid, auth, text="saya mau tanya NIB") == []
        # Someone else cannot reply in a conversation held by Ani.
        budi = await officer(app, "budi")
        with pytest.raises(HandoffError):
            await app.office.handoff.reply(handoff.id, budi, "menyela")
        await app.office.handoff.close(handoff.id, ani)
        after_close = await received(client, sid, auth)
        assert "sudah selesai" in texts(after_close)
        assert any(
            b["payload"].startswith("survey:start:officer_chat")
            for m in after_close
            for b in m["buttons"]
        )
        assert (await conversation(app, sid)).mode == "bot"
        bot_again = await say(client, sid, auth, text="menu")
        assert bot_again and bot_again[-1]["buttons"]
        refreshed = await handoff_of(app, conv.id)
        assert refreshed.status == "closed"
        assert refreshed.first_response_at is not None and refreshed.closed_at is not None
        async with app.sessions() as db:
            actions = [e.action for e in (await db.execute(select(AuditEntry))).scalars().all()]
        assert {"handoff.claim", "handoff.reply", "handoff.close"} <= set(actions)


async def test_transfer_and_officer_file(db_url: str, tmp_path: Path) -> None:
    from tests.contract.test_webchat_api import PNG

    async with running_app(open_settings(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        await say(client, sid, auth, text="petugas")
        conv = await conversation(app, sid)
        handoff = await handoff_of(app, conv.id)
        ani, budi = await officer(app, "ani"), await officer(app, "budi")
        await app.office.handoff.claim(handoff.id, ani)
        await app.office.handoff.transfer(handoff.id, ani, "budi")
        with pytest.raises(HandoffError):
            await app.office.handoff.reply(handoff.id, ani, "masih saya?")
        await app.office.handoff.send_file(handoff.id, budi, PNG, "contoh <b>.png")
        got = await received(client, sid, auth)
        assert "Budi" in texts(got)
        docs = [m for m in got if m.get("document")]
        assert docs and docs[-1]["document"]["mime"] == "image/png"


async def test_unclaimed_wait_times_out_into_a_ticket(db_url: str, tmp_path: Path) -> None:
    settings = open_settings(db_url, tmp_path, handoff_timeout_minutes=10)
    async with running_app(settings) as (app, client):
        sid, auth = await new_session(client)
        await say(client, sid, auth, text="petugas")
        start = datetime.now(UTC)
        app.office.handoff.clock = lambda: start + timedelta(minutes=5)
        assert await app.office.handoff.expire_waiting() == 0
        app.office.handoff.clock = lambda: start + timedelta(minutes=11)
        assert await app.office.handoff.expire_waiting() == 1
        conv = await conversation(app, sid)
        assert conv.mode == "bot"
        assert (await handoff_of(app, conv.id)).status == "ticket"
        assert "sedang sibuk" in texts(await received(client, sid, auth))
        # Still in the queue as a ticket, and an officer can take it over later.
        ani = await officer(app, "ani")
        await app.office.handoff.claim((await handoff_of(app, conv.id)).id, ani)
        assert (await conversation(app, sid)).mode == "officer"


async def test_outside_office_hours_leaves_a_ticket(db_url: str, tmp_path: Path) -> None:
    settings = settings_for(db_url, tmp_path)  # the MPP's real hours from config.yaml
    async with running_app(settings) as (app, client):
        saturday = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)  # 10.00 WIB
        app.office.handoff.clock = lambda: saturday
        sid, auth = await new_session(client)
        reply = texts(await say(client, sid, auth, text="petugas"))
        assert "Senin, 30 November 2026 pukul 08.00 WIB" in reply
        conv = await conversation(app, sid)
        assert conv.mode == "bot"
        kept = await say(client, sid, auth, text="NIB saya salah alamat, mohon dibantu")
        assert "sudah kami simpan" in texts(kept)
        ticket = await handoff_of(app, conv.id)
        assert ticket.status == "ticket"
        assert ticket.message == "NIB saya salah alamat, mohon dibantu"
        # The citizen keeps using the bot meanwhile.
        menu = await say(client, sid, auth, text="menu")
        assert menu and menu[-1]["buttons"]


async def test_wait_estimate_comes_from_recent_claims(db_url: str, tmp_path: Path) -> None:
    async with running_app(open_settings(db_url, tmp_path)) as (app, client):
        ani = await officer(app, "ani")
        now = datetime.now(UTC)
        for minutes in (4, 6, 8):
            sid, auth = await new_session(client)
            app.office.handoff.clock = lambda m=minutes: now - timedelta(minutes=m)  # type: ignore[misc]
            await say(client, sid, auth, text="petugas")
            app.office.handoff.clock = lambda: now
            conv = await conversation(app, sid)
            await app.office.handoff.claim((await handoff_of(app, conv.id)).id, ani)
        sid, auth = await new_session(client)
        reply = texts(await say(client, sid, auth, text="petugas"))
        assert "sekitar 10 menit" in reply  # median 6 min, rounded up to 5-minute steps


async def test_two_misses_in_a_row_hand_over(db_url: str, tmp_path: Path) -> None:
    async with running_app(open_settings(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        await say(client, sid, auth, text="menu")
        first = await say(client, sid, auth, text="yang kemarin itu lho")
        assert (await conversation(app, sid)).mode == "bot", texts(first)
        second = await say(client, sid, auth, text="kok begitu ya")
        assert "antrean ke-1" in texts(second)
        conv = await conversation(app, sid)
        assert conv.mode == "waiting"
        assert (await handoff_of(app, conv.id)).reason == "not_understood"


async def test_complaint_goes_to_an_officer(db_url: str, tmp_path: Path) -> None:
    async with running_app(open_settings(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        reply = await say(client, sid, auth, text="saya mau komplain, pelayanannya lambat sekali")
        assert "antrean ke-1" in texts(reply)
        conv = await conversation(app, sid)
        assert (await handoff_of(app, conv.id)).reason == "complaint"
