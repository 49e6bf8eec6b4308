"""The embedded NLU engine: intent classifier + entity extractors + KBLI matcher."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy.sparse as sp
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from nlu import one_text
from nlu.entities import EntityExtractor
from nlu.kbli import KbliMatcher, load_own_everyday_words
from nlu.normalize import clean, detect_language, fold, normalize, strip_greeting
from nlu.rasa_yaml import Example, TrainingData, load_rasa_files
from nlu.types import Entity, IntentScore, KbliCandidate, Language, ParseResult
from permit_rules.catalog import KbliCatalog, load_default_catalog

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_FILES = (DATA_DIR / "nlu.yml",)
AUGMENT_FILE = DATA_DIR / "augment.yml"
TEST_DIR = DATA_DIR / "test"
DEFAULT_MODEL_PATH = Path("var/nlu-model.joblib")
ARTIFACT_VERSION = 1
OOS_THRESHOLD = 0.30
OOS_KBLI_MIN_SCORE = 0.4
KBLI_INTENTS = frozenset(
    {"ask_requirements", "inform_business", "apply_permit", "ask_documents", "ask_cost",
     "ask_duration"}
)  # fmt: skip
# Intents that ask for nothing: after a greeting they do not outweigh it ("siang min, mau nanya"
# is a greeting whose "mau" alone reads like a yes).
NOT_A_REQUEST = frozenset({"greet", "out_of_scope", "affirm", "deny", "thanks", "goodbye"})
_EMOJI = {
    "👍": " oke ", "👌": " oke ", "✅": " oke ", "🙏": " terima kasih ", "👋": " halo ",
    "❌": " tidak ", "👎": " tidak ",
}  # fmt: skip


def _emoji_words(text: str) -> str:
    for emoji, word in _EMOJI.items():
        if emoji in text:
            text = text.replace(emoji, word)
    return text


def classifier_text(text: str) -> str:
    return normalize(_emoji_words(clean(text)))


def augment_examples(
    everyday: Mapping[str, Sequence[str]], path: Path = AUGMENT_FILE, per_template: int = 25
) -> list[Example]:
    """Fill intent templates with business phrases (deterministic sample)."""
    templates: dict[str, list[str]] = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    phrases = sorted({w for words in everyday.values() for w in words})
    rng = random.Random(20260501)
    out: list[Example] = []
    for intent, items in templates.items():
        for template in items:
            for phrase in rng.sample(phrases, min(per_template, len(phrases))):
                out.append(Example(template.replace("{usaha}", phrase), intent))
    return out


def build_pipeline() -> Pipeline:
    features = FeatureUnion(
        [
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=1,
                    dtype=np.float32,
                ),
            ),
            (
                "word",
                TfidfVectorizer(
                    analyzer="word", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32,
                    token_pattern=r"(?u)\b\w+\b",  # noqa: S106
                ),
            ),
        ]
    )  # fmt: skip
    clf = LogisticRegression(C=20.0, max_iter=3000, class_weight="balanced")
    return Pipeline([("features", features), ("clf", clf)])


def merged_everyday_words(
    everyday_words: Mapping[str, Sequence[str]] | None,
) -> dict[str, list[str]]:
    """NLU's own everyday words plus the permit rules' (when given or available)."""
    merged = {k: list(v) for k, v in load_own_everyday_words().items()}
    extra = everyday_words if everyday_words is not None else load_rules_everyday_words()
    for code, words in extra.items():
        bucket = merged.setdefault(str(code), [])
        for w in words:
            if w not in bucket:
                bucket.append(str(w))
    return merged


def load_rules_everyday_words() -> dict[str, list[str]]:
    """Provisional hook: `permit_rules.load_everyday_words()` when that function exists."""
    try:
        import permit_rules
    except ImportError:  # pragma: no cover - permit_rules is part of the project
        return {}
    loader = getattr(permit_rules, "load_everyday_words", None)
    if loader is None or not callable(loader):
        return {}
    try:
        raw = loader()
        return {str(k): [str(w) for w in v] for k, v in dict(raw).items()}
    except Exception:  # the rules are being written in parallel; never break NLU on them
        log.exception("permit_rules.load_everyday_words() failed; using NLU's own words only")
        return {}


class NluEngine:
    """Embedded parser. Build with `train`, persist with `save`/`load`, use with `parse`."""

    def __init__(
        self,
        pipeline: Pipeline,
        kbli: KbliMatcher,
        entities: EntityExtractor | None = None,
        *,
        oos_threshold: float = OOS_THRESHOLD,
        training_seconds: float = 0.0,
    ) -> None:
        self.pipeline = pipeline
        self.kbli = kbli
        self.entities = entities or EntityExtractor()
        self.oos_threshold = oos_threshold
        self.labels: list[str] = [str(c) for c in pipeline.named_steps["clf"].classes_]
        self.training_seconds = training_seconds

    # ------------------------------------------------------------------ building

    @classmethod
    def train(
        cls,
        data: TrainingData | None = None,
        catalog: KbliCatalog | None = None,
        everyday_words: Mapping[str, Sequence[str]] | None = None,
        *,
        augment: bool = True,
        today: Callable[[], date] = date.today,
    ) -> NluEngine:
        started = time.perf_counter()
        data = data if data is not None else load_rasa_files(TRAIN_FILES)
        words = merged_everyday_words(everyday_words)
        examples = list(data.examples)
        if augment:
            examples.extend(augment_examples(words))
        texts = [classifier_text(e.text) for e in examples]
        labels = [e.intent for e in examples]
        pipeline = build_pipeline()
        pipeline.fit(texts, labels)
        kbli = KbliMatcher(catalog or load_default_catalog(), words)
        elapsed = time.perf_counter() - started
        return cls(pipeline, kbli, EntityExtractor(today=today), training_seconds=elapsed)

    def save(self, path: Path) -> None:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "version": ARTIFACT_VERSION,
            "pipeline": self.pipeline,
            "oos_threshold": self.oos_threshold,
            "training_seconds": self.training_seconds,
        }
        tmp = path.with_suffix(path.suffix + ".tmp")
        joblib.dump(payload, tmp, compress=3)
        tmp.replace(path)

    @classmethod
    def load(
        cls,
        path: Path,
        catalog: KbliCatalog | None = None,
        everyday_words: Mapping[str, Sequence[str]] | None = None,
    ) -> NluEngine:
        payload: Any = joblib.load(Path(path))
        if not isinstance(payload, dict) or payload.get("version") != ARTIFACT_VERSION:
            raise ValueError(f"{path} is not a SIKETAN NLU model (version {ARTIFACT_VERSION})")
        kbli = KbliMatcher(catalog or load_default_catalog(), merged_everyday_words(everyday_words))
        return cls(
            payload["pipeline"],
            kbli,
            oos_threshold=float(payload.get("oos_threshold", OOS_THRESHOLD)),
            training_seconds=float(payload.get("training_seconds", 0.0)),
        )

    # ------------------------------------------------------------------ parsing

    def classify(self, text: str) -> list[IntentScore]:
        norm = classifier_text(text)
        if not norm.strip():
            return [IntentScore("out_of_scope", 1.0)]
        request = strip_greeting(norm)
        if request and request != norm:
            # "halo min, mau buka laundry": the greeting splits the classifier's vote, and the
            # citizen is asking for something. Classify what follows the greeting; keep the
            # whole message's answer when that part alone means nothing to us.
            after_greeting = self._rank(request)
            if after_greeting[0].name not in NOT_A_REQUEST:
                return after_greeting
        return self._rank(norm)

    def _rank(self, norm: str) -> list[IntentScore]:
        probs = self.probabilities(norm)
        order = np.argsort(-probs)[:10]
        ranking = [IntentScore(self.labels[int(i)], round(float(probs[i]), 4)) for i in order]
        if ranking[0].confidence < self.oos_threshold and ranking[0].name != "out_of_scope":
            oos = next((r for r in ranking if r.name == "out_of_scope"), None)
            rest = [r for r in ranking if r.name != "out_of_scope"]
            conf = max(oos.confidence if oos else 0.0, 1.0 - ranking[0].confidence)
            ranking = [IntentScore("out_of_scope", round(conf, 4)), *rest]
        return ranking

    def probabilities(self, norm: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Intent probabilities for one normalized text, in `self.labels` order.

        Equal to `pipeline.predict_proba([norm])[0]`, computed one text at a time (see
        `nlu.one_text`); the union's parts are stacked exactly as FeatureUnion does.
        """
        features = self.pipeline.named_steps["features"]
        classifier = self.pipeline.named_steps["clf"]
        if (
            not isinstance(features, FeatureUnion)
            or features.transformer_weights
            or any(isinstance(part, str) for _, part in features.transformer_list)
            or not isinstance(classifier, LogisticRegression)
        ):
            return np.asarray(self.pipeline.predict_proba([norm])[0], dtype=np.float64)
        parts = [one_text.tfidf(vec, norm) for _, vec in features.transformer_list]
        return one_text.probabilities(classifier, sp.hstack(parts, format="csr"))

    def parse(self, text: str) -> ParseResult:
        try:
            return self._parse(text)
        except Exception:  # a parse never raises; log and answer out_of_scope
            log.exception("NLU parse failed")
            safe = text if isinstance(text, str) else str(text)
            return ParseResult(safe, IntentScore("out_of_scope", 0.0))

    def _parse(self, text: str) -> ParseResult:
        if not isinstance(text, str):
            text = str(text)
        cleaned = clean(text)
        ranking = self.classify(cleaned)
        entities: list[Entity] = self.entities.extract(cleaned) if cleaned.strip() else []
        top = ranking[0]
        if (
            any(e.entity == "reference" for e in entities)
            and top.name not in {"complaint", "cancel", "talk_to_human", "check_status"}
            and len(fold(cleaned).split()) <= 6
        ):
            top = IntentScore("check_status", max(top.confidence, 0.6))
            ranking = [top, *[r for r in ranking if r.name != "check_status"]]
        kbli: list[KbliCandidate] = []
        # A bare description ("kebun anggur", "toko bangunan") often looks out of scope to the
        # classifier; the dialog asking "what is your business?" still needs its candidates.
        if top.name in KBLI_INTENTS:
            kbli = self.kbli.match(cleaned)
        elif top.name == "out_of_scope":
            # KBLI 2025 has codes for weather forecasting, news, lending...: an off-topic question
            # gets only candidates that look like a business description.
            kbli = [k for k in self.kbli.match(cleaned) if k.score >= OOS_KBLI_MIN_SCORE]
        language: Language = "en" if detect_language(cleaned) == "en" else "id"
        return ParseResult(
            text=text[:10000] if len(text) > 10000 else text,
            intent=top,
            intent_ranking=tuple(ranking),
            entities=tuple(entities),
            kbli=tuple(kbli),
            language=language,
        )
