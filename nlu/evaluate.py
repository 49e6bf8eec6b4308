"""Held-out evaluation: intent accuracy, macro-F1, confusion, KBLI top-1/top-3."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from nlu.rasa_yaml import load_rasa_file
from nlu.types import ParseResult

TEST_DIR = Path(__file__).resolve().parent / "data" / "test"
TEST_INTENTS = TEST_DIR / "test_intents.yml"
TEST_KBLI = TEST_DIR / "test_kbli.yml"


@dataclass(frozen=True, slots=True)
class KbliItem:
    text: str
    codes: tuple[str, ...]


@dataclass
class EvaluationReport:
    n_intent: int
    accuracy: float
    macro_f1: float
    per_intent: dict[str, dict[str, float]]
    confusion: dict[str, dict[str, int]]
    n_kbli: int
    kbli_top1: float
    kbli_top3: float
    errors: list[dict[str, str]] = field(default_factory=list)
    kbli_misses: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "intent": {
                "n": self.n_intent,
                "accuracy": round(self.accuracy, 4),
                "macro_f1": round(self.macro_f1, 4),
                "per_intent": self.per_intent,
                "confusion": self.confusion,
                "errors": self.errors,
            },
            "kbli": {
                "n": self.n_kbli,
                "top1": round(self.kbli_top1, 4),
                "top3": round(self.kbli_top3, 4),
                "misses": self.kbli_misses,
            },
        }


def load_kbli_items(path: Path = TEST_KBLI) -> list[KbliItem]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return [
        KbliItem(str(item["text"]), tuple(str(c) for c in item["codes"]))
        for item in raw.get("items", [])
    ]


def evaluate(
    parse: Callable[[str], ParseResult],
    intents_file: Path = TEST_INTENTS,
    kbli_file: Path = TEST_KBLI,
    kbli_match: Callable[[str], list[str]] | None = None,
) -> EvaluationReport:
    data = load_rasa_file(intents_file)
    gold: list[str] = []
    pred: list[str] = []
    errors: list[dict[str, str]] = []
    for ex in data.examples:
        got = parse(ex.text).intent.name
        gold.append(ex.intent)
        pred.append(got)
        if got != ex.intent:
            errors.append({"text": ex.text, "expected": ex.intent, "predicted": got})
    labels = sorted(set(gold) | set(pred))
    confusion: dict[str, dict[str, int]] = {g: {} for g in labels}
    for g, p in zip(gold, pred, strict=True):
        confusion[g][p] = confusion[g].get(p, 0) + 1
    tp = Counter(g for g, p in zip(gold, pred, strict=True) if g == p)
    n_gold = Counter(gold)
    n_pred = Counter(pred)
    per_intent: dict[str, dict[str, float]] = {}
    f1s = []
    for label in sorted(set(gold)):
        precision = tp[label] / n_pred[label] if n_pred[label] else 0.0
        recall = tp[label] / n_gold[label] if n_gold[label] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_intent[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": float(n_gold[label]),
        }
        f1s.append(f1)
    accuracy = sum(tp.values()) / len(gold) if gold else 0.0

    items = load_kbli_items(kbli_file)
    top1 = top3 = 0
    misses: list[dict[str, Any]] = []
    for item in items:
        codes = kbli_match(item.text) if kbli_match else [k.code for k in parse(item.text).kbli]
        if codes[:1] and codes[0] in item.codes:
            top1 += 1
        if any(c in item.codes for c in codes[:3]):
            top3 += 1
        else:
            misses.append({"text": item.text, "expected": list(item.codes), "got": codes[:3]})
    n = len(items)
    return EvaluationReport(
        n_intent=len(gold),
        accuracy=accuracy,
        macro_f1=sum(f1s) / len(f1s) if f1s else 0.0,
        per_intent=per_intent,
        confusion=confusion,
        n_kbli=n,
        kbli_top1=top1 / n if n else 0.0,
        kbli_top3=top3 / n if n else 0.0,
        errors=errors,
        kbli_misses=misses,
    )
