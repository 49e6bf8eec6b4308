"""A conversation's transcript as the console shows it (page, JSON API and live view alike)."""

from __future__ import annotations

from typing import Any

from console.state import ConsoleState
from console.templating import iso, local
from storage import console_reads
from storage.models import TranscriptMessage


async def transcript(
    console: ConsoleState, conversation_id: int, after: int = 0
) -> list[dict[str, Any]]:
    """Messages after id `after`, oldest first, ready for the template or JSON."""
    async with console.office.sessions() as db:
        rows = await console_reads.transcript_after(db, conversation_id, after)
    return [render_message(r) for r in rows]


def _file(ref: str, name: str, mime: str) -> dict[str, str]:
    preview = "image" if mime.startswith("image/") else "pdf" if mime == "application/pdf" else ""
    return {"sha256": ref[7:], "name": name, "mime": mime, "preview": preview}


def message_files(body: dict[str, Any]) -> list[dict[str, str]]:
    """The stored files a message carries (the citizen's attachments, an officer's document)."""
    files: list[dict[str, str]] = []
    for attachment in body.get("attachments", ()) or ():
        ref = str(attachment.get("ref") or "")
        if ref.startswith("sha256:"):
            name = str(attachment.get("file_name") or "dokumen")
            files.append(_file(ref, name, str(attachment.get("mime_type") or "")))
    ref = str(body.get("document_ref") or "")
    if ref.startswith("sha256:"):
        name = str(body.get("document_name") or "dokumen")
        files.append(_file(ref, name, str(body.get("document_mime") or "")))
    return files


def render_message(row: TranscriptMessage) -> dict[str, Any]:
    body = row.body or {}
    return {
        "id": row.id,
        "author": row.author,
        "author_id": row.author_id,
        "direction": row.direction,
        "text": row.text,
        "buttons": [str(b.get("title", "")) for b in body.get("buttons", ()) or ()],
        "files": message_files(body),
        "at": iso(row.created_at),
        "at_local": local(row.created_at),
    }
