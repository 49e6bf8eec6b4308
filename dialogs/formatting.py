"""Dates, money and numbers the Indonesian way (Babel), and masking of personal numbers."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date as _babel_date
from babel.numbers import format_decimal


def format_date(day: date, locale: str = "id") -> str:
    """27 November 2026 (Indonesian month names also in English texts: dates are local facts)."""
    return str(_babel_date(day, "d MMMM y", locale="en" if locale == "en" else "id"))


def rupiah(amount: int | float) -> str:
    """Rp50.000.000 (dot as thousands separator, no decimals)."""
    return "Rp" + str(format_decimal(round(amount), format="#,##0", locale="id"))


def number(value: int | float, locale: str = "id") -> str:
    """1.250 or 12,5 (Indonesian separators)."""
    if float(value).is_integer():
        return str(format_decimal(int(value), format="#,##0", locale="id"))
    return str(format_decimal(value, format="#,##0.##", locale="id"))


def mask_nik(nik: str) -> str:
    """3574**********01: enough for the citizen to recognise it, useless to anyone else."""
    digits = "".join(c for c in nik if c.isdigit())
    if len(digits) < 8:
        return "*" * len(digits)
    return digits[:4] + "*" * (len(digits) - 6) + digits[-2:]


def mask_phone(phone: str) -> str:
    if len(phone) < 7:
        return phone
    return phone[:5] + "*" * (len(phone) - 8) + phone[-3:]
