"""`nlu.backend: rasa`: send parses to a Rasa server's `POST /model/parse`.

On any HTTP failure the embedded parser answers instead (and the failure is logged). KBLI
candidates and language always come from the embedded engine, since Rasa does not produce them.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from nlu.engine import NluEngine
from nlu.normalize import clean
from nlu.types import Entity, IntentScore, Language, ParseResult

log = logging.getLogger(__name__)


def _result_from_rasa(text: str, payload: dict[str, Any], fallback: ParseResult) -> ParseResult:
    intent_raw = payload.get("intent") or {}
    name = intent_raw.get("name")
    intent = IntentScore(
        str(name) if name else "out_of_scope", float(intent_raw.get("confidence") or 0.0)
    )
    ranking = tuple(
        IntentScore(str(r.get("name")), float(r.get("confidence") or 0.0))
        for r in payload.get("intent_ranking") or []
        if r.get("name")
    )
    entities = tuple(
        Entity(
            str(e.get("entity")),
            e.get("value")
            if isinstance(e.get("value"), (str, int, float))
            else str(e.get("value")),
            int(e.get("start") or 0),
            int(e.get("end") or 0),
            float(e.get("confidence_entity", e.get("confidence")) or 1.0),
            str(e.get("extractor") or "rasa"),
        )
        for e in payload.get("entities") or []
        if e.get("entity")
    )
    language: Language = fallback.language
    kbli = fallback.kbli if intent.name in {"ask_requirements", "inform_business",
                                            "apply_permit"} else ()  # fmt: skip
    return ParseResult(
        text, intent, ranking or (intent,), entities, kbli or fallback.kbli, language
    )


class RasaHttpParser:
    """Async parser that asks a Rasa server and falls back to the embedded engine."""

    def __init__(
        self,
        rasa_url: str,
        fallback: NluEngine,
        *,
        timeout: float = 3.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = rasa_url.rstrip("/") + "/model/parse"
        self.fallback = fallback
        self.timeout = timeout
        self._client = client
        self.failures = 0

    async def parse(self, text: str) -> ParseResult:
        text = text if isinstance(text, str) else str(text)
        local = self.fallback.parse(text)
        try:
            payload = await self._post({"text": clean(text)})
        except (httpx.HTTPError, ValueError, TypeError) as exc:
            self.failures += 1
            log.warning("Rasa parse at %s failed (%s); using the embedded parser", self.url, exc)
            return local
        try:
            return _result_from_rasa(text, payload, local)
        except (TypeError, ValueError, AttributeError) as exc:
            self.failures += 1
            log.warning("Rasa answered an unexpected shape (%s); using the embedded parser", exc)
            return local

    async def _post(self, body: dict[str, str]) -> dict[str, Any]:
        if self._client is not None:
            resp = await self._client.post(self.url, json=body, timeout=self.timeout)
        else:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                resp = await client.post(self.url, json=body)
        resp.raise_for_status()
        data = resp.json()
        if not isinstance(data, dict):
            raise ValueError("Rasa answer is not a JSON object")
        return data

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
