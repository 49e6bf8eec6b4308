"""Migration 0006: every stored KBLI code gains its version; rows from before KBLI 2025 keep their
KBLI 2020 digits labelled as KBLI 2020 (issue 13 part 1). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from dialogs.ports import Owner
from storage.applications import SqlApplicationRepository
from storage.db import create_engine, session_factory
from storage.migrate import upgrade_database
from storage.models import Base

pytestmark = pytest.mark.postgres

NOW = "2026-06-01 08:00:00+00:00"
CONV = (
    "INSERT INTO conversations (id, channel, chat_id, mode, locale, state, sender_name, blocked,"
    " created_at, updated_at) VALUES (:id, 'webchat', :chat, 'bot', 'id', :state, '', false,"
    f" '{NOW}', '{NOW}')"
)
APP = (
    "INSERT INTO applications (reference, conversation_id, channel, chat_id, locale, applicant,"
    " business, location, kbli, kbli_title, decision, rule_set_version, status, status_note,"
    " due_date, permit_number, result_document, receipt_document, created_at, updated_at)"
    " VALUES (:ref, 1, 'webchat', 'c1', 'id', '{}', '{}', '{}', :kbli, :title, :decision, 1,"
    f" :status, '', '2026-06-10', '', '', '', '{NOW}', '{NOW}')"
)
CHECK = (
    "INSERT INTO requirement_checks (conversation_id, channel, kbli, rule_set_version, scale,"
    f" risk_level, needs_officer, created_at) VALUES (1, 'webchat', :kbli, 1, 'mikro', NULL,"
    f" false, '{NOW}')"
)


async def test_existing_codes_are_labelled_kbli_2020_and_keep_their_digits(db_url: str) -> None:
    await upgrade_database(db_url, "0005_admin")
    engine = create_engine(db_url)
    mid_guide = {"step": "capital", "data": {"kbli": "56102", "kbli_title": "Rumah/Warung Makan"}}
    async with engine.begin() as conn:
        await conn.execute(text(CONV), {"id": 1, "chat": "c1", "state": json.dumps(mid_guide)})
        await conn.execute(
            text(CONV), {"id": 2, "chat": "c2", "state": json.dumps({"step": "menu"})}
        )
        for ref, kbli, status in (("SKT-2026-000001", "56102", "submitted"),
                                  ("SKT-2026-000002", "96200", "completed")):  # fmt: skip
            decision = json.dumps({"kbli": kbli, "kbli_version": "KBLI2020"})
            await conn.execute(
                text(APP),
                {"ref": ref, "kbli": kbli, "title": "Rumah/Warung Makan", "decision": decision,
                 "status": status},
            )  # fmt: skip
        await conn.execute(text(CHECK), {"kbli": "56102"})
    await engine.dispose()

    await upgrade_database(db_url)

    engine = create_engine(db_url)
    async with engine.connect() as conn:
        apps = (await conn.execute(text("SELECT kbli, kbli_version FROM applications"))).all()
        checks = (
            await conn.execute(text("SELECT kbli, kbli_version FROM requirement_checks"))
        ).all()
        states = dict((await conn.execute(text("SELECT id, state FROM conversations"))).all())
    assert sorted(apps) == [("56102", "KBLI2020"), ("96200", "KBLI2020")]
    assert checks == [("56102", "KBLI2020")]
    state: Any = states[1] if isinstance(states[1], dict) else json.loads(states[1])
    assert state["data"] == {**mid_guide["data"], "kbli_version": "KBLI2020"}
    other: Any = states[2] if isinstance(states[2], dict) else json.loads(states[2])
    assert other == {"step": "menu"}  # no code, nothing labelled

    # The repository shows the stored version with the code, to the citizen who applied.
    async with session_factory(engine)() as session:
        view = await SqlApplicationRepository(session).find(
            "SKT-2026-000001", Owner("webchat", "c1")
        )
    assert view is not None and (view.kbli, view.kbli_version) == ("56102", "KBLI2020")

    # A new row must say its version: no default stays behind.
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(text(CHECK), {"kbli": "56101"})

    def diff(sync: Connection) -> list[Any]:
        return compare_metadata(MigrationContext.configure(sync), Base.metadata)

    async with engine.connect() as conn:
        changes = await conn.run_sync(diff)
    mine = [c for c in changes if "kbli" in repr(c)]
    assert mine == []  # the models and the migration agree on every KBLI column and table
    await engine.dispose()
