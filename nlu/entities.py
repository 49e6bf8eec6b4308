"""Rule-based entity extraction with normalized values.

Every extractor works on the original text, so `start`/`end` are offsets into what the citizen
wrote. Values are normalized: money in integer rupiah, area in square metres, count as an
integer, phone in E.164, reference as `SKT-YYYY-NNNNNN`, dates as ISO `YYYY-MM-DD`, kecamatan and
kelurahan as their official names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import fuzz, process

from nlu.types import Entity
from nlu.wilayah import Wilayah, load_wilayah

# ---------------------------------------------------------------- numbers

_UNITS: dict[str, float] = {
    "nol": 0,
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "enam": 6,
    "tujuh": 7,
    "delapan": 8,
    "sembilan": 9,
}
_SE: dict[str, float] = {
    "sepuluh": 10,
    "sebelas": 11,
    "seratus": 100,
    "setengah": 0.5,
    "seperempat": 0.25,
}
_SCALES: dict[str, float] = {
    "ribu": 1e3,
    "rebu": 1e3,
    "juta": 1e6,
    "miliar": 1e9,
    "milyar": 1e9,
    "triliun": 1e12,
}
_SE_SCALES: dict[str, float] = {"seribu": 1e3, "sejuta": 1e6, "semiliar": 1e9, "semilyar": 1e9}
_NUMBER_WORDS = sorted(
    [*_UNITS, *_SE, *_SCALES, *_SE_SCALES, "belas", "puluh", "ratus"], key=len, reverse=True
)
_NW_ALT = "|".join(_NUMBER_WORDS)
WORDNUM = rf"(?:{_NW_ALT})(?:\s+(?:{_NW_ALT}))*"
DIGITNUM = r"\d+(?:[.,]\d+)*"
NUM = rf"(?:{DIGITNUM}|{WORDNUM})"


def parse_number_words(text: str) -> float | None:
    """'dua juta lima ratus ribu' -> 2500000; 'setengah' -> 0.5; None if not a number phrase."""
    total = 0.0
    current = 0.0
    last = 0.0
    seen = False
    for word in text.lower().split():
        if word in _UNITS:
            current += _UNITS[word]
            last = _UNITS[word]
        elif word in _SE:
            current += _SE[word]
            last = 0
        elif word == "belas":
            current += 10
            last = 0
        elif word == "puluh":
            current = current - last + last * 10
            last = 0
        elif word == "ratus":
            current = current - last + last * 100
            last = 0
        elif word in _SCALES:
            total += (current or 1) * _SCALES[word]
            current = 0
            last = 0
        elif word in _SE_SCALES:
            total += _SE_SCALES[word]
        else:
            return None
        seen = True
    return total + current if seen else None


def parse_digits(text: str) -> float | None:
    """'1.000.000' -> 1000000, '1,5' -> 1.5, '2.5' -> 2.5, '1.500' -> 1500 (Indonesian use)."""
    text = text.strip()
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text) or re.fullmatch(r"\d{1,3}(?:,\d{3}){2,}", text):
        return float(text.replace(".", "").replace(",", ""))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+", text):
        return float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d+(?:[.,]\d+)?", text):
        return float(text.replace(",", "."))
    return None


def parse_number(text: str) -> float | None:
    text = text.strip()
    if text and text[0].isdigit():
        return parse_digits(text)
    return parse_number_words(text)


def _as_int_or_float(value: float) -> int | float:
    return round(value) if abs(value - round(value)) < 1e-9 else round(value, 4)


# ---------------------------------------------------------------- money

_MONEY_MULT: dict[str, float] = {
    "rb": 1e3,
    "ribu": 1e3,
    "rebu": 1e3,
    "k": 1e3,
    "jt": 1e6,
    "juta": 1e6,
    "jeti": 1e6,
    "m": 1e9,
    "miliar": 1e9,
    "milyar": 1e9,
    "t": 1e12,
    "triliun": 1e12,
}
_MONEY_RE = re.compile(
    rf"(?P<rp>\brp\.?\s*|\bidr\s*)?(?P<num>{NUM})\s*"
    r"(?P<mult>rb|ribu|rebu|k|jt|juta|jeti|miliar|milyar|m|triliun|t)?(?![a-z0-9²])"
    r"(?P<cur>\s*(?:rupiah|perak))?",
    re.IGNORECASE,
)


def extract_money(text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in _MONEY_RE.finditer(text):
        num_text = m.group("num")
        mult_text = (m.group("mult") or "").lower()
        rp = m.group("rp") is not None
        cur = bool(m.group("cur"))
        value = parse_number(num_text)
        if value is None:
            continue
        words = num_text.lower().split()
        if mult_text in ("m", "t") and not rp and m.group("mult") not in ("M", "T"):
            continue  # "40 m" is a length, not a billion
        if mult_text:
            value *= _MONEY_MULT[mult_text]
        elif not (rp or cur):
            has_scale = any(w in _SCALES or w in _SE_SCALES for w in words)
            grouped = re.fullmatch(r"\d{1,3}(?:\.\d{3})+", num_text) is not None
            if not (has_scale or grouped) or value < 1000:
                continue
        if value <= 0:
            continue
        start = m.start("rp") if rp else m.start("num")
        end = m.end("cur") if cur else (m.end("mult") if m.group("mult") else m.end("num"))
        out.append(Entity("money", round(value), start, end))
    return out


# ---------------------------------------------------------------- area

_AREA_RE = re.compile(
    rf"(?P<a>{NUM})\s*(?:x|×|\*)\s*(?P<b>{NUM})\s*(?P<dimunit>m(?:eter|tr)?\b|m2|m²)"
    rf"|(?P<num>{NUM})\s*(?P<unit>m2|m²|m\^2|meter\s*persegi|meter\s*2|meter2|mtr2|"
    r"meter\s*kuadrat|sqm|square\s*met(?:er|re)s?|hektare|hektar|hektaar|ha)(?![a-z0-9])"
    rf"|(?P<ctx>luas(?:nya)?|ukuran(?:nya)?)\s*(?:tanah|lahan|bangunan|tempat|toko|kios)?\s*"
    rf"(?:sekitar|kurang\s+lebih|kira-kira|kira2|±|\+-)?\s*(?P<num2>{NUM})\s*"
    r"(?P<unit2>m|meter|mtr|are)(?![a-z0-9])",
    re.IGNORECASE,
)


def extract_area(text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in _AREA_RE.finditer(text):
        if m.group("a") is not None:
            a = parse_number(m.group("a"))
            b = parse_number(m.group("b"))
            if a is None or b is None:
                continue
            value = a * b
            start = m.start("a")
        elif m.group("num") is not None:
            v = parse_number(m.group("num"))
            if v is None:
                continue
            unit = m.group("unit").lower()
            value = v * 10000 if unit.startswith("h") else v
            start = m.start("num")
        else:
            v = parse_number(m.group("num2"))
            if v is None:
                continue
            value = v * 100 if m.group("unit2").lower() == "are" else v
            start = m.start("num2")
        if value <= 0:
            continue
        out.append(Entity("area", _as_int_or_float(value), start, m.end()))
    return out


# ---------------------------------------------------------------- count (workers)

_WORKER = (
    r"(?:karyawan|karyawati|krywn|kary|pegawai|pekerja|tenaga\s+kerja|tk|staf|staff|"
    r"anak\s+buah|buruh|crew|kru|employees?|workers?|people|orang|org)"
)
_COUNT_RE = re.compile(
    rf"(?P<num>{NUM})\s*(?:orang\s+|org\s+)?(?P<w>{_WORKER})(?![a-z])"
    rf"|(?P<w2>karyawan|karyawati|pegawai|pekerja|tenaga\s+kerja|employees?|workers?|staff?)"
    r"(?:nya)?\s*(?:saya|sy|ku|kami|ada|sekitar|kurang\s+lebih|cuma|cuman|hanya|sebanyak|"
    rf"jumlahnya|:|-|\s)*\s*(?P<num2>{NUM})(?!\s*(?:rb|ribu|jt|juta|m2|%))(?![\d.,])",
    re.IGNORECASE,
)


def extract_count(text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in _COUNT_RE.finditer(text):
        num_text = m.group("num") if m.group("num") is not None else m.group("num2")
        value = parse_number(num_text)
        if value is None or value != int(value) or value < 0 or value > 100000:
            continue
        out.append(Entity("count", int(value), m.start(), m.end()))
    return out


# ---------------------------------------------------------------- NIK


@dataclass(frozen=True, slots=True)
class NikCheck:
    valid: bool
    reason: str = ""
    birth_date: date | None = None
    female: bool = False


def check_nik(nik: str) -> NikCheck:
    """Structural check of a 16-digit NIK (there is no checksum; only Dukcapil can verify)."""
    digits = re.sub(r"[\s.-]", "", nik)
    if not re.fullmatch(r"\d{16}", digits):
        return NikCheck(False, "NIK harus 16 digit angka")
    province = int(digits[0:2])
    if not 11 <= province <= 96:
        return NikCheck(False, "kode provinsi tidak dikenal")
    if digits[2:4] == "00" or digits[4:6] == "00":
        return NikCheck(False, "kode kabupaten/kecamatan tidak boleh 00")
    day = int(digits[6:8])
    month = int(digits[8:10])
    yy = int(digits[10:12])
    female = day > 40
    if female:
        day -= 40
    if not (1 <= day <= 31):
        return NikCheck(False, "tanggal lahir tidak valid (01-31, perempuan 41-71)")
    if not 1 <= month <= 12:
        return NikCheck(False, "bulan lahir tidak valid (01-12)")
    birth: date | None = None
    for century in (2000, 1900):
        try:
            candidate = date(century + yy, month, day)
        except ValueError:
            continue
        if candidate <= date.today():
            birth = candidate
            break
        if birth is None:
            birth = candidate
    if birth is None:
        return NikCheck(False, "tanggal lahir bukan tanggal yang ada")
    if digits[12:16] == "0000":
        return NikCheck(False, "nomor urut tidak boleh 0000")
    return NikCheck(True, "", birth, female)


_NIK_RE = re.compile(
    r"(?<![\d+])(\d{16}|\d{4}[ .-]\d{4}[ .-]\d{4}[ .-]\d{4}|\d{6}[ .]\d{6}[ .]\d{4})(?!\d)"
)


def extract_nik(text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in _NIK_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(1))
        if check_nik(digits).valid:
            out.append(Entity("nik", digits, m.start(1), m.end(1)))
    return out


# ---------------------------------------------------------------- phone

_PHONE_RE = re.compile(
    r"(?<![\w+])(?P<p>(?:\+\s?62|62|\(?0)[\s.-]?\(?\d{2,4}\)?(?:[\s.-]?\d{2,5}){1,4})(?![\d])"
)


def normalize_phone(raw: str) -> str | None:
    """'0812-3456-7890' / '+62 812 3456 7890' / '(0335) 421234' -> '+6281234567890' etc."""
    digits = re.sub(r"\D", "", raw)
    stripped = raw.strip()
    if stripped.startswith("+62") or (digits.startswith("62") and not stripped.startswith("0")):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        return None
    if national.startswith("0") or not national:
        return None
    if national.startswith("8"):
        if not 9 <= len(national) <= 12:
            return None
    elif not 8 <= len(national) <= 11:
        return None
    return "+62" + national


def extract_phone(text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in _PHONE_RE.finditer(text):
        raw = m.group("p")
        if raw.startswith("62") and not raw[2:].lstrip(" .-").startswith("8"):
            continue
        value = normalize_phone(raw)
        if value is not None:
            out.append(Entity("phone", value, m.start("p"), m.end("p")))
    return out


# ---------------------------------------------------------------- email, reference

_EMAIL_RE = re.compile(
    r"(?<![\w.+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
_REF_RE = re.compile(r"\bskt\s*[-_/.]?\s*(\d{4})\s*[-_/.]?\s*(\d{6})(?!\d)", re.IGNORECASE)


def extract_email(text: str) -> list[Entity]:
    return [
        Entity("email", m.group(0).lower(), m.start(), m.end()) for m in _EMAIL_RE.finditer(text)
    ]


def extract_reference(text: str) -> list[Entity]:
    return [
        Entity("reference", f"SKT-{m.group(1)}-{m.group(2)}", m.start(), m.end())
        for m in _REF_RE.finditer(text)
    ]


# ---------------------------------------------------------------- date

MONTHS: dict[str, int] = {
    "januari": 1, "jan": 1, "january": 1,
    "februari": 2, "pebruari": 2, "feb": 2, "february": 2, "peb": 2,
    "maret": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "mei": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "agustus": 8, "agu": 8, "agt": 8, "agus": 8, "aug": 8, "august": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "oct": 10, "october": 10,
    "november": 11, "nov": 11, "nopember": 11,
    "desember": 12, "des": 12, "dec": 12, "december": 12,
}  # fmt: skip
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE_RE = re.compile(
    r"(?<!\d)(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2})(?!\d)"
    r"|(?<![\d.])(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d{2})(?![\d.])"
    rf"|(?<!\d)(?P<td>\d{{1,2}})\s*(?P<tm>{_MONTH_ALT})\.?(?![a-z])(?:\s*(?P<ty>\d{{4}}))?"
    r"|\b(?P<rel>hari\s+ini|besok|besuk|lusa|kemarin|kemaren|today|tomorrow|yesterday)\b",
    re.IGNORECASE,
)
_RELATIVE = {
    "hari ini": 0, "today": 0, "besok": 1, "besuk": 1, "tomorrow": 1, "lusa": 2,
    "kemarin": -1, "kemaren": -1, "yesterday": -1,
}  # fmt: skip


def extract_date(text: str, today: date) -> list[Entity]:
    out: list[Entity] = []
    for m in _DATE_RE.finditer(text):
        try:
            if m.group("iy"):
                value = date(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
            elif m.group("d"):
                year = int(m.group("y"))
                year = year + 2000 if year < 100 else year
                value = date(year, int(m.group("m")), int(m.group("d")))
            elif m.group("td"):
                year = int(m.group("ty")) if m.group("ty") else today.year
                value = date(year, MONTHS[m.group("tm").lower()], int(m.group("td")))
            else:
                rel = re.sub(r"\s+", " ", m.group("rel").lower())
                value = today + timedelta(days=_RELATIVE[rel])
        except (ValueError, KeyError, OverflowError):
            continue
        out.append(Entity("date", value.isoformat(), m.start(), m.end()))
    return out


# ---------------------------------------------------------------- kecamatan / kelurahan

_TOKEN_RE = re.compile(r"[A-Za-z]+")
_KEC_HINT = {"kec", "kecamatan", "kecamatannya"}
_KEL_HINT = {"kel", "kelurahan", "kelurahannya", "desa", "kampung"}
_PLACE_HINT = {"di", "daerah", "wilayah", "kel", "kelurahan", "desa", "dekat", "sekitar"}


class WilayahMatcher:
    """Finds official kecamatan/kelurahan names despite typos and missing spaces."""

    def __init__(self, wilayah: Wilayah | None = None) -> None:
        self.wilayah = wilayah or load_wilayah()
        self._names: dict[str, str] = {}
        for name in (*self.wilayah.kecamatan, *self.wilayah.kelurahan):
            self._names[name.lower().replace(" ", "")] = name
        self._keys = list(self._names)
        self._kec = set(self.wilayah.kecamatan)
        self._kel = set(self.wilayah.kelurahan)

    def extract(self, text: str) -> list[Entity]:
        tokens = [(m.group(0).lower(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
        out: list[Entity] = []
        i = 0
        while i < len(tokens):
            found = None
            for n in (3, 2, 1):
                if i + n > len(tokens):
                    continue
                key = "".join(t[0] for t in tokens[i : i + n])
                if len(key) < 4 or len(key) > 20:
                    continue
                if key in self._names:
                    found = (self._names[key], n, 100.0)
                    break
                if len(key) >= 6:
                    best = process.extractOne(key, self._keys, scorer=fuzz.ratio, score_cutoff=86)
                    if best is not None:
                        found = (self._names[best[0]], n, float(best[1]))
                        break
            if found is None:
                i += 1
                continue
            name, n, score = found
            prev = tokens[i - 1][0] if i > 0 else ""
            if len(name) <= 4 and prev not in _PLACE_HINT:
                i += 1
                continue
            start, end = tokens[i][1], tokens[i + n - 1][2]
            conf = round(score / 100, 3)
            if prev in _KEL_HINT and name in self._kel:
                out.append(Entity("kelurahan", name, start, end, conf))
            elif name in self._kec and prev not in _KEL_HINT:
                out.append(Entity("kecamatan", name, start, end, conf))
            elif name in self._kel:
                out.append(Entity("kelurahan", name, start, end, conf))
            i += n
        return out


# ---------------------------------------------------------------- all together

Extractor = Callable[[str], list[Entity]]


class EntityExtractor:
    """Runs every extractor; earlier extractors win overlapping spans."""

    def __init__(
        self,
        wilayah: WilayahMatcher | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.wilayah = wilayah or WilayahMatcher()
        self.today = today

    def extract(self, text: str) -> list[Entity]:
        extractors: Sequence[Extractor] = (
            extract_reference,
            extract_email,
            extract_nik,
            extract_phone,
            lambda t: extract_date(t, self.today()),
            extract_area,
            extract_count,
            extract_money,
            self.wilayah.extract,
        )
        chosen: list[Entity] = []
        for extractor in extractors:
            for ent in extractor(text):
                if all(ent.end <= c.start or ent.start >= c.end for c in chosen):
                    chosen.append(ent)
        chosen.sort(key=lambda e: (e.start, e.end))
        return chosen
