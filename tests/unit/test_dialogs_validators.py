"""Property tests for the form validators and the Indonesian formatting helpers."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from dialogs.formatting import format_date, mask_nik, rupiah
from dialogs.validators import check_nik_text, check_phone, parse_money


@st.composite
def valid_niks(draw: st.DrawFn) -> str:
    region = draw(st.integers(11, 96))
    kab = draw(st.integers(1, 99))
    kec = draw(st.integers(1, 99))
    born = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)))
    female = draw(st.booleans())
    day = born.day + (40 if female else 0)
    seq = draw(st.integers(1, 9999))
    return f"{region:02d}{kab:02d}{kec:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{seq:04d}"


@given(valid_niks(), st.sampled_from(["", " ", ".", "-"]))
def test_valid_nik_accepted_in_any_grouping(nik: str, sep: str) -> None:
    typed = sep.join(nik[i : i + 4] for i in range(0, 16, 4))
    assert check_nik_text(typed).value == nik
    masked = mask_nik(nik)
    assert masked.startswith(nik[:4]) and masked.endswith(nik[-2:]) and nik[4:14] not in masked


@given(st.text(alphabet="0123456789", min_size=1, max_size=30).filter(lambda s: len(s) != 16))
def test_nik_of_wrong_length_refused(digits: str) -> None:
    assert check_nik_text(digits).error == "nik_length"


@given(valid_niks(), st.integers(32, 39))
def test_nik_with_impossible_birth_day_refused(nik: str, day: int) -> None:
    assert check_nik_text(nik[:6] + f"{day:02d}" + nik[8:]).error == "nik_birth"


@given(st.text(alphabet="0123456789", min_size=8, max_size=11))
def test_mobile_numbers_normalized_to_plus62(rest: str) -> None:
    national = "8" + rest
    expected = "+62" + national
    for typed in ("0" + national, "+62" + national, "62" + national, "+62 " + national):
        assert check_phone(typed).value == expected


@given(st.text(max_size=12).filter(lambda s: not any(c.isdigit() for c in s)))
def test_phone_without_digits_refused(typed: str) -> None:
    assert not check_phone(typed).ok


@given(st.integers(0, 10**13))
def test_money_round_trips_through_rupiah_formatting(amount: int) -> None:
    shown = rupiah(amount)
    assert shown.startswith("Rp") and "," not in shown
    assert parse_money(shown) == amount
    assert parse_money(str(amount)) == amount


@given(st.integers(1, 999))
def test_money_in_words(millions: int) -> None:
    assert parse_money(f"{millions} juta") == millions * 1_000_000
    assert parse_money(f"{millions}jt") == millions * 1_000_000


def test_formatting_examples() -> None:
    assert format_date(date(2026, 11, 27)) == "27 November 2026"
    assert format_date(date(2026, 8, 17)) == "17 Agustus 2026"
    assert rupiah(50_000_000) == "Rp50.000.000"
    assert mask_nik("3574015708900001") == "3574**********01"
    assert parse_money("banyak") is None
