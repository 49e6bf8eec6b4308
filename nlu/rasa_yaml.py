"""Reader for Rasa's NLU training-data YAML (version 2.0/3.x).

Understands `intent` blocks with `examples` (a `- ` list in a block string, or a list of
`{text: ...}` mappings), inline entity annotations `[text](entity)`, `[text](entity:value)` and
`[text]{"entity": ..., "value": ..., "role": ..., "group": ...}`, and the `synonym`, `regex` and
`lookup` blocks. Other top-level keys (responses, stories, rules...) are ignored.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml


class RasaDataError(ValueError):
    """The file is not valid Rasa NLU YAML."""


@dataclass(frozen=True, slots=True)
class AnnotatedEntity:
    entity: str
    value: str
    start: int
    end: int
    role: str | None = None
    group: str | None = None


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    intent: str
    entities: tuple[AnnotatedEntity, ...] = ()


@dataclass(slots=True)
class TrainingData:
    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)  # variant (lowercase) -> canonical
    regexes: dict[str, list[str]] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        return sorted({e.intent for e in self.examples})

    def merge(self, other: TrainingData) -> TrainingData:
        self.examples.extend(other.examples)
        self.synonyms.update(other.synonyms)
        for name, patterns in other.regexes.items():
            self.regexes.setdefault(name, []).extend(patterns)
        for name, items in other.lookups.items():
            self.lookups.setdefault(name, []).extend(items)
        return self

    def by_intent(self) -> dict[str, list[Example]]:
        out: dict[str, list[Example]] = {}
        for ex in self.examples:
            out.setdefault(ex.intent, []).append(ex)
        return out


_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+?)\](?:\((?P<simple>[^)]+)\)|(?P<json>\{[^}]*\}))")


def parse_annotated(raw: str, intent: str = "") -> Example:
    """'show me [chines]{"entity": "cuisine", "value": "chinese"} food' -> Example."""
    plain: list[str] = []
    entities: list[AnnotatedEntity] = []
    pos = 0
    length = 0
    for m in _ANNOTATION.finditer(raw):
        before = raw[pos : m.start()]
        plain.append(before)
        length += len(before)
        surface = m.group("text")
        start, end = length, length + len(surface)
        plain.append(surface)
        length = end
        pos = m.end()
        role = group = None
        if m.group("simple") is not None:
            name, _, value = m.group("simple").partition(":")
            entity, value = name.strip(), (value.strip() or surface)
        else:
            try:
                spec = json.loads(m.group("json"))
            except json.JSONDecodeError as exc:
                raise RasaDataError(f"bad entity annotation {m.group(0)!r}: {exc}") from exc
            if not isinstance(spec, dict) or "entity" not in spec:
                raise RasaDataError(f"entity annotation without 'entity': {m.group(0)!r}")
            entity = str(spec["entity"])
            value = str(spec.get("value", surface))
            role = str(spec["role"]) if "role" in spec else None
            group = str(spec["group"]) if "group" in spec else None
        entities.append(AnnotatedEntity(entity, value, start, end, role, group))
    plain.append(raw[pos:])
    return Example("".join(plain).strip(), intent, tuple(entities))


def _example_lines(block: Any) -> list[str]:
    if block is None:
        return []
    if isinstance(block, str):
        lines = []
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("- "):
                lines.append(line[2:].strip())
            elif line == "-":
                continue
            elif line:
                raise RasaDataError(f"example line does not start with '- ': {line!r}")
        return lines
    if isinstance(block, list):
        out = []
        for item in block:
            if isinstance(item, dict) and "text" in item:
                out.append(str(item["text"]).strip())
            elif isinstance(item, str):
                out.append(item.strip())
            else:
                raise RasaDataError(f"unsupported example item: {item!r}")
        return out
    raise RasaDataError(f"unsupported examples block: {type(block).__name__}")


def parse_rasa_yaml(text: str) -> TrainingData:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RasaDataError(f"not valid YAML: {exc}") from exc
    data = TrainingData()
    if doc is None:
        return data
    if not isinstance(doc, dict):
        raise RasaDataError("a Rasa data file is a mapping with an 'nlu' key")
    items = doc.get("nlu") or []
    if not isinstance(items, list):
        raise RasaDataError("'nlu' must be a list")
    for item in items:
        if not isinstance(item, dict):
            raise RasaDataError(f"unsupported nlu item: {item!r}")
        examples = _example_lines(item.get("examples"))
        if "intent" in item:
            intent = str(item["intent"])
            data.examples.extend(parse_annotated(line, intent) for line in examples)
        elif "synonym" in item:
            canonical = str(item["synonym"])
            for line in examples:
                data.synonyms[line.lower()] = canonical
        elif "regex" in item:
            data.regexes.setdefault(str(item["regex"]), []).extend(examples)
        elif "lookup" in item:
            data.lookups.setdefault(str(item["lookup"]), []).extend(examples)
        else:
            raise RasaDataError(f"unknown nlu item keys: {sorted(item)}")
    # Rasa also turns `[chines]{"value": "chinese"}` annotations into synonyms.
    for ex in data.examples:
        for ent in ex.entities:
            surface = ex.text[ent.start : ent.end]
            if surface != ent.value:
                data.synonyms.setdefault(surface.lower(), ent.value)
    return data


def load_rasa_file(path: Path) -> TrainingData:
    return parse_rasa_yaml(path.read_text(encoding="utf-8"))


def load_rasa_files(paths: Iterable[Path]) -> TrainingData:
    data = TrainingData()
    for path in paths:
        if path.is_dir():
            data.merge(load_rasa_files(sorted(p for p in path.rglob("*.yml") if p.is_file())))
        else:
            data.merge(load_rasa_file(path))
    return data
