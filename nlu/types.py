"""Result types: the shape of Rasa's `POST /model/parse` plus KBLI candidates and language."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Language = Literal["id", "en"]

INTENTS: tuple[str, ...] = (
    "greet",
    "goodbye",
    "thanks",
    "affirm",
    "deny",
    "ask_requirements",
    "inform_business",
    "apply_permit",
    "check_status",
    "ask_documents",
    "ask_cost",
    "ask_duration",
    "ask_office_info",
    "talk_to_human",
    "complaint",
    "change_language",
    "help",
    "cancel",
    "out_of_scope",
)

ENTITY_TYPES: tuple[str, ...] = (
    "money",
    "area",
    "count",
    "nik",
    "phone",
    "email",
    "reference",
    "kecamatan",
    "kelurahan",
    "date",
)


@dataclass(frozen=True, slots=True)
class IntentScore:
    name: str
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "confidence": self.confidence}


@dataclass(frozen=True, slots=True)
class Entity:
    entity: str
    value: str | int | float
    start: int
    end: int
    confidence: float = 1.0
    extractor: str = "siketan"

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "confidence": self.confidence,
        }


@dataclass(frozen=True, slots=True)
class KbliCandidate:
    code: str
    title: str
    score: float
    # The KBLI version of `code` (e.g. "KBLI2025"): the same digits mean other activities in
    # other versions.
    version: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "score": self.score,
            "version": self.version,
        }


@dataclass(frozen=True, slots=True)
class ParseResult:
    text: str
    intent: IntentScore
    intent_ranking: tuple[IntentScore, ...] = ()
    entities: tuple[Entity, ...] = ()
    kbli: tuple[KbliCandidate, ...] = ()
    language: Language = "id"

    def to_dict(self) -> dict[str, Any]:
        """The exact JSON shape of Rasa's `/model/parse`, plus `kbli` and `language`."""
        return {
            "text": self.text,
            "intent": self.intent.to_dict(),
            "intent_ranking": [i.to_dict() for i in self.intent_ranking],
            "entities": [e.to_dict() for e in self.entities],
            "kbli": [k.to_dict() for k in self.kbli],
            "language": self.language,
        }

    def entity_values(self, name: str) -> list[str | int | float]:
        return [e.value for e in self.entities if e.entity == name]
