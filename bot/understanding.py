"""Builds the NLU the dialogs use, from settings (`nlu.backend`: embedded or rasa)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from bot.settings import Settings


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

    async def __call__(self, text: str) -> Mapping[str, Any]:
        if self._engine is None:
            await self.warm()
        if self._rasa is not None:
            return dict((await self._rasa.parse(text)).to_dict())
        return dict(self._engine.parse(text).to_dict())


def build_understanding(settings: Settings) -> Understanding:
    return Understanding(settings)
