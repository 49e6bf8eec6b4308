"""Form validators: citizen text in, a normalized value (or the reason it was refused) out.

The parsing of money, areas, counts, NIK, phone numbers, e-mail and place names is the NLU's
(`nlu.entities`); these wrappers add what a form needs on top: a plain number typed alone is an
answer, "tidak ada" means zero, and each refusal carries a reason the dialog can explain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from nlu.entities import (
    WilayahMatcher,
    check_nik,
    extract_area,
    extract_count,
    extract_email,
    extract_money,
    extract_reference,
    normalize_phone,
    parse_number,
)
from nlu.wilayah import Wilayah, load_wilayah

MAX_MONEY = 10**15  # above any business's capital: a typo, not a figure
MAX_AREA_M2 = 10_000_000.0
MAX_WORKERS = 100_000

_NONE_WORDS = {"tidak ada", "ga ada", "gak ada", "nggak ada", "tdk ada", "belum ada", "none", "no"}
_NONE_WORDS |= {"0", "nol", "kosong", "tidak", "nothing", "zero"}
_YES = {"ya", "iya", "y", "yes", "yup", "betul", "benar", "sudah", "ok", "oke", "setuju", "boleh"}
_NO = {"tidak", "tdk", "nggak", "gak", "ga", "no", "belum", "bukan", "jangan", "nope"}


@dataclass(frozen=True, slots=True)
class Checked:
    """`value` when accepted; otherwise `error` is a text-catalog key and `detail` a hint."""

    value: object = None
    error: str = ""
    detail: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def parse_money(text: str) -> int | None:
    """'50 juta', 'Rp50.000.000', '50jt', '50000000' -> 50000000; None if not an amount."""
    squashed = _squash(text)
    if squashed in _NONE_WORDS:
        return 0
    found = extract_money(text)
    if found:
        value = int(found[0].value)
    else:
        bare = re.sub(r"^(rp\.?|idr)\s*", "", squashed)
        bare = bare.replace(" ", "")
        if re.fullmatch(r"\d{1,3}(\.\d{3})+|\d+", bare):
            value = int(bare.replace(".", ""))
        else:
            return None
    if value < 0 or value > MAX_MONEY:
        return None
    return value


def parse_area(text: str) -> float | None:
    """'50 m2', '5x10 meter', '50', 'tidak ada' -> square metres."""
    squashed = _squash(text)
    if squashed in _NONE_WORDS:
        return 0.0
    found = extract_area(text)
    if found:
        value = float(found[0].value)
    else:
        bare = re.sub(r"\s*(m|meter|mtr)$", "", squashed)
        number = parse_number(bare) if re.fullmatch(r"[\d.,]+", bare) else None
        if number is None:
            return None
        value = float(number)
    if not 0 <= value <= MAX_AREA_M2:
        return None
    return value


def parse_count(text: str) -> int | None:
    """'3 orang', '3', 'tidak ada' (only me) -> a worker count."""
    squashed = _squash(text)
    if squashed in _NONE_WORDS or squashed in {"sendiri", "saya sendiri", "just me", "only me"}:
        return 0
    found = extract_count(text)
    if found:
        return int(found[0].value)
    if re.fullmatch(r"\d{1,6}", squashed):
        value = int(squashed)
        return value if value <= MAX_WORKERS else None
    return None


def check_nik_text(text: str) -> Checked:
    digits = re.sub(r"[\s.\-]", "", text.strip())
    if not re.fullmatch(r"\d+", digits or "x"):
        return Checked(error="nik_not_digits")
    if len(digits) != 16:
        return Checked(error="nik_length", detail=str(len(digits)))
    result = check_nik(digits)
    if not result.valid:
        reason = result.reason
        if "tanggal" in reason or "bulan" in reason:
            return Checked(error="nik_birth")
        return Checked(error="nik_structure")
    return Checked(value=digits)


def check_phone(text: str) -> Checked:
    value = normalize_phone(text.strip())
    if value is None or not value.startswith("+628"):
        return Checked(error="phone_invalid")
    return Checked(value=value)


def check_email(text: str) -> Checked:
    stripped = text.strip()
    found = extract_email(stripped)
    if len(found) != 1 or found[0].start != 0 or found[0].end != len(stripped):
        return Checked(error="email_invalid")
    return Checked(value=str(found[0].value))


def check_text(text: str, *, min_len: int = 3, max_len: int = 200) -> Checked:
    cleaned = re.sub(r"\s+", " ", text.strip())
    if len(cleaned) < min_len or not re.search(r"[A-Za-z]", cleaned):
        return Checked(error="text_too_short")
    if len(cleaned) > max_len:
        return Checked(error="text_too_long", detail=str(max_len))
    return Checked(value=cleaned)


def check_name(text: str) -> Checked:
    cleaned = re.sub(r"\s+", " ", text.strip())
    if not re.fullmatch(r"[A-Za-z][A-Za-z .,'`-]{1,99}", cleaned) or len(cleaned) < 3:
        return Checked(error="name_invalid")
    return Checked(value=cleaned.upper() if cleaned.isupper() else cleaned)


def yes_no(text: str) -> bool | None:
    squashed = _squash(text).rstrip(".!")
    if squashed in _YES:
        return True
    if squashed in _NO:
        return False
    return None


def find_reference(text: str) -> str | None:
    found = extract_reference(text)
    return str(found[0].value) if found else None


@cache
def wilayah() -> Wilayah:
    return load_wilayah()


@cache
def _matcher() -> WilayahMatcher:
    return WilayahMatcher(wilayah())


def match_place(text: str) -> tuple[str | None, str | None]:
    """(kecamatan, kelurahan) of Kota Probolinggo named in the text, each None if absent."""
    w = wilayah()
    squashed = _squash(text)
    kecamatan: str | None = None
    kelurahan: str | None = None
    for name in w.kecamatan:
        if squashed in (name.lower(), f"kec {name.lower()}", f"kecamatan {name.lower()}"):
            kecamatan = name
    for name in w.kelurahan:
        if squashed in (name.lower(), f"kel {name.lower()}", f"kelurahan {name.lower()}"):
            kelurahan = name
    if kecamatan is None and kelurahan is None:
        for entity in _matcher().extract(text):
            if entity.entity == "kecamatan" and kecamatan is None:
                kecamatan = str(entity.value)
            elif entity.entity == "kelurahan" and kelurahan is None:
                kelurahan = str(entity.value)
    return kecamatan, kelurahan
