"""Finding the permits a question names, against the rules file in the repository."""

from __future__ import annotations

import pytest

from dialogs.permit_info import mentioned
from permit_rules import load_default_rule_set


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("apa itu NIB?", ["NIB"]),
        ("syarat p-irt apa aja", ["SPP_IRT"]),
        ("berapa lama sertifikat halal", ["SERTIFIKAT_HALAL"]),
        ("imb sama nib beda ga", ["PBG_SLF", "NIB"]),
        ("mau buka warung makan", []),
        ("izin usaha apa saja", []),  # permits in general, not the rules' high-risk "IZIN"
        ("izin PIRT gimana", ["SPP_IRT"]),
        ("nibble", []),  # whole words only
    ],
)
def test_mentioned(text: str, codes: list[str]) -> None:
    assert mentioned(text, load_default_rule_set()) == codes


def test_a_permit_missing_from_the_rules_is_not_matched() -> None:
    rules = load_default_rule_set()
    without_halal = rules.model_copy(
        update={"permits": {k: v for k, v in rules.permits.items() if k != "SERTIFIKAT_HALAL"}}
    )
    assert mentioned("sertifikat halal", without_halal) == []
