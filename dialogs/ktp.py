"""The KTP read from its photo, as the dialogs see it: a typed port and the fields it proposes.

The reading itself (an OCR engine on the server, see `bot/ktp_reader.py`) is I/O and a heavy
library, so the dialogs only know this small interface; the composition root passes in the real
reader, and dialog tests any object with the same method. Every field here is a PROPOSAL for the
citizen to confirm or correct: nothing read from a photo is filled in silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Protocol

from nlu.entities import check_nik
from nlu.wilayah import load_wilayah

CITY_CODE = "3574"  # Kota Probolinggo (Kemendagri 35.74)


@dataclass(frozen=True, slots=True)
class KtpReading:
    """The fields read from one KTP photo; an empty string (or None) where nothing was read.

    `nik` is only ever a NIK that passed the same structural check as a typed one;
    `nik_seen` says a NIK-like line was on the photo even when it could not be read reliably,
    so the dialog can say "please type it" instead of "this is not a KTP".
    """

    nik: str = ""
    nik_seen: bool = False
    name: str = ""
    birth_place: str = ""
    birth_date: date | None = None
    female: bool | None = None
    address: str = ""
    rt_rw: str = ""
    kelurahan: str = ""
    kecamatan: str = ""
    province: str = ""
    regency: str = ""

    @property
    def found_anything(self) -> bool:
        return bool(self.nik or self.name or self.birth_date or self.address)


class KtpReader(Protocol):
    async def read(self, document_ref: str) -> KtpReading | None:
        """Fields read from the stored image `document_ref` (`sha256:<hex>`), or None when the
        reader is switched off, busy, or the file is not an image it can read."""
        ...


@cache
def _city_kecamatan_codes() -> frozenset[str]:
    return frozenset(load_wilayah().kecamatan_codes.values())


def registered_in_city(nik: str) -> bool:
    """True when the NIK was first registered in a kecamatan of Kota Probolinggo.

    A NIK never changes when its holder moves, so False is a hint for the officer, never a
    reason to refuse: a citizen registered elsewhere may run a business in the city.
    """
    return (
        len(nik) == 16
        and check_nik(nik).valid
        and nik[:4] == CITY_CODE
        and nik[:6] in _city_kecamatan_codes()
    )


# The application's steps at which a photo is taken as the KTP: its first questions (the
# citizen may send the card instead of typing) and the KTP upload itself.
KTP_STEPS = frozenset({"full_name", "nik", "doc:ktp", "ktp_confirm"})


def wants_ktp(state: Mapping[str, object] | None) -> bool:
    """Whether a photo arriving now is a KTP to read (from the stored conversation state).

    The pipeline asks this BEFORE the turn, to read the photo outside the turn's transaction;
    a state that moved on meanwhile only means a reading nobody takes.
    """
    if not state:
        return False
    return state.get("flow") == "apply" and state.get("step") in KTP_STEPS
