"""From the text boxes an OCR engine found on a KTP photo to the card's fields.

Pure: boxes (text and corners) in, a `KtpReading` out. The layout of the KTP-el is fixed (a
label, a colon, a value, one field a row), so the boxes are straightened by their own slant,
grouped into rows, and each row is recognised by its label. Values are then read the way their
field allows: the NIK has 16 digits whose parts mean something (region, date of birth with +40
for women, serial), the date of birth is a real date, a name has no digits. That is what turns
an OCR's usual confusions (O/0, I/1, B/8, S/5...) back into the printed characters, and what
refuses a NIK when more than one reading fits.
"""

from __future__ import annotations

import itertools
import math
import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, process

from dialogs.ktp import CITY_CODE, KtpReading
from nlu.entities import check_nik
from nlu.wilayah import load_wilayah

# The 38 province codes of Kemendagri (cahyadsn/wilayah, Kepmendagri 300.2.2-2430/2025). The
# typed-NIK check accepts 11-96; a reading that lands on a code no province has is less likely.
PROVINCE_CODES = frozenset(
    str(code)
    for code in (11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53,
                 61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96)
)  # fmt: skip

# What an OCR engine reads in place of a digit, by how the glyphs look (printed sans-serif).
DIGIT_LOOKALIKES: dict[str, str] = {
    "O": "0", "o": "0", "D": "0", "Q": "0", "U": "0", "C": "0",
    "I": "1", "l": "1", "i": "1", "|": "1", "!": "1", "J": "1", "L": "1", "T": "17",
    "Z": "2", "z": "2",
    "E": "3",
    "A": "4", "h": "4",
    "S": "5", "s": "5", "$": "5",
    "G": "6", "b": "6",
    "B": "83", "&": "8",
    "g": "9", "q": "9", "P": "9",
}  # fmt: skip
LETTER_LOOKALIKES = {"0": "O", "1": "I", "2": "Z", "4": "A", "5": "S", "6": "G", "8": "B"}

# Labels as letters only, lower case (what is left of "Tempat/Tgl Lahir" is "tempattgllahir").
LABELS = {
    "nik": "nik",
    "nama": "name",
    "tempattgllahir": "birth",
    "jeniskelamin": "sex",
    "goldarah": "blood",
    "alamat": "address",
    "rtrw": "rt_rw",
    "keldesa": "kelurahan",
    "kelurahandesa": "kelurahan",
    "kecamatan": "kecamatan",
    "agama": "religion",
    "statusperkawinan": "marital",
    "pekerjaan": "job",
    "kewarganegaraan": "citizenship",
    "berlakuhingga": "valid_until",
}
# The printed order of the rows under the NIK (the photo column is beside them).
FIELD_ORDER: tuple[str, ...] = ("nik", "name", "birth", "sex", "address", "rt_rw", "kelurahan")
FIELD_ORDER += ("kecamatan", "religion", "marital", "job", "citizenship", "valid_until")
MAX_CANDIDATES = 4096  # NIK readings tried per line, to bound the work on garbage input


@dataclass(frozen=True, slots=True)
class TextBox:
    """One line of text the OCR engine found: its text and its four corners in the image,
    clockwise from the top-left of the text as it reads."""

    text: str
    points: tuple[tuple[float, float], ...]
    score: float = 1.0

    @property
    def angle(self) -> float:
        (x0, y0), (x1, y1) = self.points[0], self.points[1]
        return math.atan2(y1 - y0, x1 - x0)

    @property
    def width(self) -> float:
        (x0, y0), (x1, y1) = self.points[0], self.points[1]
        return math.hypot(x1 - x0, y1 - y0)

    @property
    def height(self) -> float:
        (x0, y0), (x3, y3) = self.points[0], self.points[3]
        return math.hypot(x3 - x0, y3 - y0)


@dataclass(frozen=True, slots=True)
class _Placed:
    """A box in the straightened frame: left edge, vertical centre, height."""

    box: TextBox
    left: float
    right: float
    middle: float
    height: float


# ---------------------------------------------------------------------- layout


def _straighten(boxes: Sequence[TextBox]) -> list[_Placed]:
    """Undo the photo's rotation using the slant of the long boxes (whole lines of text)."""
    long = [b.angle for b in boxes if b.width >= 2 * b.height > 0]
    theta = statistics.median(long) if long else 0.0
    cos, sin = math.cos(-theta), math.sin(-theta)
    placed: list[_Placed] = []
    for box in boxes:
        xs = [x * cos - y * sin for x, y in box.points]
        ys = [x * sin + y * cos for x, y in box.points]
        placed.append(_Placed(box, min(xs), max(xs), sum(ys) / len(ys), max(ys) - min(ys)))
    return placed


def _rows(boxes: Sequence[TextBox]) -> list[list[_Placed]]:
    """Boxes grouped into the card's printed rows, top to bottom, each left to right."""
    placed = sorted(_straighten(boxes), key=lambda p: p.middle)
    if not placed:
        return []
    typical = statistics.median(p.height for p in placed)
    rows: list[list[_Placed]] = []
    for item in placed:
        if rows:
            row = rows[-1]
            middle = sum(p.middle for p in row) / len(row)
            if abs(item.middle - middle) < 0.5 * typical:
                row.append(item)
                continue
        rows.append([item])
    return [sorted(row, key=lambda p: p.left) for row in rows]


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def _match_label(text: str) -> tuple[str, int] | None:
    """(field, length of the label in `text`) when `text` starts with a field's label."""
    letters = _letters(text)
    if not letters:
        return None
    best: tuple[float, str, str] | None = None
    for label, name in LABELS.items():
        head = letters[: len(label)]
        if len(head) < min(3, len(label)):
            continue
        score = 100.0 if head == label else fuzz.ratio(head, label)
        # Short labels must be exact: "nik"/"nama" are one letter from other words.
        needed = 100 if len(label) <= 4 else 80
        if score >= needed and (best is None or score > best[0]):
            best = (score, label, name)
    if best is None:
        return None
    _, label, name = best
    seen = 0
    for i, char in enumerate(text):
        if char.isalpha():
            seen += 1
            if seen == len(label):
                return name, i + 1
    return name, len(text)


def _value(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" :;.,_-'\"").strip()


@dataclass
class _Row:
    boxes: list[_Placed]
    field: str | None  # from its label, or from its place between labelled rows
    value: str = ""


def _sex_only(parts: list[str]) -> list[str]:
    """Gol. Darah shares the Jenis Kelamin row: the sex ends where its label starts."""
    kept: list[str] = []
    for part in parts:
        at = part.lower().find("gol")
        if at >= 0:
            kept.append(part[:at])
            break
        kept.append(part)
    return kept


def _labelled(rows: Iterable[list[_Placed]]) -> tuple[list[_Row], list[str]]:
    """The rows after the header, each with the field its label names (None if unreadable),
    and the header lines (PROVINSI ..., KOTA/KABUPATEN ...)."""
    out: list[_Row] = []
    header: list[str] = []
    for row in rows:
        texts = [p.box.text for p in row]
        first = _match_label(texts[0])
        if first is None:
            whole = " ".join(texts).strip()
            if whole.upper().startswith(("PROVINSI", "KOTA", "KABUPATEN")) and not out:
                header.append(whole)
            else:
                out.append(_Row(row, None))
            continue
        name, cut = first
        parts = [texts[0][cut:], *texts[1:]]
        if name == "sex":
            parts = _sex_only(parts)
        out.append(_Row(row, name, _value(" ".join(parts))))
    return out, header


def _columns(rows: list[_Row]) -> tuple[float, float] | None:
    """Where labels and values start (the median over rows whose label was read)."""
    labelled = [r.boxes for r in rows if r.value and len(r.boxes) >= 2]
    if not labelled:
        return None
    label_x = statistics.median(b[0].left for b in labelled)
    value_x = statistics.median(b[1].left for b in labelled)
    return label_x, value_x


def _infer_by_place(rows: list[_Row]) -> None:
    """A row whose label was not read takes its field from the card's fixed order: between
    'NIK' and 'Jenis Kelamin' the two unlabelled rows are 'Nama' and 'Tempat/Tgl Lahir'; after
    the last label read, the rows that follow it under the value column follow its order."""
    columns = _columns(rows)
    # Text of the photo column (issuing place, date) is no row of the form.
    photo_x = columns[1] + 2 * (columns[1] - columns[0]) if columns else math.inf
    known = [(i, FIELD_ORDER.index(r.field)) for i, r in enumerate(rows) if r.field in FIELD_ORDER]
    bounds = [(-1, -1), *known, (len(rows), len(FIELD_ORDER))]
    for (i, before), (k, after) in itertools.pairwise(bounds):
        gap = [
            j for j in range(i + 1, k) if rows[j].field is None and rows[j].boxes[0].left < photo_x
        ]
        trailing = k == len(rows) and before >= 0
        if gap and (len(gap) == after - before - 1 or trailing):
            for offset, j in enumerate(gap, start=1):
                if before + offset < after:
                    rows[j].field = FIELD_ORDER[before + offset]
    if columns is None:
        return
    # An unlabelled row keeps only what stands in the value column (a misread label stays out).
    label_x, value_x = columns
    edge = value_x - 0.3 * (value_x - label_x)
    for row in rows:
        if row.field is not None and not row.value:
            parts = [p.box.text for p in row.boxes if p.left >= edge]
            if row.field == "sex":
                parts = _sex_only(parts)
            row.value = _value(" ".join(parts))


def _fields(rows: Iterable[list[_Placed]]) -> tuple[dict[str, str], list[str]]:
    """Field -> value text, and the header lines."""
    labelled, header = _labelled(rows)
    _infer_by_place(labelled)
    fields: dict[str, str] = {}
    last = ""
    for row in labelled:
        if row.field is None:
            # A second address line: right after Alamat, under the value column (one only).
            if last == "address" and "rt_rw" not in fields:
                whole = " ".join(p.box.text for p in row.boxes)
                fields["address"] = f"{fields['address']} {_value(whole)}".strip()
                last = "address_continued"
            continue
        if row.field not in fields:
            fields[row.field] = row.value
            last = row.field
    return fields, header


# ---------------------------------------------------------------------- field readers


def _digits_of(text: str) -> str:
    return "".join(DIGIT_LOOKALIKES.get(c, c)[0] if not c.isdigit() else c for c in text)


def read_birth(text: str) -> tuple[str, date | None]:
    """'PROBOLINGGO, 05-07-1990' -> ('PROBOLINGGO', 1990-07-05); lookalikes read as digits."""
    pattern = r"([0-9A-Za-z|!$&]{2})\s*[-./,]?\s*([0-9A-Za-z|!$&]{2})\s*[-./,]?\s*([0-9A-Za-z|!$&]{4})\s*$"
    match = re.search(pattern, text)
    # Lookalikes stand in for a few digits, not for a whole date ("BOLINGGO" is no date).
    if match is None or sum(c.isdigit() for c in match.group(0)) < 5:
        return _name_like(text), None
    day, month, year = (_digits_of(g) for g in match.groups())
    place = _name_like(text[: match.start()])
    if not (day + month + year).isdigit():
        return place, None
    try:
        born = date(int(year), int(month), int(day))
    except ValueError:
        return place, None
    if not 1900 <= born.year <= date.today().year:
        return place, None
    return place, born


def _name_like(text: str) -> str:
    """Letters as printed: digits that stand for letters go back to letters."""
    cleaned = "".join(LETTER_LOOKALIKES.get(c, c) for c in text.upper())
    cleaned = re.sub(r"[^A-Z .,'`-]", " ", cleaned)
    cleaned = re.sub(r"\s*([.,])\s*", r"\1 ", cleaned)
    return re.sub(r"\s+", " ", cleaned).strip(" ,.-'")


def read_name(text: str) -> str:
    name = _name_like(text)
    return name if len(name.replace(" ", "")) >= 2 else ""


def read_sex(text: str) -> bool | None:
    letters = _letters(text)
    if not letters:
        return None
    female = fuzz.partial_ratio("perempuan", letters)
    male = fuzz.partial_ratio("lakilaki", letters)
    if max(female, male) < 70 or female == male:
        return None
    return female > male


def read_rt_rw(text: str) -> str:
    digits = re.sub(r"\D", "", _digits_of(re.sub(r"[/\\]", " ", text)))
    return f"{digits[:3]}/{digits[3:]}" if len(digits) == 6 else ""


def _snap(text: str, names: Sequence[str]) -> str:
    found = process.extractOne(text.upper(), [n.upper() for n in names], scorer=fuzz.ratio)
    if found is not None and found[1] >= 80:
        return names[found[2]].upper()
    return text.upper()


# ---------------------------------------------------------------------- NIK


def _nik_digits(text: str) -> list[str]:
    """Each character of the NIK line as the digits it may stand for, most likely first;
    '' for a stray letter, which is dropped (a NIK line holds digits only)."""
    out: list[str] = []
    for char in text:
        if char.isdigit():
            out.append(char)
        elif char in DIGIT_LOOKALIKES:
            out.append(DIGIT_LOOKALIKES[char])
        elif char.isalpha():
            out.append("")
    return out


def _spellings(text: str) -> Iterable[tuple[str, float]]:
    """Every digit string the NIK line may stand for, with its cost: half a point for each
    character that was not printed as a digit, a quarter more for a second-likeliest digit."""
    chars = [c for c in text if c.isdigit() or c in DIGIT_LOOKALIKES or c.isalpha()]
    options = _nik_digits(text)
    choices = [[(d, rank) for rank, d in enumerate(o)] if o else [("", 0)] for o in options]
    if math.prod(len(c) for c in choices) > MAX_CANDIDATES:
        return
    base = 0.5 * sum(1 for c in chars if not c.isdigit())
    for combo in itertools.product(*choices):
        yield "".join(d for d, _ in combo), base + 0.25 * sum(rank for _, rank in combo)


def nik_candidates(text: str) -> dict[str, float]:
    """Structurally valid 16-digit readings of a NIK line, each with its cost (lower = closer
    to the printed characters). Lengths 15 and 17 are tried with one digit lost or doubled."""
    found: dict[str, float] = {}

    def keep(nik: str, cost: float) -> None:
        if check_nik(nik).valid and cost < found.get(nik, math.inf):
            found[nik] = cost

    for spelled, cost in _spellings(text):
        if len(spelled) == 16:
            keep(spelled, cost)
        elif len(spelled) == 17:
            for i in range(17):
                keep(spelled[:i] + spelled[i + 1 :], cost + 2)
        elif len(spelled) == 15:
            for i in range(16):
                for d in "0123456789":
                    keep(spelled[:i] + d + spelled[i:], cost + 2)
    return found


def choose_nik(
    candidates: dict[str, float],
    birth: date | None,
    female: bool | None,
    regency: str,
) -> str:
    """The one reading the rest of the card supports best, or '' when two fit equally well.

    The card itself is the evidence: its date of birth and sex are printed in digits 7-12 of the
    NIK (+40 on the day for women), and a KOTA PROBOLINGGO card most often carries 3574.
    """
    if not candidates:
        return ""
    scored: list[tuple[float, str]] = []
    for nik, cost in candidates.items():
        score = -cost
        if nik[:2] in PROVINCE_CODES:
            score += 1
        if birth is not None and female is not None:
            expected = f"{birth.day + (40 if female else 0):02d}{birth:%m%y}"
            score += 3 if nik[6:12] == expected else 0
        elif female is not None:
            score += 1 if check_nik(nik).female == female else 0
        if "PROBOLINGGO" in regency and regency.startswith("KOTA") and nik[:4] == CITY_CODE:
            score += 0.25
        scored.append((score, nik))
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][0] - scored[1][0] < 0.5:
        return ""
    return scored[0][1]


def _find_nik_line(fields: dict[str, str], boxes: Sequence[TextBox]) -> str:
    if fields.get("nik"):
        return fields["nik"]
    # No "NIK" label read: the longest box that is mostly digits.
    best = ""
    for box in boxes:
        compact = re.sub(r"\W", "", box.text)
        digits = sum(c.isdigit() for c in compact)
        if 14 <= len(compact) <= 18 and digits >= 12 and len(compact) > len(best):
            best = compact
    return best


# ---------------------------------------------------------------------- the card


def parse_ktp(boxes: Sequence[TextBox]) -> KtpReading:
    """The fields of a KTP from the OCR boxes of its photo (upright)."""
    fields, header = _fields(_rows(boxes))
    province = regency = ""
    for line in header:
        upper = re.sub(r"\s+", " ", line.upper()).strip()
        if upper.startswith("PROVINSI"):
            province = _name_like(upper.removeprefix("PROVINSI"))
        else:
            regency = _name_like(upper)
    birth_place, birth = read_birth(fields.get("birth", ""))
    female = read_sex(fields.get("sex", ""))
    nik_line = _find_nik_line(fields, boxes)
    nik = choose_nik(nik_candidates(nik_line), birth, female, regency) if nik_line else ""
    kelurahan = _name_like(fields.get("kelurahan", ""))
    kecamatan = _name_like(fields.get("kecamatan", ""))
    if nik.startswith(CITY_CODE) or regency == "KOTA PROBOLINGGO":
        wilayah = load_wilayah()
        kecamatan = _snap(kecamatan, wilayah.kecamatan) if kecamatan else ""
        kelurahan = _snap(kelurahan, wilayah.kelurahan) if kelurahan else ""
    return KtpReading(
        nik=nik,
        nik_seen=bool(nik_line),
        name=read_name(fields.get("name", "")),
        birth_place=birth_place,
        birth_date=birth,
        female=female,
        address=_address(fields.get("address", "")),
        rt_rw=read_rt_rw(fields.get("rt_rw", "")),
        kelurahan=kelurahan,
        kecamatan=kecamatan,
        province=province,
        regency=regency,
    )


def _address(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9 .,/'-]", " ", text.upper())
    return re.sub(r"\s+", " ", cleaned).strip(" ,.-")
