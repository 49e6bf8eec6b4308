"""Builds the NLU the dialogs use, from settings (`nlu.backend`: embedded or rasa)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.settings import Settings

log = logging.getLogger(__name__)


class Understanding:
    """Callable NLU for the dialogs. The embedded model loads once, on `warm()` or first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._engine: Any = None
        self._rasa: Any = None
        self._lock = asyncio.Lock()

    async def warm(self) -> None:
        async with self._lock:
            if self._engine is None:
                self._engine = await asyncio.to_thread(self._build)

    def _build(self) -> Any:
        import nlu
        from permit_rules import load_everyday_words

        engine = nlu.build_default_engine(
            self._settings.nlu.model_path, everyday_words=load_everyday_words()
        )
        if self._settings.nlu.backend == "rasa":
            from nlu.rasa_backend import RasaHttpParser

            self._rasa = RasaHttpParser(self._settings.nlu.rasa_url, fallback=engine)
        return engine

    async def follow_rules(
        self,
        sessions: async_sessionmaker[AsyncSession],
        stop: asyncio.Event,
        interval: float = 5.0,
    ) -> None:
        """Keep KBLI matching on the published rule set's everyday words and active catalog.

        Admins add words and import catalogs from the console; every server process polls the
        database for a new version and rebuilds its matcher in a thread, then swaps it in (once
        at start too: the database's rules may differ from the repository's).
        """
        from nlu import KbliMatcher
        from nlu.engine import merged_everyday_words
        from storage import rule_sets

        await self.warm()
        seen: tuple[str, str] | None = None
        while not stop.is_set():
            try:
                async with sessions() as session:
                    fingerprint = await rule_sets.active_fingerprint(session)
                if fingerprint != seen:
                    async with sessions() as session, session.begin():
                        _number, rules = await rule_sets.active_version(session)
                        catalog = await rule_sets.active_catalog(session)
                    words = merged_everyday_words(rules.everyday_words())
                    self._engine.kbli = await asyncio.to_thread(KbliMatcher, catalog, words)
                    log.info("KBLI matching follows %s and the published rules", catalog.version)
                    seen = fingerprint
            except Exception:
                log.exception("could not refresh KBLI matching from the published rules")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval)

    async def __call__(self, text: str) -> Mapping[str, Any]:
        if self._engine is None:
            await self.warm()
        if self._rasa is not None:
            return dict((await self._rasa.parse(text)).to_dict())
        return dict(self._engine.parse(text).to_dict())


def build_understanding(settings: Settings) -> Understanding:
    return Understanding(settings)
