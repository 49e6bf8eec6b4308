"""Synthetic KTP-el photographs: the test and benchmark set for reading a KTP from its photo.

Each card follows the printed layout of the Indonesian electronic ID card (KTP-el): the
PROVINSI / KOTA-KABUPATEN header, the NIK in large bold digits, the labelled fields (Nama,
Tempat/Tgl Lahir, Jenis Kelamin with Gol. Darah, Alamat, RT/RW, Kel/Desa, Kecamatan, Agama,
Status Perkawinan, Pekerjaan, Kewarganegaraan, Berlaku Hingga), and the photo, issuing place,
date and signature on the right. Names are drawn at random from common Indonesian given names,
and every NIK is structurally valid (region code, birth date with +40 for women, serial >= 0001),
consistent with the printed date of birth and sex, as on a real card.

The card is then "photographed": placed on a table, turned, skewed, lit unevenly, blurred,
noised and saved as a JPEG of varying quality, like a phone picture sent through a chat app.

Font: DejaVu Sans (Debian package fonts-dejavu-core, also used by the receipts). Licence:
Bitstream Vera Fonts licence (free to use, copy and redistribute), DejaVu changes in the public
domain; see /usr/share/doc/fonts-dejavu-core/copyright.

Everything is drawn with Pillow from a seed; nothing is downloaded and no real card is copied.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CARD_W, CARD_H = 1012, 638  # ID-1 card (85.6 x 54 mm) at about 300 dpi

# Kota Probolinggo: kecamatan code -> (kecamatan, its kelurahan), from ../shared/data
# probolinggo_wilayah.csv (Kepmendagri codes 35.74.01-05).
PROBOLINGGO = {
    "01": ("KADEMANGAN", ["KETAPANG", "TRIWUNG LOR", "TRIWUNG KIDUL", "PILANG", "KADEMANGAN"]),
    "02": ("WONOASIH", ["JREBENG KIDUL", "PAKISTAJI", "KEDUNGGALENG", "SUMBER TAMAN"]),
    "03": ("MAYANGAN", ["MAYANGAN", "MANGUNHARJO", "JATI", "SUKABUMI", "WIROBORANG"]),
    "04": ("KANIGARAN", ["TISNONEGARAN", "SUKOHARJO", "KANIGARAN", "KEBONSARI WETAN"]),
    "05": ("KEDOPOK", ["JREBENG KULON", "KARENG LOR", "SUMBER WETAN", "KEDOPOK"]),
}

# Other issuing regions (Kemendagri province and regency codes). The kecamatan and kelurahan
# printed for them are plausible names only: the reader never checks them against a code.
OTHER_REGIONS = [
    ("35", "JAWA TIMUR", "13", "KABUPATEN PROBOLINGGO", ["KRAKSAAN", "LECES", "DRINGU"]),
    ("35", "JAWA TIMUR", "78", "KOTA SURABAYA", ["GUBENG", "TEGALSARI", "WONOKROMO"]),
    ("35", "JAWA TIMUR", "73", "KOTA MALANG", ["KLOJEN", "LOWOKWARU", "BLIMBING"]),
    ("35", "JAWA TIMUR", "09", "KABUPATEN JEMBER", ["KALIWATES", "PATRANG", "SUMBERSARI"]),
    ("35", "JAWA TIMUR", "12", "KABUPATEN SITUBONDO", ["PANJI", "BESUKI", "SUBOH"]),
    ("35", "JAWA TIMUR", "79", "KOTA BATU", ["BATU", "BUMIAJI", "JUNREJO"]),
    ("31", "DKI JAKARTA", "71", "KOTA ADM. JAKARTA SELATAN", ["TEBET", "SETIABUDI", "CILANDAK"]),
    ("32", "JAWA BARAT", "73", "KOTA BANDUNG", ["COBLONG", "SUKAJADI", "ANDIR"]),
    ("33", "JAWA TENGAH", "74", "KOTA SEMARANG", ["CANDISARI", "BANYUMANIK", "TEMBALANG"]),
    ("51", "BALI", "71", "KOTA DENPASAR", ["DENPASAR SELATAN", "DENPASAR BARAT"]),
    ("73", "SULAWESI SELATAN", "71", "KOTA MAKASSAR", ["PANAKKUKANG", "TAMALATE", "MARISO"]),
    ("12", "SUMATERA UTARA", "71", "KOTA MEDAN", ["MEDAN BARU", "MEDAN PETISAH"]),
]
VILLAGES = ["SUKOREJO", "KARANGANYAR", "SIDOMULYO", "TANJUNGSARI", "WONOREJO", "PURWOSARI"]

MALE = ["MUHAMMAD", "AHMAD", "BUDI", "AGUS", "EKO", "HADI", "SLAMET", "JOKO", "BAMBANG", "RUDI"]
MALE += ["ABDUL", "MOCH.", "IMAM", "ARIF", "YUSUF", "HENDRA", "WAHYU", "ANDI", "FAJAR", "RIZKY"]
MALE += ["SUPRIYADI", "SUGENG", "HARIYANTO", "NUR", "SAIFUL", "KHOIRUL", "TAUFIK", "ZAINAL"]
FEMALE = ["SITI", "SRI", "DEWI", "NUR", "ANI", "RINA", "LILIK", "ENDANG", "WULAN", "YULI"]
FEMALE += ["FITRIA", "NOVI", "LINDA", "MAYA", "HANI", "RATNA", "ANISA", "DIAH", "ERNA", "TITIK"]
FEMALE += ["MASRUROH", "QOMARIYAH", "ZULAIKHA", "WAHYUNI", "SUSILOWATI", "FATIMAH"]
MALE_FAMILY = ["SANTOSO", "WIBOWO", "HIDAYAT", "PRASETYO", "KURNIAWAN", "SAPUTRA", "FAUZI"]
MALE_FAMILY += ["HASAN", "MAHMUD", "SUGIARTO", "PURNOMO", "SETIAWAN", "WIJAYA", "SUSANTO"]
MALE_FAMILY += ["RAHMAN", "HAKIM", "ZAKARIA", "EFENDI", "SYAHPUTRA", "MUSTOFA"]
FEMALE_FAMILY = ["LESTARI", "RAHAYU", "AMINAH", "ROHMAH", "HANDAYANI", "MARYAM", "NURHAYATI"]
FEMALE_FAMILY += ["WULANDARI", "KURNIASIH", "FITRIANI", "SAFITRI", "KHOTIMAH", "NINGSIH"]
BIRTH_PLACES = ["PROBOLINGGO", "PASURUAN", "LUMAJANG", "SURABAYA", "MALANG", "JEMBER", "BONDOWOSO"]
BIRTH_PLACES += ["SITUBONDO", "SIDOARJO", "KRAKSAAN", "BANYUWANGI", "JAKARTA", "BANDUNG"]
STREETS = ["JL. SOEKARNO HATTA", "JL. PANGLIMA SUDIRMAN", "JL. DR. SUTOMO", "JL. KH. HASYIM ASYARI"]
STREETS += [
    "JL. BROMO",
    "JL. IJEN",
    "JL. SUNAN AMPEL",
    "JL. LUMAJANG",
    "JL. MASTRIP",
    "DSN. KRAJAN",
]
STREETS += ["JL. COKROAMINOTO", "PERUM KETAPANG ASRI", "JL. WR. SUPRATMAN", "JL. DIPONEGORO"]
RELIGIONS = ["ISLAM"] * 8 + ["KRISTEN", "KATOLIK", "HINDU", "BUDDHA", "KONGHUCU"]
MARITAL = ["BELUM KAWIN", "KAWIN", "KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"]
JOBS = ["WIRASWASTA", "PEDAGANG", "KARYAWAN SWASTA", "MENGURUS RUMAH TANGGA", "PETANI/PEKEBUN"]
JOBS += ["PELAJAR/MAHASISWA", "BURUH HARIAN LEPAS", "GURU", "NELAYAN/PERIKANAN", "SOPIR"]
BLOOD = ["A", "B", "AB", "O", "-", "-"]


@dataclass(frozen=True)
class KtpCard:
    """What is printed on one synthetic card: the truth the reader is measured against."""

    nik: str
    name: str
    birth_place: str
    birth_date: date
    female: bool
    blood: str
    address: str
    rt_rw: str
    kelurahan: str
    kecamatan: str
    religion: str
    marital: str
    job: str
    province: str
    regency: str
    issued_place: str
    issued_on: date

    @property
    def sex(self) -> str:
        return "PEREMPUAN" if self.female else "LAKI-LAKI"


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    path = FONT_DIR / name
    if not path.is_file():
        raise FileNotFoundError(
            f"{path} is missing: install the Debian package fonts-dejavu-core "
            "(.ci/run does) to draw the synthetic KTP cards"
        )
    return ImageFont.truetype(str(path), size)


def make_nik(rng: random.Random, region: str, birth: date, female: bool) -> str:
    """A structurally valid NIK: region (6 digits), DDMMYY with +40 on DD for women, serial."""
    day = birth.day + (40 if female else 0)
    serial = rng.randint(1, 9999)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def random_card(rng: random.Random) -> KtpCard:
    female = rng.random() < 0.5
    birth = date(1950, 1, 1) + timedelta(days=rng.randint(0, 365 * 56))
    given = rng.choice(FEMALE if female else MALE)
    parts = [given]
    if rng.random() < 0.5:
        parts.append(rng.choice(FEMALE if female else MALE))
    parts.append(rng.choice(FEMALE_FAMILY if female else MALE_FAMILY))
    name = " ".join(dict.fromkeys(parts))  # no repeated word ("NUR NUR")
    if rng.random() < 0.65:  # most applicants at this counter hold a Kota Probolinggo card
        code, (kecamatan, villages) = rng.choice(sorted(PROBOLINGGO.items()))
        region = f"3574{code}"
        province, regency = "JAWA TIMUR", "KOTA PROBOLINGGO"
        kelurahan = rng.choice(villages)
    else:
        prov_code, province, reg_code, regency, kecamatans = rng.choice(OTHER_REGIONS)
        region = f"{prov_code}{reg_code}{rng.randint(1, 25):02d}"
        kecamatan = rng.choice(kecamatans)
        kelurahan = rng.choice(VILLAGES)
    # The region a NIK carries is where it was first registered, which may not be the card's
    # issuing region (people move): one card in ten carries a NIK from elsewhere.
    if rng.random() < 0.1:
        prov_code, _, reg_code, _, _ = rng.choice(OTHER_REGIONS)
        region = f"{prov_code}{reg_code}{rng.randint(1, 25):02d}"
    street = rng.choice(STREETS)
    address = street if street.startswith("DSN") else f"{street} NO. {rng.randint(1, 250)}"
    if rng.random() < 0.2:
        address += f" GG. {rng.choice(['MAWAR', 'MELATI', 'KENANGA', 'II', 'IV'])}"
    issued = date(2012, 1, 1) + timedelta(days=rng.randint(0, 365 * 13))
    return KtpCard(
        nik=make_nik(rng, region, birth, female),
        name=name,
        birth_place=rng.choice(BIRTH_PLACES),
        birth_date=birth,
        female=female,
        blood=rng.choice(BLOOD),
        address=address,
        rt_rw=f"{rng.randint(1, 12):03d}/{rng.randint(1, 9):03d}",
        kelurahan=kelurahan,
        kecamatan=kecamatan,
        religion=rng.choice(RELIGIONS),
        marital=rng.choice(MARITAL),
        job=rng.choice(JOBS),
        province=province,
        regency=regency,
        issued_place=regency.replace("KABUPATEN ", "").replace("KOTA ADM. ", ""),
        issued_on=issued,
    )


# ---------------------------------------------------------------------- drawing the card


def _background(rng: random.Random) -> Image.Image:
    """Pale blue-green with the fine wavy guilloche lines of the card's security print."""
    card = Image.new("RGB", (CARD_W, CARD_H))
    draw = ImageDraw.Draw(card)
    top = (rng.randint(170, 200), rng.randint(215, 235), rng.randint(235, 250))
    bottom = (rng.randint(200, 225), rng.randint(230, 245), rng.randint(225, 245))
    for y in range(CARD_H):
        t = y / CARD_H
        draw.line(
            [(0, y), (CARD_W, y)],
            fill=tuple(int(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    tint = (top[0] - 25, top[1] - 15, top[2] - 5)
    phase = rng.random() * math.tau
    for k in range(0, CARD_H, 9):
        points = [
            (x, k + 5 * math.sin(x / 37 + phase + k / 23) + 3 * math.sin(x / 11 + k))
            for x in range(0, CARD_W + 8, 8)
        ]
        draw.line(points, fill=tint, width=1)
    # The faint emblem watermark behind the fields.
    cx, cy = CARD_W * 0.36, CARD_H * 0.55
    for r in range(40, 170, 14):
        draw.ellipse([cx - r, cy - r * 0.9, cx + r, cy + r * 0.9], outline=tint, width=2)
    return card


def _photo(draw: ImageDraw.ImageDraw, rng: random.Random, box: tuple[int, int, int, int]) -> None:
    x0, y0, x1, y1 = box
    backdrop = rng.choice(
        [(200, 40, 40), (40, 80, 180)]
    )  # red or blue, by birth year on real cards
    draw.rectangle(box, fill=backdrop)
    skin = (rng.randint(150, 215), rng.randint(110, 165), rng.randint(80, 130))
    cx = (x0 + x1) // 2
    draw.ellipse([cx - 48, y0 + 40, cx + 48, y0 + 160], fill=skin)
    draw.rectangle([cx - 20, y0 + 150, cx + 20, y0 + 180], fill=skin)
    cloth = rng.choice([(30, 30, 30), (240, 240, 240), (60, 60, 110)])
    draw.pieslice([x0 - 10, y0 + 170, x1 + 10, y1 + 120], 180, 360, fill=cloth)


def _signature(draw: ImageDraw.ImageDraw, rng: random.Random, x: int, y: int) -> None:
    points = [(x + i * 9, y + rng.randint(-12, 12)) for i in range(14)]
    draw.line(points, fill=(20, 20, 60), width=2, joint="curve")


def render_card(card: KtpCard, rng: random.Random) -> Image.Image:
    """The card as printed, 1012 x 638 px, before it is photographed."""
    image = _background(rng)
    draw = ImageDraw.Draw(image)
    ink = (rng.randint(0, 30),) * 3
    head = _font("DejaVuSans-Bold.ttf", 27)
    nik_font = _font("DejaVuSans-Bold.ttf", 35)
    body = _font("DejaVuSans.ttf", 21)
    small = _font("DejaVuSans.ttf", 18)

    for y, line in ((18, f"PROVINSI {card.province}"), (52, card.regency)):
        width = draw.textlength(line, font=head)
        draw.text(((CARD_W - width) / 2, y), line, fill=ink, font=head)

    left, colon, value = 30, 248, 266
    draw.text((left, 100), "NIK", fill=ink, font=nik_font)
    draw.text((colon - 8, 100), ":", fill=ink, font=nik_font)
    draw.text((value, 100), card.nik, fill=ink, font=nik_font)

    born = f"{card.birth_place}, {card.birth_date:%d-%m-%Y}"
    rows: list[tuple[str, str, int]] = [
        ("Nama", card.name, 0),
        ("Tempat/Tgl Lahir", born, 0),
        ("Jenis Kelamin", card.sex, 0),
        ("Alamat", card.address, 0),
        ("RT/RW", card.rt_rw, 22),
        ("Kel/Desa", card.kelurahan, 22),
        ("Kecamatan", card.kecamatan, 22),
        ("Agama", card.religion, 0),
        ("Status Perkawinan", card.marital, 0),
        ("Pekerjaan", card.job, 0),
        ("Kewarganegaraan", "WNI", 0),
        ("Berlaku Hingga", "SEUMUR HIDUP", 0),
    ]
    y = 156
    for label, text, indent in rows:
        draw.text((left + indent, y), label, fill=ink, font=body)
        draw.text((colon, y), ":", fill=ink, font=body)
        draw.text((value, y), text, fill=ink, font=body)
        if label == "Jenis Kelamin":
            draw.text((500, y), "Gol. Darah", fill=ink, font=body)
            draw.text((618, y), f": {card.blood}", fill=ink, font=body)
        y += 34

    photo_box = (780, 120, 980, 380)
    _photo(draw, rng, photo_box)
    for y_text, line in ((400, card.issued_place), (428, f"{card.issued_on:%d-%m-%Y}")):
        width = draw.textlength(line, font=small)
        draw.text((880 - width / 2, y_text), line, fill=ink, font=small)
    _signature(draw, rng, 820, 490)
    return image


# ---------------------------------------------------------------------- photographing it


def _table(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    base = rng.choice([(120, 90, 60), (200, 200, 195), (60, 60, 65), (150, 120, 95)])
    table = Image.new("RGB", size, base)
    draw = ImageDraw.Draw(table)
    for _ in range(60):
        y = rng.randint(0, size[1])
        shade = tuple(max(0, c + rng.randint(-18, 18)) for c in base)
        draw.line(
            [(0, y), (size[0], y + rng.randint(-40, 40))], fill=shade, width=rng.randint(1, 4)
        )
    return table


def _lighting(image: Image.Image, rng: random.Random) -> Image.Image:
    """A lamp or window on one side, a warm or cold cast, sometimes a soft shadow."""
    w, h = image.size
    pixels = np.asarray(image, dtype=np.float32)
    direction = rng.uniform(0, math.tau)
    ys, xs = np.ogrid[0:h, 0:w]
    ramp = (xs / w - 0.5) * math.cos(direction) + (ys / h - 0.5) * math.sin(direction)
    strength = rng.uniform(0.1, 0.45)
    light = 1.0 - strength * (ramp + 0.5)  # 1 on the lit side, 1 - strength on the far side
    cast = np.array(rng.choice([(1.0, 1.0, 1.0), (1.06, 1.0, 0.9), (0.92, 0.98, 1.06)]))
    pixels *= (light[..., None] * cast).astype(np.float32)
    if rng.random() < 0.3:  # the phone's or the hand's shadow across part of the card
        cx, radius = rng.uniform(0, w), rng.uniform(0.2, 0.4) * w
        inside = np.clip((radius - np.hypot(xs - cx, ys)) / (0.3 * radius), 0, 1)
        pixels *= (1 - 0.4 * inside[..., None]).astype(np.float32)
    lit = Image.fromarray(np.clip(pixels, 0, 255, out=pixels).astype(np.uint8))
    return ImageEnhance.Contrast(lit).enhance(rng.uniform(0.8, 1.15))


def _perspective(image: Image.Image, rng: random.Random) -> Image.Image:
    """A phone not quite parallel to the card: each corner moves a little."""
    w, h = image.size
    d = 0.04
    corners = [
        (rng.uniform(0, d) * w, rng.uniform(0, d) * h),
        (w - rng.uniform(0, d) * w, rng.uniform(0, d) * h),
        (w - rng.uniform(0, d) * w, h - rng.uniform(0, d) * h),
        (rng.uniform(0, d) * w, h - rng.uniform(0, d) * h),
    ]
    coeffs = _perspective_coeffs([(0, 0), (w, 0), (w, h), (0, h)], corners)
    return image.transform((w, h), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)


def _perspective_coeffs(
    source: list[tuple[float, float]], target: list[tuple[float, float]]
) -> tuple[float, ...]:
    # Solve the 8 unknowns of the projective map target -> source (what Pillow expects).
    rows: list[list[float]] = []
    rhs: list[float] = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return tuple(_solve(rows, rhs))


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                m[r] = [x - f * y for x, y in zip(m[r], m[col], strict=True)]
    return [m[i][n] / m[i][i] for i in range(n)]


@dataclass(frozen=True)
class Shot:
    """How one photo was taken (to break the benchmark's misses down by condition)."""

    angle: float
    card_share: float  # the card's width over the frame's
    blur: float
    shake: int  # pixels of motion blur
    glare: bool
    quality: int


def _glare(image: Image.Image, rng: random.Random) -> Image.Image:
    """The laminate reflecting a lamp: a bright soft patch that washes the print out."""
    w, h = image.size
    ys, xs = np.ogrid[0:h, 0:w]
    cx, cy = rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h
    rx, ry = rng.uniform(0.08, 0.2) * w, rng.uniform(0.05, 0.15) * h
    spot = np.exp(-(((xs - cx) / rx) ** 2 + ((ys - cy) / ry) ** 2))[..., None]
    pixels = np.asarray(image, dtype=np.float32)
    strength = rng.uniform(0.4, 0.75)
    pixels = pixels + (255 - pixels) * spot * strength
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _shake(image: Image.Image, length: int, rng: random.Random) -> Image.Image:
    """A hand moving while the shutter is open: the average of the image shifted along a line."""
    direction = rng.uniform(0, math.pi)
    dx, dy = math.cos(direction), math.sin(direction)
    pixels = np.asarray(image, dtype=np.float32)
    total = np.zeros_like(pixels)
    for step in range(length):
        total += np.roll(pixels, (round(step * dy), round(step * dx)), axis=(0, 1))
    return Image.fromarray((total / length).astype(np.uint8))


def photograph(
    card_image: Image.Image, rng: random.Random, *, upside_down: bool | None = None
) -> tuple[bytes, Shot]:
    """The card as a chat app delivers a phone photo of it: a JPEG up to 1600 px wide.
    One in ten is held upside down, unless `upside_down` says."""
    card = _perspective(card_image.convert("RGBA"), rng)  # transparent outside the card
    frame_w = rng.choice([1280, 1600])
    frame_h = frame_w * 3 // 4
    share = rng.uniform(0.45, 0.9)
    scale = share * frame_w / CARD_W
    card = card.resize((int(CARD_W * scale), int(CARD_H * scale)), Image.Resampling.LANCZOS)
    angle = rng.uniform(-12, 12)
    turned = rng.random() < 0.1
    if turned if upside_down is None else upside_down:
        angle += 180
    card = card.rotate(angle, expand=True, resample=Image.Resampling.BICUBIC)
    frame = _table(rng, (frame_w, frame_h))
    x = (frame_w - card.width) // 2 + rng.randint(-30, 30)
    y = (frame_h - card.height) // 2 + rng.randint(-30, 30)
    frame.paste(card, (x, y), card)
    frame = _lighting(frame, rng)
    glare = rng.random() < 0.25
    if glare:
        frame = _glare(frame, rng)
    shake = rng.choice([0, 0, 0, 3, 5])
    if shake:
        frame = _shake(frame, shake, rng)
    blur = rng.choice([0, 0, 0.6, 1.0, 1.5, 2.0])
    if blur:
        frame = frame.filter(ImageFilter.GaussianBlur(blur))
    # Sensor noise, seeded from the same generator so a seed gives the same set.
    sigma = rng.uniform(3, 9)
    grain = np.random.default_rng(rng.getrandbits(32)).normal(0, sigma, (frame_h, frame_w, 1))
    pixels = np.asarray(frame, dtype=np.float32) + grain
    frame = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    quality = rng.randint(30, 92)
    frame.save(out, "JPEG", quality=quality)
    return out.getvalue(), Shot(angle, share, blur, shake, glare, quality)


def synthetic_set(count: int, seed: int = 18) -> list[tuple[KtpCard, bytes, Shot]]:
    """`count` cards, their photographs and how each was taken; the same for the same seed."""
    rng = random.Random(seed)
    out: list[tuple[KtpCard, bytes, Shot]] = []
    for _ in range(count):
        card = random_card(rng)
        jpeg, shot = photograph(render_card(card, rng), rng)
        out.append((card, jpeg, shot))
    return out


if __name__ == "__main__":  # write a few samples to look at: python -m tests.ktp_synth DIR
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "var/ktp-samples")
    target.mkdir(parents=True, exist_ok=True)
    for i, (card, jpeg, _shot) in enumerate(
        synthetic_set(int(sys.argv[2]) if len(sys.argv) > 2 else 6)
    ):
        (target / f"ktp-{i:03d}.jpg").write_bytes(jpeg)
        print(target / f"ktp-{i:03d}.jpg", card.nik, card.name)
