"""The office's common answers, given to officers as canned replies the first time the console
lists them (admins edit or delete them afterwards; they are not given again)."""

from __future__ import annotations

from dialogs.office import load_office_info
from permit_rules import load_default_rule_set


def default_replies() -> list[tuple[str, str]]:
    """(title, body) pairs built from the office facts and the NIB rule, so they say what the
    bot says."""
    office = load_office_info()
    hours = "\n".join(f"• {line}" for line in office.hours["id"])
    bring = "\n".join(f"• {line}" for line in office.bring["id"])
    nib = load_default_rule_set().permits.get("NIB")
    nib_note = f"\n{nib.note}" if nib is not None and nib.note else ""
    return [
        ("Jam layanan", f"Jam layanan {office.name}:\n{hours}"),
        (
            "Alamat kantor",
            f"Bapak/Ibu dapat datang ke {office.name}, {office.address}. "
            f"Informasi lengkap: {office.website}",
        ),
        (
            "Langkah membuat NIB",
            "NIB dibuat lewat OSS (https://oss.go.id) dan gratis.\n"
            "1. Siapkan:\n"
            f"{bring}\n"
            "2. Daftar akun di OSS, lalu isi data usaha dan pilih kegiatan usaha (KBLI).\n"
            "3. Setelah data lengkap, NIB terbit dan dapat diunduh di akun OSS."
            f"{nib_note}\n"
            f"Bila perlu dibantu, petugas kami siap membantu di {office.name}.",
        ),
        (
            "Salam pembuka",
            "Selamat datang di layanan DPMPTSP Kota Probolinggo. Saya petugas yang akan membantu "
            "Bapak/Ibu. Ada yang bisa kami bantu?",
        ),
    ]
