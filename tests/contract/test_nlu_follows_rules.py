"""Everyday words an admin publishes reach KBLI matching in a running server process."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import build_app
from permit_rules import default_rules_text
from storage import rule_sets
from storage.migrate import upgrade_database
from tests.helpers import settings_for

pytestmark = pytest.mark.postgres

NEW_WORD = "zunzun qibly"  # made up: no title, description or word matches it yet


async def top_codes(app, word: str) -> list[str]:  # type: ignore[no-untyped-def]
    question = f"sy mau buka usaha {word}, izinnya apa aja ya?"
    return [c["code"] for c in (await app.understanding(question))["kbli"][:3]]


async def test_published_everyday_word_reaches_kbli_matching(db_url: str, tmp_path: Path) -> None:
    await upgrade_database(db_url)
    app = build_app(settings_for(db_url, tmp_path))
    stop = asyncio.Event()
    try:
        await app.understanding.warm()
        task = asyncio.create_task(app.understanding.follow_rules(app.sessions, stop, interval=0.1))
        assert "56303" not in await top_codes(app, NEW_WORD)

        rules = default_rules_text()
        marker = 'everyday_words: ["'
        at = rules.index(marker, rules.index("56303"))
        edited = rules[: at + len(marker)] + NEW_WORD + '", "' + rules[at + len(marker) :]
        async with app.sessions() as session, session.begin():
            await rule_sets.seed_if_empty(session)
            number = await rule_sets.publish_text(session, edited, by="admin")
        assert number == 2

        for _ in range(100):
            if (await top_codes(app, NEW_WORD))[:1] == ["56303"]:
                break
            await asyncio.sleep(0.1)
        assert (await top_codes(app, NEW_WORD))[:1] == ["56303"]
        stop.set()
        await task
    finally:
        stop.set()
        await app.stop()
