"""Indonesian labels and messages the console shows for stored keys."""

from __future__ import annotations

REASONS = {
    "asked": "Warga meminta petugas",
    "not_understood": "Bot dua kali tidak paham",
    "complaint": "Pengaduan",
    "needs_officer": "Keputusan aturan perlu petugas",
    "missing_document": "Warga tidak bisa menyediakan dokumen",
    "document_missing": "Warga tidak bisa menyediakan dokumen",
    "kbli_not_found": "KBLI tidak ditemukan",
    "decision_check": "Keputusan aturan perlu dicek petugas",
}
HANDOFF_STATUSES = {
    "open": "Menunggu",
    "claimed": "Dilayani",
    "ticket": "Tiket",
    "closed": "Selesai",
    "cancelled": "Dibatalkan",
}
ERRORS = {
    "taken": "Percakapan ini sudah diambil petugas lain.",
    "not_found": "Data tidak ditemukan.",
    "not_claimed": "Percakapan ini tidak sedang Anda layani.",
    "not_yours": "Percakapan ini dilayani petugas lain.",
    "closed": "Percakapan ini sudah ditutup.",
    "empty": "Pesan kosong tidak dikirim.",
    "unknown_officer": "Petugas tujuan tidak ditemukan atau tidak aktif.",
    "same_officer": "Percakapan sudah dipegang petugas tersebut.",
    "file_too_large": "Berkas terlalu besar.",
    "file_wrong_type": "Hanya JPG, PNG, atau PDF yang dapat dikirim.",
    "file_empty": "Berkas kosong.",
    "bad_status": "Perubahan status ini tidak diizinkan.",
    "note_required": "Status ini memerlukan catatan untuk warga.",
    "needs_result": "Untuk menyelesaikan permohonan, unggah dokumen izin atau isi nomor NIB/izin.",
}

# The application's uploads (kinds as the form stores them).
DOC_LABELS = {"ktp": "Foto KTP", "place": "Foto tempat usaha", "label": "Foto label produk"}
CHANNELS = {
    "webchat": "Web chat",
    "telegram": "Telegram",
    "whatsapp": "WhatsApp",
    "terminal": "Terminal",
}


def channel_label(channel: str) -> str:
    return CHANNELS.get(channel, channel)


def citizen_name(sender_name: str, applicant_name: str, channel: str, conversation_id: int) -> str:
    """Who the citizen is: the name their channel gives, else the one in their application."""
    return sender_name or applicant_name or f"Warga {channel_label(channel)} #{conversation_id}"


AUTHORS = {"citizen": "Warga", "bot": "Bot", "officer": "Petugas", "system": "Sistem"}
MODES = {"bot": "dilayani bot", "waiting": "menunggu petugas", "officer": "dilayani petugas"}
