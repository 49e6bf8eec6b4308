"""Publishing (or rolling back) a rule version judges every open application again (issue 13
part 4): a version that changes one open application's permits notifies exactly that citizen
and flags exactly that application; nothing changes for the others."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from typer.testing import CliRunner

from bot.app import App
from bot.cli import app as cli
from permit_rules import (
    BusinessProfile,
    decision_to_json,
    default_rules_text,
    evaluate,
    load_default_rule_set,
)
from storage.models import (
    Application,
    ApplicationRecheck,
    Conversation,
    RuleSetVersion,
    TranscriptMessage,
)
from storage.models.base import utcnow
from storage.rule_sets import publish_text, seed_if_empty
from tests.contract.test_console_http import make_officer, sign_in
from tests.helpers import running_app, settings_for

pytestmark = pytest.mark.postgres

# (chat, kbli, business, status): the keripik maker's permits will change; the laundry's will
# not; the completed keripik application is not open.
CITIZENS = [
    ("keripik", "10794", {"capital": 10_000_000, "conditions": {"product": "packaged_food"}},
     "in_review"),
    ("laundry", "96100", {"capital": 30_000_000}, "submitted"),
    ("done", "10794", {"capital": 10_000_000, "conditions": {"product": "packaged_food"}},
     "completed"),
]  # fmt: skip


def rules_adding_a_document_to_spp_irt() -> str:
    """Version 2: SPP-IRT asks for one more document (only the keripik maker needs SPP-IRT)."""
    data: dict[str, Any] = yaml.safe_load(default_rules_text())
    data["permits"]["SPP_IRT"]["documents"].append("hasil uji laboratorium produk")
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


async def open_applications(app: App) -> dict[str, int]:
    """Version 1 published; one conversation and one application per citizen."""
    rules = load_default_rule_set()
    ids: dict[str, int] = {}
    async with app.sessions() as db, db.begin():
        await seed_if_empty(db)
        for n, (chat, kbli, business, status) in enumerate(CITIZENS, 1):
            now = utcnow()
            conv = Conversation(channel="webchat", chat_id=chat, state={}, created_at=now,
                                updated_at=now)  # fmt: skip
            db.add(conv)
            await db.flush()
            profile = BusinessProfile(kbli=kbli, capital=business["capital"],
                                      conditions=business.get("conditions", {}))  # fmt: skip
            decision = decision_to_json(evaluate(rules, profile, version=1))
            db.add(
                Application(
                    reference=f"SKT-2026-{n:06d}", conversation_id=conv.id, channel="webchat",
                    chat_id=chat, kbli=kbli, kbli_version="KBLI2025", decision=decision,
                    business=business, rule_set_version=1, status=status,
                    due_date=date(2026, 12, 20),
                )
            )  # fmt: skip
            ids[chat] = conv.id
    return ids


async def told(app: App) -> dict[int, list[str]]:
    async with app.sessions() as db:
        rows = (
            await db.scalars(select(TranscriptMessage).where(TranscriptMessage.direction == "out"))
        ).all()
    out: dict[int, list[str]] = {}
    for row in rows:
        out.setdefault(row.conversation_id, []).append(row.text)
    return out


async def flags(app: App) -> list[tuple[str, int, int, str]]:
    async with app.sessions() as db:
        rows = await db.execute(
            select(Application.reference, ApplicationRecheck)
            .join(ApplicationRecheck, ApplicationRecheck.application_id == Application.id)
            .order_by(ApplicationRecheck.id)
        )
        return [(ref, r.previous_version, r.rule_set_version, r.todo) for ref, r in rows]


async def test_console_publish_flags_and_tells_exactly_the_changed_application(
    db_url: str, tmp_path: Path
) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        convs = await open_applications(app)
        await make_officer(app, "ani", "admin")
        csrf = await sign_in(client, "ani")
        async with app.sessions() as db, db.begin():  # an admin's draft of version 2
            draft = RuleSetVersion(status="draft", content=rules_adding_a_document_to_spp_irt(),
                                   content_sha256="x", kbli_version="KBLI2025", created_by="ani")  # fmt: skip
            db.add(draft)
            await db.flush()
            draft_id = draft.id

        r = await client.post(f"/console/rules/drafts/{draft_id}/publish",
                              data={"csrf_token": csrf, "confirmed": "1"})  # fmt: skip
        assert r.status_code == 303, r.text

        assert await flags(app) == [("SKT-2026-000001", 1, 2, "upload")]
        messages = await told(app)
        assert list(messages) == [convs["keripik"]]  # exactly that citizen
        [message] = messages[convs["keripik"]]
        assert "SKT-2026-000001" in message and "versi 2" in message
        assert "hasil uji laboratorium produk" in message and "siapkan dokumen baru" in message

        # The officer sees the flag, old and new side by side, and marks it seen.
        listing = await client.get("/console/rechecks")
        assert "SKT-2026-000001" in listing.text and "SKT-2026-000002" not in listing.text
        async with app.sessions() as db:
            recheck_id = (await db.scalars(select(ApplicationRecheck.id))).one()
        detail = await client.get(f"/console/rechecks/{recheck_id}")
        assert "Versi 1" in detail.text and "Versi 2" in detail.text
        assert "hasil uji laboratorium produk" in detail.text
        seen = await client.post(f"/console/rechecks/{recheck_id}/seen", data={"csrf_token": csrf})
        assert seen.status_code == 303
        assert "SKT-2026-000001" not in (await client.get("/console/rechecks")).text
        forged = await client.post(f"/console/rechecks/{recheck_id}/seen", data={})
        assert forged.status_code == 403

        # Rolling back to version 1 changes it back: the same citizen hears again, the history
        # grows; the application still says the version it was judged by.
        r = await client.post(
            "/console/rules/rollback", data={"csrf_token": csrf, "number": 1, "confirmed": "1"}
        )
        assert r.status_code == 303
        assert await flags(app) == [
            ("SKT-2026-000001", 1, 2, "upload"),
            ("SKT-2026-000001", 2, 3, "nothing"),
        ]
        messages = await told(app)
        assert list(messages) == [convs["keripik"]] and len(messages[convs["keripik"]]) == 2
        assert "Tidak ada yang perlu" in messages[convs["keripik"]][1]
        async with app.sessions() as db:
            versions = (await db.scalars(select(Application.rule_set_version))).all()
        assert set(versions) == {1}


async def test_cli_publish_rechecks_too_and_an_unchanged_version_touches_nothing(
    db_url: str, tmp_path: Path
) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, _client):
        convs = await open_applications(app)
        same = tmp_path / "same.yaml"
        same.write_text(default_rules_text(), encoding="utf-8")
        env = {"SIKETAN__DATABASE__URL": db_url}
        res = await asyncio.to_thread(CliRunner().invoke, cli, ["rules", "publish", str(same)],
                                      env=env)  # fmt: skip
        assert res.exit_code == 0, res.output
        assert "2 permohonan terbuka dicek ulang dengan versi 2" in res.output
        assert await flags(app) == [] and await told(app) == {}

        changed = tmp_path / "changed.yaml"
        changed.write_text(rules_adding_a_document_to_spp_irt(), encoding="utf-8")
        res = await asyncio.to_thread(CliRunner().invoke, cli, ["rules", "publish", str(changed)],
                                      env=env)  # fmt: skip
        assert res.exit_code == 0, res.output
        assert (
            "keputusan berubah (petugas ditandai, warga diberi tahu): SKT-2026-000001" in res.output
        )
        # compared with the decision it was last judged by (version 1: version 2 changed nothing)
        assert await flags(app) == [("SKT-2026-000001", 1, 3, "upload")]
        assert list(await told(app)) == [convs["keripik"]]


async def test_an_old_kbli_2020_application_is_judged_by_its_converted_code(
    sessions: Any,
) -> None:
    from office.live import LiveHub
    from office.notifications import Notifications
    from office.rechecks import RecheckService

    async with sessions() as db, db.begin():
        await seed_if_empty(db)
        now = utcnow()
        conv = Conversation(channel="webchat", chat_id="old", state={}, created_at=now,
                            updated_at=now)  # fmt: skip
        db.add(conv)
        await db.flush()
        db.add(
            Application(
                reference="SKT-2026-000009", conversation_id=conv.id, channel="webchat",
                chat_id="old", kbli="56102", kbli_version="KBLI2020",
                decision={"risk_level": "rendah", "permits": [{"code": "NIB", "name": "NIB"}]},
                business={"capital": 50_000_000}, rule_set_version=1, status="submitted",
                due_date=date(2026, 12, 20),
            )
        )  # fmt: skip
        await publish_text(db, default_rules_text(), by="ani")
        outcome = await RecheckService(Notifications(LiveHub(), lambda _c: True)).after_publish(db)
        assert outcome.changed == ("SKT-2026-000009",)
        recheck = (await db.scalars(select(ApplicationRecheck))).one()
    # KBLI 2020 56102 (warung) is judged as KBLI 2025 56101, never as 2025 56102
    after = recheck.after
    assert (after["kbli"], after["kbli_version"]) == ("56101", "KBLI2025")
    assert after["converted_from"] == {"kbli": "56102", "kbli_version": "KBLI2020"}
    assert after["kbli_title"] == "Aktivitas Penyediaan Makanan di Bangunan Tetap"
    assert recheck.changes["risk_before"] == "rendah" and recheck.changes["risk_after"] is None
