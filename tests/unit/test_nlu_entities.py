from __future__ import annotations

from datetime import date

import pytest

from nlu.entities import EntityExtractor, check_nik, normalize_phone, parse_number_words

X = EntityExtractor(today=lambda: date(2026, 5, 1))


def values(text: str, kind: str) -> list[object]:
    return [e.value for e in X.extract(text) if e.entity == kind]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("modal 50 jt", 50_000_000),
        ("Rp 1,5 M", 1_500_000_000),
        ("500rb", 500_000),
        ("dua juta", 2_000_000),
        ("1.000.000", 1_000_000),
        ("Rp 2.500.000", 2_500_000),
        ("1,5 juta", 1_500_000),
        ("50k", 50_000),
        ("seratus ribu rupiah", 100_000),
        ("dua juta lima ratus ribu", 2_500_000),
        ("Rp10.000", 10_000),
        ("modal 3 miliar", 3_000_000_000),
    ],
)
def test_money(text: str, expected: int) -> None:
    assert values(text, "money") == [expected]


@pytest.mark.parametrize("text", ["luas 40 m", "umur 25 tahun", "kamar 3"])
def test_not_money(text: str) -> None:
    assert values(text, "money") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40 m2", 40),
        ("40 m²", 40),
        ("2 ha", 20_000),
        ("setengah hektar", 5_000),
        ("tanah 10x12 meter", 120),
        ("luas 36 meter persegi", 36),
        ("luasnya sekitar 50 meter", 50),
        ("1,5 hektare", 15_000),
    ],
)
def test_area(text: str, expected: int) -> None:
    assert values(text, "area") == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("karyawan 5 orang", 5),
        ("ada 3 pegawai", 3),
        ("dua karyawan", 2),
        ("tenaga kerja 4 orang", 4),
        ("I have 7 employees", 7),
    ],
)
def test_count(text: str, expected: int) -> None:
    assert values(text, "count") == [expected]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("(0335) 421234", "+62335421234"),
        ("08123", None),
    ],
)
def test_phone(raw: str, expected: str | None) -> None:
    assert normalize_phone(raw) == expected
    assert values(f"hp saya {raw} ya", "phone") == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cek SKT-2026-000123", "SKT-2026-000123"),
        ("skt 2026 000123", "SKT-2026-000123"),
        ("skt2025000045", "SKT-2025-000045"),
        ("Skt-2026-000999 gimana", "SKT-2026-000999"),
    ],
)
def test_reference(text: str, expected: str) -> None:
    assert values(text, "reference") == [expected]


def test_email() -> None:
    assert values("email saya Budi.S@Gmail.com ya", "email") == ["budi.s@gmail.com"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tgl 12/03/2026", "2026-03-12"),
        ("2026-03-12", "2026-03-12"),
        ("17 agustus 2026", "2026-08-17"),
        ("tanggal 5 mei", "2026-05-05"),
        ("besok", "2026-05-02"),
        ("31/02/2026", None),
    ],
)
def test_date(text: str, expected: str | None) -> None:
    assert values(text, "date") == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("di kecamatan Mayangan", "kecamatan", "Mayangan"),
        ("kec mayangn", "kecamatan", "Mayangan"),
        ("kel. Mayangan", "kelurahan", "Mayangan"),
        ("rumah saya di kebonsari wetan", "kelurahan", "Kebonsari Wetan"),
        ("curah grinting", "kelurahan", "Curahgrinting"),
        ("daerah wonoasi", "kecamatan", "Wonoasih"),
        ("di kedopk", "kecamatan", "Kedopok"),
        ("tinggal di Jrebeng Kidul", "kelurahan", "Jrebeng Kidul"),
        ("kelurahan jati", "kelurahan", "Jati"),
    ],
)
def test_wilayah(text: str, kind: str, expected: str) -> None:
    assert values(text, kind) == [expected]


def test_common_word_is_not_a_kelurahan() -> None:
    assert values("meja kayu jati", "kelurahan") == []


@pytest.mark.parametrize(
    ("nik", "valid"),
    [
        ("3574014507900001", True),  # female (45 -> 05), 05-07-1990
        ("3574010507900001", True),
        ("1101010101000001", True),
        ("0974010507900001", False),  # province 09
        ("9774010507900001", False),  # province 97
        ("3574013207900001", False),  # day 32
        ("3574017207900001", False),  # day 72
        ("3574010513900001", False),  # month 13
        ("3574013002900001", False),  # 30 February
        ("3574010507900000", False),  # serial 0000
        ("357401050790001", False),  # 15 digits
    ],
)
def test_nik_structure(nik: str, valid: bool) -> None:
    assert check_nik(nik).valid is valid
    assert values(f"nik {nik}", "nik") == ([nik] if valid else [])


def test_nik_female_flag() -> None:
    check = check_nik("3574014507900001")
    assert check.female and check.birth_date == date(1990, 7, 5)


def test_number_words() -> None:
    assert parse_number_words("dua puluh lima") == 25
    assert parse_number_words("seratus dua belas") == 112
    assert parse_number_words("bakso") is None


def test_offsets_point_into_original_text() -> None:
    text = "Modal Rp 1,5 M, luas 40 m2, 3 karyawan, kel. Mayangan"
    for ent in X.extract(text):
        assert text[ent.start : ent.end]
