"""KBLI matching over the catalog in force (KBLI 2025) plus everyday words (issue 13 part 1)."""

from __future__ import annotations

import pytest
import yaml

from nlu.engine import merged_everyday_words
from nlu.kbli import EVERYDAY_FILE, KbliMatcher, mentions_platform
from permit_rules import INTERMEDIATION_CODES, load_default_catalog, load_default_rule_set


@pytest.fixture(scope="module")
def matcher() -> KbliMatcher:
    return KbliMatcher(load_default_catalog(), merged_everyday_words(None))


def test_candidates_carry_the_version_and_the_catalog_title(matcher: KbliMatcher) -> None:
    [first, *_] = matcher.match("sy mau buka warung makan kecil")
    assert (first.code, first.version) == ("56101", "KBLI2025")
    assert first.title == "Aktivitas Penyediaan Makanan di Bangunan Tetap"


@pytest.mark.parametrize(
    "text",
    ["warung makan", "buka warung nasi", "warteg", "warung pecel lele", "rumah makan padang"],
)
def test_a_warung_is_56101_never_56102(matcher: KbliMatcher, text: str) -> None:
    found = matcher.match(text)
    assert found[0].code == "56101"
    # 56102 may be offered for what it is (a non-permanent building), never as a warung
    for cand in found:
        if cand.code == "56102":
            assert cand.title == "Aktivitas Penyediaan Makanan di Bangunan Tidak Tetap"


def test_a_tent_or_a_cart_is_56102(matcher: KbliMatcher) -> None:
    assert matcher.match("warung tenda")[0].code == "56102"
    assert matcher.match("jualan bakso keliling pakai gerobak")[0].code == "56102"


def test_every_everyday_word_of_the_rules_still_finds_its_activity(matcher: KbliMatcher) -> None:
    misses = []
    for activity in load_default_rule_set().activities:
        for word in activity.everyday_words:
            top3 = [c.code for c in matcher.match(word)[:3]]
            if activity.kbli not in top3:
                misses.append((word, activity.kbli, top3))
    assert misses == []


def test_the_nlu_words_file_is_keyed_to_kbli_2025_and_repeats_no_rule_word() -> None:
    catalog = load_default_catalog()
    own = yaml.safe_load(EVERYDAY_FILE.read_text(encoding="utf-8"))
    rule_words = {w for a in load_default_rule_set().activities for w in a.everyday_words}
    seen: dict[str, str] = {}
    for code, words in own.items():
        assert code in catalog, code
        assert code not in INTERMEDIATION_CODES
        for word in words:
            assert word not in rule_words, word
            assert seen.setdefault(word, code) == code, word


def test_intermediation_codes_are_never_offered(matcher: KbliMatcher) -> None:
    for text in (
        "jasa intermediasi penyediaan makanan dan minuman",
        "jasa intermediasi reparasi",
        "jasa intermediasi untuk jasa perorangan agen penatu",
        "jualan makanan lewat gofood",
    ):
        assert not {c.code for c in matcher.match(text)} & INTERMEDIATION_CODES, text


def test_selling_through_a_platform_is_recognised() -> None:
    assert mentions_platform("jualan nasi goreng lewat GoFood")
    assert mentions_platform("warung saya juga di shopeefood")
    assert not mentions_platform("warung makan di pinggir jalan")
