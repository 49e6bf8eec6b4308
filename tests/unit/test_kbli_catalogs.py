"""KBLI catalogs (2025 in force, 2020 for conversion), our corrections, typed codes and the
2020 -> 2025 correspondence table (issue 13 part 1 and "bad input")."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from permit_rules import (
    INTERMEDIATION_CODES,
    CodeInputError,
    CorrespondenceError,
    KbliCode,
    load_default_catalog,
    load_default_catalogs,
    load_previous_catalog,
    lookup_code,
    parse_code_input,
    parse_correspondence_csv,
)
from permit_rules.catalog import CATALOG_FILES, CORRECTIONS_FILE, CatalogError, apply_corrections
from permit_rules.correspondence import CORRESPONDENCE_FILE

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_kbli_2025_ships_unchanged_and_our_corrections_live_apart() -> None:
    # The extraction's licence asks that the dataset not be edited for redistribution.
    assert sha(CATALOG_FILES["KBLI2025"]) == sha(SHARED / "kbli2025.csv")
    assert sha(CORRESPONDENCE_FILE) == sha(SHARED / "kbli2020_2025.csv")
    catalog = load_default_catalog()
    assert catalog.version == "KBLI2025" and len(catalog) == 1559
    spa = catalog.get("96230")
    assert spa is not None and spa.title.endswith("DAN PEMANDIAN UAP")
    assert spa.description.startswith("Kelompok ini")


def test_a_correction_that_no_longer_applies_fails_loudly() -> None:
    catalog = load_default_catalog()  # already corrected: the 'was' value is gone
    with pytest.raises(CatalogError, match="no longer the value corrected"):
        apply_corrections(catalog, CORRECTIONS_FILE.read_text(encoding="utf-8"))


def test_the_same_digits_mean_different_activities() -> None:
    new, old = load_default_catalog(), load_previous_catalog()
    assert old.version == "KBLI2020" and len(old) == 1790
    assert old.get("56102") is not None and "Warung Makan" in old.get("56102").title  # type: ignore[union-attr]
    assert "TIDAK TETAP" in new.get("56102").title  # type: ignore[union-attr]
    assert new.get("56101").display_title == "Aktivitas Penyediaan Makanan di Bangunan Tetap"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("56101", KbliCode("KBLI2025", "56101")),
        (" 56.101 ", KbliCode("KBLI2025", "56101")),
        ("56 101", KbliCode("KBLI2025", "56101")),
        ("2020:56102", KbliCode("KBLI2020", "56102")),
        ("KBLI2020:56102", KbliCode("KBLI2020", "56102")),
        ("kbli 2020 56102", KbliCode("KBLI2020", "56102")),
        ("2025: 56.101", KbliCode("KBLI2025", "56101")),
    ],
)
def test_typed_codes_are_read_with_their_version(typed: str, code: KbliCode) -> None:
    assert parse_code_input(typed) == code


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("561", "too_short"),
        ("5610", "too_short"),
        ("561011", "too_long"),
        ("2019:56101", "unknown_version"),
        ("KBLI 2030 56101", "unknown_version"),
        ("abc", "not_a_code"),
        ("56101a", "not_a_code"),
        ("2020:", "not_a_code"),
    ],
)
def test_bad_typed_codes_are_refused_with_a_reason(typed: str, problem: str) -> None:
    with pytest.raises(CodeInputError) as info:
        parse_code_input(typed)
    assert info.value.problem == problem


def test_old_code_converts_with_its_platform_code_apart() -> None:
    lookup = lookup_code("2020:56102", load_default_catalogs())
    assert lookup.status == "converted" and lookup.asked == KbliCode("KBLI2020", "56102")
    assert lookup.asked_title == "Rumah/Warung Makan"
    assert [e.code for e in lookup.choices] == ["56101"]
    assert [e.code for e in lookup.intermediation] == ["56400"]
    assert lookup.single is not None and lookup.single.code == "56101"


def test_one_to_many_keeps_every_edge_as_a_choice() -> None:
    lookup = lookup_code("2020:47912", load_default_catalogs())
    assert lookup.status == "converted" and lookup.single is None
    assert [e.code for e in lookup.choices] == [
        "47511", "47512", "47513", "47530", "47711", "47712", "47713", "47714",
    ]  # fmt: skip


def test_an_edge_that_looks_wrong_carries_its_doubt() -> None:
    lookup = lookup_code("2020:03226", load_default_catalogs())
    assert [e.code for e in lookup.choices] == ["03222"]
    assert lookup.doubts and "PDF p.140" in lookup.doubts[0]


def test_no_edge_is_never_converted_by_its_digits() -> None:
    # 01111 exists in both versions, but the partial table has no edge for it: no guess.
    lookup = lookup_code("2020:01111", load_default_catalogs())
    assert lookup.status == "no_edge" and lookup.choices == ()


def test_unknown_and_group_codes() -> None:
    catalogs = load_default_catalogs()
    assert lookup_code("99999", catalogs).status == "unknown_code"
    assert lookup_code("2020:92000", catalogs).status == "unknown_code"  # missing from 2020 data
    group = lookup_code("9610", catalogs)
    assert group.status == "bad_input" and group.problem == "too_short"
    assert [e.code for e in group.group_codes] == ["96100"]


def test_intermediation_codes_exist_and_are_never_a_choice_when_there_is_another() -> None:
    catalogs = load_default_catalogs()
    assert all(code in catalogs.in_force for code in INTERMEDIATION_CODES)
    for old in catalogs.correspondence.edges:
        lookup = lookup_code(f"2020:{old}", catalogs)
        if any(e.code not in INTERMEDIATION_CODES for e in lookup.choices):
            assert not {e.code for e in lookup.choices} & INTERMEDIATION_CODES, old


# ---------------------------------------------------------------------- the table as data
HEADER = "kbli2020,kbli2025,note,kbli2020_title,kbli2025_title\n"


def parse(text: str) -> object:
    return parse_correspondence_csv(text, load_previous_catalog(), load_default_catalog())


def test_shipped_table_keeps_one_to_many_edges() -> None:
    table = load_default_catalogs().correspondence
    assert table.from_version == "KBLI2020" and table.to_version == "KBLI2025"
    assert len(table) == 136 and table.edge_count == 307
    assert len(table.targets("47919")) == 67
    assert table.sources("56101") == ["56101", "56102", "56109"]


def test_a_table_in_the_shared_columns_loads_without_optional_columns() -> None:
    table = parse("kbli2020,kbli2025\n56102,56101\n56102,56400\n")
    assert [e.new for e in table.targets("56102")] == ["56101", "56400"]  # type: ignore[attr-defined]


def test_every_error_is_reported_with_its_line_and_nothing_is_returned() -> None:
    text = HEADER + (
        "56102,56101,ok,,\n"  # line 2: fine
        "56102,56101,again,,\n"  # line 3: duplicate edge
        "99999,56101,,,\n"  # line 4: not a KBLI 2020 code
        "56102,99999,,,\n"  # line 5: not a KBLI 2025 code
        "5610,56101,,,\n"  # line 6: not 5 digits
        ",,,,\n"  # line 7: empty codes
    )
    with pytest.raises(CorrespondenceError) as info:
        parse(text)
    lines = [(e.line, e.message.split(" ")[0]) for e in info.value.errors]
    assert lines == [
        (3, "edge"),
        (4, "kbli2020"),
        (5, "kbli2025"),
        (6, "kbli2020"),
        (7, "kbli2020"),
        (7, "kbli2025"),
    ]
    assert "first on line 2" in info.value.errors[0].message


def test_missing_columns_and_empty_files_are_refused() -> None:
    with pytest.raises(CorrespondenceError) as info:
        parse("code2020,code2025\n56102,56101\n")
    [error] = info.value.errors
    assert error.line == 1 and "kbli2020, kbli2025" in error.message
    with pytest.raises(CorrespondenceError):
        parse(HEADER)
