"""Stored files (citizens' documents, issued permits) for signed-in officers, with headers that
keep a hostile upload from running in the console's origin."""

# No `from __future__ import annotations`: FastAPI reads the Annotated aliases at import time.
import asyncio
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from console.deps import Who, state
from storage.files import sniff

router = APIRouter()
# Shown inline in the page (preview); anything else is only ever downloaded.
PREVIEWABLE = {"image/jpeg", "image/png", "application/pdf"}


def _headers(mime: str, name: str, inline: bool) -> dict[str, str]:
    safe = "".join(c for c in name if c.isalnum() or c in "._- ")[:100] or "dokumen"
    disposition = "inline" if inline else "attachment"
    return {
        "Content-Disposition": f'{disposition}; filename="{safe}"; '
        f"filename*=UTF-8''{quote(name[:100])}",
        "X-Content-Type-Options": "nosniff",
        # Nothing in a served file may run; Chrome's PDF viewer refuses `sandbox`.
        "Content-Security-Policy": "default-src 'none'; img-src 'self'"
        + ("" if mime == "application/pdf" else "; sandbox"),
        "Cache-Control": "private, max-age=300",
    }


@router.get("/files/{sha256}")
async def file(
    request: Request, who: Who, sha256: str, name: str = "dokumen", download: bool = False
) -> Response:
    try:
        path = state(request).office.files.path_for(sha256)
    except ValueError:
        raise HTTPException(404) from None
    if not path.is_file():
        raise HTTPException(404)
    data = await asyncio.to_thread(path.read_bytes)
    # The type comes from the content, never from what the uploader claimed.
    mime = sniff(data) or "application/octet-stream"
    inline = mime in PREVIEWABLE and not download
    return Response(data, media_type=mime, headers=_headers(mime, name, inline))
