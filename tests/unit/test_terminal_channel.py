"""The terminal shows plain text and says where a document it received is saved (issue 16)."""

from __future__ import annotations

import io
from pathlib import Path

from bot.channels.base import ChannelContext
from bot.channels.terminal import TerminalChannel
from dialogs.messages import ConversationKey, Outbound, OutboundKind
from storage.files import FileStore

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
KEY = ConversationKey("terminal", "local-test")


async def _nothing(*_: object) -> None:
    return None


async def test_a_document_is_saved_and_its_path_printed(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "files", 10_000_000)
    stored = await files.store_bytes(PDF, "x.pdf")
    out = io.StringIO()
    terminal = TerminalChannel(out, downloads=tmp_path / "unduhan")
    await terminal.start(
        ChannelContext(handle_inbound=_nothing, files=files, record_delivery=_nothing)
    )
    receipt = Outbound(
        "Tanda terima permohonan *SKT-2026-000001*",
        kind=OutboundKind.DOCUMENT,
        document_ref=f"sha256:{stored.sha256}",
        document_name="tanda-terima-SKT-2026-000001.pdf",
        document_mime="application/pdf",
    )
    await terminal.send(KEY, receipt)
    saved = tmp_path / "unduhan" / "tanda-terima-SKT-2026-000001.pdf"
    assert saved.read_bytes() == PDF
    shown = out.getvalue()
    assert f"disimpan di {saved.resolve()}" in shown
    assert "SKT-2026-000001" in shown and "*" not in shown  # plain text, no markup


async def test_a_missing_document_is_not_claimed(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "files", 10_000_000)
    out = io.StringIO()
    terminal = TerminalChannel(out, downloads=tmp_path / "unduhan")
    await terminal.start(
        ChannelContext(handle_inbound=_nothing, files=files, record_delivery=_nothing)
    )
    gone = Outbound(
        "Izin",
        kind=OutboundKind.DOCUMENT,
        document_ref="sha256:" + "0" * 64,
        document_name="izin.pdf",
    )
    await terminal.send(KEY, gone)
    assert "izin.pdf tidak tersedia" in out.getvalue()
    assert "disimpan" not in out.getvalue()
    assert not (tmp_path / "unduhan" / "izin.pdf").exists()
