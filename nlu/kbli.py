"""KBLI matching: free-text business description -> ranked KBLI candidates.

Works over the whole catalog in force (KBLI 2025); every candidate carries the catalog's version.
Each code is represented by its title, its everyday words (from the permit rules and from the
NLU's own `kbli_everyday.yml`, both keyed by KBLI 2025 codes) and its description. The "jasa
intermediasi" codes (56400, 95400, 96400) are never offered: a warung that sells through an app
is still a warung (the answer explains the platform code when the citizen mentions one). Two TF-IDF views are
combined: character n-grams over title and everyday phrases (robust to typos: "londri", "bakzo"),
and words over title + phrases + description, with everyday verbs expanded to the catalog's formal
vocabulary ("jualan" -> "perdagangan eceran", "bikin" -> "industri", "servis" -> "reparasi").
No network and no pretrained model.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer

from nlu import one_text
from nlu.normalize import ENGLISH_WORDS, GREETING_WORDS, normalize
from nlu.types import KbliCandidate
from permit_rules.catalog import KbliCatalog
from permit_rules.correspondence import INTERMEDIATION_CODES

DATA_DIR = Path(__file__).resolve().parent / "data"
EVERYDAY_FILE = DATA_DIR / "kbli_everyday.yml"
TERMS_FILE = DATA_DIR / "kbli_terms.yml"

STOPWORDS = frozenset(
    [
        "saya",
        "aku",
        "kami",
        "kita",
        "mau",
        "ingin",
        "pengen",
        "akan",
        "rencana",
        "rencananya",
        "baru",
        "mulai",
        "buka",
        "membuka",
        "punya",
        "usaha",
        "bisnis",
        "izin",
        "izinnya",
        "nib",
        # Permit names: a question about a permit names no business activity.
        "sertifikat",
        "halal",
        "pirt",
        "irt",
        "spp",
        "slhs",
        "bpom",
        "imb",
        "pbg",
        "slf",
        "kkpr",
        "sppl",
        "amdal",
        "oss",
        "syarat",
        "syaratnya",
        "persyaratan",
        "apa",
        "apakah",
        "aja",
        "saja",
        "yang",
        "perlu",
        "butuh",
        "diperlukan",
        "dibutuhkan",
        "harus",
        "untuk",
        "buat",
        "di",
        "ke",
        "dari",
        "dan",
        "atau",
        "dengan",
        "kak",
        "min",
        "gan",
        "pak",
        "bu",
        "mas",
        "mbak",
        "dong",
        "ya",
        "nih",
        "sih",
        "kecil",
        "kecilan",
        "kecil2an",
        "gitu",
        "begitu",
        "tolong",
        "mohon",
        "info",
        "informasi",
        "gimana",
        "bagaimana",
        "caranya",
        "cara",
        "daftar",
        "mendaftar",
        "urus",
        "mengurus",
        "ngurus",
        "tentang",
        "soal",
        "kalau",
        "kalo",
        "ada",
        "adalah",
        "itu",
        "ini",
        "tempat",
        "sendiri",
        "juga",
        "lagi",
        "masih",
        "sudah",
        "belum",
        "bisa",
        "dapat",
        "biaya",
        "berapa",
        "lama",
        "skala",
        "mikro",
        "umkm",
        "ukm",
        "modal",
        "sekitar",
        "kurang",
        "lebih",
        "orang",
        "karyawan",
        "pegawai",
        "kerja",
        "yg",
        "sy",
        "tidak",
        "bapak",
        "ibu",
        "admin",
        "sama",
        "an",
        "nya",
        "rumahan",
        "dirumah",
    ]
)
_DROP_PHRASES = re.compile(r"\b(di|dari)\s+rumah\b|\bhome\s+industry\b")


def load_own_everyday_words(path: Path = EVERYDAY_FILE) -> dict[str, list[str]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): [str(w) for w in v] for k, v in raw.items()}


def load_terms(path: Path = TERMS_FILE) -> dict[str, str]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k).lower(): str(v).lower() for k, v in raw.items()}


# Words that say how a business works ("bikin" points to making, not selling) but name no
# activity on their own: "biaya bikin NIB berapa" describes no business.
NOT_ALONE = frozenset({"bikin", "membuat", "jual", "jualan", "menjual", "produksi"})
# Greetings, forms of address and English function words name no activity either.
IGNORED = STOPWORDS | GREETING_WORDS | ENGLISH_WORDS


def query_terms(text: str) -> list[str]:
    norm = _DROP_PHRASES.sub(" ", normalize(text))
    return [w for w in norm.split() if w not in IGNORED and not w.isdigit()]


class KbliMatcher:
    """Ranks KBLI codes for a description; constructor inputs are plain data."""

    def __init__(
        self,
        catalog: KbliCatalog,
        everyday_words: Mapping[str, Sequence[str]],
        *,
        terms: Mapping[str, str] | None = None,
        min_score: float = 0.2,
    ) -> None:
        self.catalog = catalog
        self.version = catalog.version
        self.codes: list[str] = sorted(
            e.code for e in catalog if e.code not in INTERMEDIATION_CODES
        )
        self.titles: dict[str, str] = {e.code: e.display_title for e in catalog}
        self.terms = dict(terms) if terms is not None else load_terms()
        self.min_score = min_score
        words: dict[str, list[str]] = {}
        for code, items in everyday_words.items():
            if code in catalog:
                words.setdefault(code, []).extend(str(w) for w in items if str(w).strip())
        self.everyday = words

        alias_texts: list[str] = []
        alias_code: list[int] = []
        starts: list[int] = []
        word_docs: list[str] = []
        for idx, code in enumerate(self.codes):
            entry = catalog.get(code)
            assert entry is not None
            starts.append(len(alias_texts))
            title = normalize(entry.title)
            phrases = [normalize(w) for w in words.get(code, [])]
            for alias in (title, *phrases):
                alias_texts.append(alias)
                alias_code.append(idx)
            word_docs.append(
                " ".join([title, title, title, *phrases, *phrases, normalize(entry.description)])
            )
        self._starts = np.asarray(starts, dtype=np.intp)
        self._has_words = np.asarray(
            [1.0 if words.get(c) else 0.0 for c in self.codes], dtype=np.float64
        )
        self._char = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32
        )
        self._alias_matrix = self._char.fit_transform(alias_texts).T.tocsr()
        self._word = TfidfVectorizer(
            analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=1, dtype=np.float32
        )
        self._doc_matrix = self._word.fit_transform(word_docs).T.tocsr()

    def expand(self, terms: Sequence[str]) -> str:
        out: list[str] = []
        for term in terms:
            out.append(term)
            extra = self.terms.get(term)
            if extra:
                out.append(extra)
        return " ".join(out)

    def scores(self, text: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        terms = query_terms(text)
        if not terms or all(term in NOT_ALONE for term in terms):
            return np.zeros(len(self.codes))
        query = " ".join(terms)
        q_char = one_text.tfidf(self._char, query)
        alias_sims = (q_char @ self._alias_matrix).toarray().ravel()
        per_code = np.maximum.reduceat(alias_sims, self._starts) if alias_sims.size else alias_sims
        q_word = one_text.tfidf(self._word, self.expand(terms))
        word_sims = (q_word @ self._doc_matrix).toarray().ravel()
        combined: np.ndarray[Any, np.dtype[np.float64]] = (
            0.6 * per_code + 0.4 * word_sims + 0.03 * self._has_words * (per_code > 0.3)
        ).astype(np.float64)
        return combined

    def match(self, text: str, limit: int = 10) -> list[KbliCandidate]:
        scores = self.scores(text)
        if not scores.any():
            return []
        limit = max(0, min(limit, 10))
        top = np.argsort(-scores, kind="stable")[:limit]
        out = []
        for i in top:
            score = float(scores[i])
            if score < self.min_score:
                break
            code = self.codes[int(i)]
            out.append(
                KbliCandidate(code, self.titles[code], round(min(score, 1.0), 4), self.version)
            )
        return out


# Words that say the citizen sells through a platform (the answer then explains the
# "jasa intermediasi" code instead of offering it as the business).
PLATFORM_WORDS = frozenset(
    [
        "gofood",
        "grabfood",
        "shopeefood",
        "maxim",
        "ojol",
        "aplikasi",
        "marketplace",
        "platform",
        "online",
        "daring",
    ]
)


def mentions_platform(text: str) -> bool:
    return any(word in PLATFORM_WORDS for word in normalize(text).split())
