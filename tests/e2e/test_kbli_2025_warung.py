"""The warung case end to end (issue 13): a citizen describing a warung in the web chat gets
KBLI 2025 56101 and is never sent to 56102 as a warung (56102 is food from a non-permanent
building in KBLI 2025; it was "Rumah/Warung Makan" in KBLI 2020)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from storage.models import RequirementCheck
from tests.helpers import new_session, running_app, settings_for

pytestmark = pytest.mark.postgres


class WebCitizen:
    def __init__(self, client: httpx.AsyncClient, sid: str, auth: dict[str, str]) -> None:
        self.client, self.url, self.auth = client, f"/api/webchat/sessions/{sid}/messages", auth
        self.messages: list[dict[str, Any]] = []

    async def send(self, **body: str) -> str:
        r = await self.client.post(self.url, json=body, headers=self.auth)
        assert r.status_code == 200, r.text
        self.messages = r.json()["messages"]
        return "\n".join(m["text"] for m in self.messages)

    @property
    def buttons(self) -> dict[str, str]:
        return {b["payload"]: b["title"] for m in self.messages for b in m.get("buttons") or []}


async def test_a_warung_gets_kbli_2025_56101_never_56102(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        sid, auth = await new_session(client)
        citizen = WebCitizen(client, sid, auth)
        await citizen.send(text="halo, saya mau buka warung makan di depan rumah")

        offered = citizen.buttons
        assert offered.get("kbli:56101") == "Aktivitas Penyediaan Makanan di Bangunan Tetap"
        # 56102 may be offered only for what it is now, never under a warung's name
        assert offered.get("kbli:56102") in (
            None,
            "Aktivitas Penyediaan Makanan di Bangunan Tidak Tetap",
        )
        assert not any("warung" in title.lower() for code, title in offered.items()
                       if code == "kbli:56102")  # fmt: skip

        await citizen.send(payload="kbli:56101")
        await citizen.send(payload="running:new")
        answer = await citizen.send(text="modal 50 juta")
        assert "KBLI 56101" in answer and "KBLI 56102" not in answer
        assert "Aktivitas Penyediaan Makanan di Bangunan Tetap" in answer
        assert "Rumah/Warung Makan" not in answer  # the KBLI 2020 title is gone
        assert "PP 28/2025" in answer  # the regulation in force
        assert "menu:officer" in citizen.buttons  # the risk level waits for an officer

        async with app.sessions() as db:
            [check] = (await db.scalars(select(RequirementCheck))).all()
        assert (check.kbli, check.kbli_version) == ("56101", "KBLI2025")
