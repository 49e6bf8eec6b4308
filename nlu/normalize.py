"""Text clean-up shared by the classifier and the KBLI matcher.

Citizens write informal Indonesian with abbreviations (sy, gmn, brp, tdk, gk, min, kak, gan),
elongated letters ("haloooo"), Javanese/Madurese words and emoji. `clean` makes any string safe
(control characters removed, length bounded); `normalize` lowercases and expands the common
abbreviations so that training and parsing see the same vocabulary.
"""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202f\ufeff]")
_WORD = re.compile(r"[a-z0-9]+")
_ELONGATED = re.compile(r"([a-z])\1{2,}")

ABBREVIATIONS: dict[str, str] = {
    "sy": "saya",
    "sya": "saya",
    "aq": "aku",
    "ak": "aku",
    "gw": "saya",
    "gue": "saya",
    "gmn": "bagaimana",
    "gmna": "bagaimana",
    "gimana": "bagaimana",
    "gmana": "bagaimana",
    "bgmn": "bagaimana",
    "brp": "berapa",
    "brapa": "berapa",
    "tdk": "tidak",
    "gk": "tidak",
    "ga": "tidak",
    "gak": "tidak",
    "nggak": "tidak",
    "ngga": "tidak",
    "enggak": "tidak",
    "engga": "tidak",
    "kagak": "tidak",
    "g": "tidak",
    "tak": "tidak",
    "yg": "yang",
    "dgn": "dengan",
    "dg": "dengan",
    "utk": "untuk",
    "untk": "untuk",
    "u/": "untuk",
    "krn": "karena",
    "karna": "karena",
    "jg": "juga",
    "aja": "saja",
    "aj": "saja",
    "udh": "sudah",
    "sdh": "sudah",
    "udah": "sudah",
    "dah": "sudah",
    "blm": "belum",
    "blom": "belum",
    "dr": "dari",
    "tp": "tapi",
    "tpi": "tapi",
    "bs": "bisa",
    "bsa": "bisa",
    "klo": "kalau",
    "kalo": "kalau",
    "kl": "kalau",
    "mo": "mau",
    "pengen": "ingin",
    "pgn": "ingin",
    "pingin": "ingin",
    "pengin": "ingin",
    "kpn": "kapan",
    "dmn": "dimana",
    "dmna": "dimana",
    "knp": "kenapa",
    "bgt": "banget",
    "trs": "terus",
    "trus": "terus",
    "sm": "sama",
    "ama": "sama",
    "lg": "lagi",
    "lgi": "lagi",
    "jd": "jadi",
    "jdi": "jadi",
    "bkn": "bukan",
    "org": "orang",
    "tks": "thanks",
    "thx": "thanks",
    "makasih": "terima kasih",
    "makasi": "terima kasih",
    "mksh": "terima kasih",
    "trims": "terima kasih",
    "trimakasih": "terima kasih",
    "terimakasih": "terima kasih",
    "ty": "thanks",
    "ok": "oke",
    "okay": "oke",
    "okey": "oke",
    "okee": "oke",
    "sip": "oke",
    "siap": "oke",
    "y": "ya",
    "iy": "iya",
    "iyaa": "iya",
    "yoi": "iya",
    "ass": "assalamualaikum",
    "askum": "assalamualaikum",
    "assalamualaikum": "assalamualaikum",
    "asslmkm": "assalamualaikum",
    "mlm": "malam",
    "pgi": "pagi",
    "spt": "seperti",
    "sbg": "sebagai",
    "bbrp": "beberapa",
    "hrs": "harus",
    "prlu": "perlu",
    "perlu": "perlu",
    "syarat2": "syarat",
    "dokumen2": "dokumen",
    "izin2": "izin",
    "ijin": "izin",
    "ijinnya": "izinnya",
    "nib": "nib",
    "pirt": "pirt",
    "p-irt": "pirt",
    "umkm": "umkm",
    "jl": "jalan",
    "jln": "jalan",
    "hp": "hp",
    "wa": "whatsapp",
    "nmr": "nomor",
    "nomer": "nomor",
    "alamt": "alamat",
    "kntr": "kantor",
    "brg": "barang",
    "dpt": "dapat",
    "sampe": "sampai",
    "smp": "sampai",
    "hr": "hari",
    "bln": "bulan",
    "thn": "tahun",
    "th": "tahun",
    "rb": "ribu",
    "jt": "juta",
}

ENGLISH_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "is",
        "are",
        "am",
        "was",
        "what",
        "how",
        "which",
        "who",
        "where",
        "when",
        "why",
        "do",
        "does",
        "did",
        "i",
        "you",
        "my",
        "your",
        "me",
        "we",
        "our",
        "can",
        "could",
        "would",
        "should",
        "please",
        "need",
        "want",
        "to",
        "of",
        "for",
        "in",
        "on",
        "with",
        "and",
        "or",
        "business",
        "permit",
        "permits",
        "license",
        "licence",
        "shop",
        "open",
        "opening",
        "requirements",
        "hello",
        "hi",
        "thanks",
        "thank",
        "much",
        "cost",
        "long",
        "office",
        "address",
        "help",
        "cancel",
        "english",
        "yes",
        "no",
        "not",
        "sell",
        "selling",
        "small",
        "registration",
        "register",
        "apply",
        "status",
        "application",
        "documents",
        "document",
        "hours",
        "human",
        "agent",
        "there",
        "it",
        "this",
        "that",
        "have",
        "has",
        "will",
        "speak",
        "talk",
    ]
)
INDONESIAN_WORDS = frozenset(
    [
        "saya",
        "aku",
        "mau",
        "ingin",
        "apa",
        "apakah",
        "yang",
        "di",
        "ke",
        "dari",
        "untuk",
        "dengan",
        "dan",
        "atau",
        "tidak",
        "ya",
        "iya",
        "izin",
        "usaha",
        "buka",
        "jualan",
        "jual",
        "bikin",
        "berapa",
        "bagaimana",
        "gimana",
        "kapan",
        "dimana",
        "mana",
        "syarat",
        "biaya",
        "lama",
        "kantor",
        "alamat",
        "tolong",
        "bisa",
        "sudah",
        "belum",
        "terima",
        "kasih",
        "halo",
        "selamat",
        "pagi",
        "siang",
        "sore",
        "malam",
        "min",
        "kak",
        "gan",
        "pak",
        "bu",
        "mas",
        "mbak",
        "warung",
        "toko",
        "rumah",
        "daftar",
        "bahasa",
        "nggih",
        "monggo",
        "kulo",
        "sampeyan",
        "bade",
        "piye",
        "opo",
        "iku",
        "niki",
        "nopo",
        "ini",
        "itu",
        "ada",
        "perlu",
        "harus",
        "buat",
        "punya",
    ]
)


def clean(text: str) -> str:
    """Make any input safe to process: str, NFC, no control characters, bounded length."""
    if not isinstance(text, str):
        text = str(text)
    text = unicodedata.normalize("NFC", text[: MAX_CHARS * 2])
    text = _CONTROL.sub(" ", text)
    return text[:MAX_CHARS]


def fold(text: str) -> str:
    """Lowercase, strip accents and keep letters/digits as space-separated words."""
    text = unicodedata.normalize("NFKD", clean(text).lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("m²", "m2").replace("²", "2")
    return " ".join(_WORD.findall(text))


def normalize(text: str) -> str:
    """`fold` plus elongation squeeze and abbreviation expansion (used for classification)."""
    words = []
    for word in fold(text).split():
        word = _ELONGATED.sub(r"\1", word)
        words.append(ABBREVIATIONS.get(word, word))
    return " ".join(words)


# Words a chat opens with before the request: greetings, and the ways of addressing the office
# ("min" for admin, "kak", "pak", "bu", ...). Javanese, Madurese and Balinese greetings too.
GREETING_WORDS = frozenset(
    [
        "halo", "hallo", "helo", "hai", "hi", "hello", "hey", "assalamualaikum", "assalamu",
        "alaikum", "waalaikumsalam", "wr", "wb", "warahmatullahi", "wabarakatuh", "salam",
        "selamat", "met", "pagi", "siang", "sore", "malam", "permisi", "punten", "nuwun", "sewu",
        "sugeng", "enjing", "dalu", "om", "swastiastu", "shalom", "sampurasun", "good", "morning",
        "afternoon", "evening", "min", "admin", "mimin", "kak", "kakak", "pak", "bapak", "bu",
        "ibu", "mas", "mbak", "gan", "sis", "bos", "dik", "siketan", "dpmptsp",
    ]
)  # fmt: skip


def strip_greeting(norm: str) -> str:
    """What follows the opening greeting in a normalized text ("" when it is all greeting)."""
    words = norm.split()
    start = 0
    while start < len(words) and words[start] in GREETING_WORDS:
        start += 1
    return " ".join(words[start:])


def detect_language(text: str) -> str:
    """'en' when English function words clearly outnumber Indonesian ones, else 'id'."""
    words = fold(text).split()
    en = sum(1 for w in words if w in ENGLISH_WORDS)
    idn = sum(1 for w in words if w in INDONESIAN_WORDS or w in ABBREVIATIONS)
    return "en" if en > idn and en >= 1 else "id"
