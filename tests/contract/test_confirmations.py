"""Officer-confirmed risk (issue 13 part 3): a request in the officers' own queue, the officer's
determination told to the citizen at once and turned into a draft rule row, which an admin
publishes; then the next citizen with the same profile gets the answer directly."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import App
from permit_rules import BusinessProfile, RiskLevel, RuleSet, decision_to_json, evaluate
from storage import confirmations as repo
from storage.models import Conversation, RiskConfirmation, RuleSetVersion, TranscriptMessage
from storage.models.base import utcnow
from storage.rule_sets import active_version, seed_if_empty
from tests.contract.test_console_http import make_officer, sign_in
from tests.helpers import running_app, settings_for

pytestmark = pytest.mark.postgres

LAUNDRY = BusinessProfile(kbli="96100", capital=30_000_000)


async def a_request(app: App, chat: str = "c1") -> int:
    """What the citizen's tap stores (the dialog's part is tested with the tap)."""
    async with app.sessions() as db, db.begin():
        number, rules = await active_version(db)
        now = utcnow()
        conv = Conversation(channel="webchat", chat_id=chat, state={}, created_at=now,
                            updated_at=now)  # fmt: skip
        db.add(conv)
        await db.flush()
        decision = decision_to_json(evaluate(rules, LAUNDRY, version=number))
        row, new = await repo.record_request(
            db,
            repo.NewRequest(
                conversation_id=conv.id, channel="webchat", chat_id=chat, locale="id",
                kbli="96100", kbli_version="KBLI2025", kbli_title=decision["kbli_title"],
                scale="mikro", profile={"capital": 30_000_000, "kecamatan": "Mayangan"},
                hints=decision["officer_hints"], decision=decision, rule_set_version=number,
                due_date=date.today() + timedelta(days=5),
            ),
        )  # fmt: skip
        assert new
        return row.id


async def test_officer_answers_citizen_is_told_draft_published_next_citizen_answered(
    db_url: str, tmp_path: Path
) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, client):
        async with app.sessions() as db, db.begin():
            await seed_if_empty(db)
            number, rules = await active_version(db)
        before = evaluate(rules, LAUNDRY, version=number)
        assert before.needs_officer and before.risk_level is None
        request_id = await a_request(app)
        await make_officer(app, "budi")
        await make_officer(app, "ani", "admin")

        # The officer's own queue, apart from live chats, with the request's age.
        csrf = await sign_in(client, "budi")
        queue = await client.get("/console/confirmations")
        assert f"#{request_id}" in queue.text and "KBLI 2025 96100" in queue.text
        assert "0 jam" in queue.text
        task = await client.get(f"/console/confirmations/{request_id}")
        assert "Mayangan" in task.text and "Rendah" in task.text  # profile and the choices

        # Where it was checked is required; a bad level is refused; nothing is stored.
        r = await client.post(f"/console/confirmations/{request_id}",
                              data={"csrf_token": csrf, "risk_level": "rendah"})  # fmt: skip
        assert r.status_code == 422 and "Tulis di mana" in r.text
        r = await client.post(f"/console/confirmations/{request_id}",
                              data={"csrf_token": csrf, "risk_level": "x", "checked_where": "OSS"})  # fmt: skip
        assert r.status_code == 422
        r = await client.post(
            f"/console/confirmations/{request_id}",
            data={"csrf_token": csrf, "risk_level": "menengah_rendah",
                  "checked_where": "OSS, dicek 2 Des 2026", "permits": ["SLHS"]},
        )  # fmt: skip
        assert r.status_code == 303, r.text

        async with app.sessions() as db:
            row = (await db.scalars(select(RiskConfirmation))).one()
            told = (
                await db.scalars(
                    select(TranscriptMessage.text).where(
                        TranscriptMessage.conversation_id == row.conversation_id,
                        TranscriptMessage.direction == "out",
                    )
                )
            ).all()
            draft = await db.get(RuleSetVersion, row.draft_id)
        assert row.status == "answered" and row.answered_by == "budi"
        [message] = told  # the citizen is told at once, on their channel
        assert f"#{request_id}" in message and "Menengah rendah" in message
        assert "OSS, dicek 2 Des 2026" in message and "setelah diperiksa admin" in message
        assert draft is not None and draft.status == "draft"
        drafted = RuleSet.from_yaml(draft.content)
        [rule] = drafted.activity_for("96100").risk_rules  # type: ignore[union-attr]
        assert rule.risk_level is RiskLevel.MENENGAH_RENDAH and rule.extra_permits == ("SLHS",)
        assert rule.when.scale is not None and [s.value for s in rule.when.scale] == ["mikro"]
        assert "OSS, dicek 2 Des 2026" in rule.legal_basis.source
        assert not rule.verified  # the admin verifies before publishing
        # answered twice: refused
        again = await client.post(
            f"/console/confirmations/{request_id}",
            data={"csrf_token": csrf, "risk_level": "rendah", "checked_where": "OSS"},
        )
        assert again.status_code == 409

        # The admin reviews the draft, marks the row checked and publishes it.
        admin_csrf = await sign_in(client, "ani")
        path = f"activities[{[a.kbli for a in drafted.activities].index('96100')}].risk_rules[0]"
        r = await client.post(f"/console/rules/drafts/{row.draft_id}/verify",
                              data={"csrf_token": admin_csrf, "path": path, "checked": "1"})  # fmt: skip
        assert r.status_code == 303, r.text
        r = await client.post(f"/console/rules/drafts/{row.draft_id}/publish",
                              data={"csrf_token": admin_csrf, "confirmed": "1"})  # fmt: skip
        assert r.status_code == 303, r.text
        listing = await client.get("/console/confirmations")
        assert "terbit di versi 2" in listing.text

        # The next citizen with the same profile gets the answer directly.
        async with app.sessions() as db, db.begin():
            number, rules = await active_version(db)
        after = evaluate(rules, BusinessProfile(kbli="96100", capital=10_000_000), version=number)
        assert number == 2 and after.risk_level is RiskLevel.MENENGAH_RENDAH
        assert not after.needs_officer
        assert {"SS_MANDIRI", "SLHS"} <= {p.code for p in after.permits}
        # ...but not a business of another scale: that level was confirmed for mikro only
        small = evaluate(rules, BusinessProfile(kbli="96100", capital=2 * 10**9), version=number)
        assert small.risk_level is None and small.needs_officer


async def test_a_second_tap_while_open_is_the_same_request(db_url: str, tmp_path: Path) -> None:
    async with running_app(settings_for(db_url, tmp_path)) as (app, _client):
        async with app.sessions() as db, db.begin():
            await seed_if_empty(db)
        first = await a_request(app, "c1")
        async with app.sessions() as db, db.begin():
            row = await repo.get_request(db, first)
            assert row is not None
            same, new = await repo.record_request(
                db,
                repo.NewRequest(
                    conversation_id=row.conversation_id, channel="webchat", chat_id="c1",
                    locale="id", kbli="96100", kbli_version="KBLI2025", kbli_title="",
                    scale="mikro", profile={}, hints=[], decision={}, rule_set_version=1,
                    due_date=date.today(),
                ),
            )  # fmt: skip
        assert (same.id, new) == (first, False)


async def test_figures_per_month(sessions: async_sessionmaker[AsyncSession]) -> None:
    from datetime import UTC, datetime

    from office.confirmations import monthly_figures
    from storage.models import RequirementCheck

    def at(day: str, hour: int = 3) -> datetime:  # 03:00 UTC = 10:00 in Probolinggo
        return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)

    async with sessions() as db, db.begin():
        now = utcnow()
        conv = Conversation(channel="webchat", chat_id="m", state={}, created_at=now,
                            updated_at=now)  # fmt: skip
        db.add(conv)
        await db.flush()
        for day, officer in (("2026-11-03", True), ("2026-11-04", False), ("2026-11-05", True),
                             ("2026-11-30", False), ("2026-12-01", True)):  # fmt: skip
            db.add(RequirementCheck(channel="webchat", kbli="96100", kbli_version="KBLI2025",
                                    rule_set_version=1, needs_officer=officer, created_at=at(day)))  # fmt: skip
        for asked, answered, due in (("2026-11-03", "2026-11-04", "2026-11-10"),
                                     ("2026-11-05", "2026-11-12", "2026-11-10"),
                                     ("2026-12-01", None, "2026-12-08")):  # fmt: skip
            db.add(
                RiskConfirmation(
                    conversation_id=conv.id, channel="webchat", chat_id="m", kbli="96100",
                    kbli_version="KBLI2025", rule_set_version=1, requested_at=at(asked),
                    answered_at=at(answered, 5) if answered else None,
                    status="answered" if answered else "open", due_date=date.fromisoformat(due),
                )
            )  # fmt: skip
    async with sessions() as db:
        figures = await monthly_figures(db, date(2026, 11, 1), date(2026, 12, 31))
    nov, dec = figures
    assert (nov.month, nov.decisions, nov.needed_officer) == ("2026-11", 4, 2)
    assert nov.officer_share == 50.0
    assert (nov.requested, nov.answered, nov.answered_on_time) == (2, 2, 1)
    assert (nov.median_hours, nov.mean_hours) == (98.0, 98.0)  # 26 h and 170 h
    assert (dec.decisions, dec.needed_officer, dec.requested, dec.answered) == (1, 1, 1, 0)
    assert dec.median_hours is None
