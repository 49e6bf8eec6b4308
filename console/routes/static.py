"""The console's own CSS and JavaScript (same origin, so the page's CSP allows them)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

router = APIRouter()
STATIC = Path(__file__).resolve().parent.parent / "static"


@router.get("/static/{name}")
async def static(name: str) -> Response:
    path = (STATIC / name).resolve()
    if path.parent != STATIC or not path.is_file():
        raise HTTPException(404)
    media = "text/javascript" if name.endswith(".js") else "text/css"
    return Response(
        path.read_bytes(),
        media_type=media,
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-cache"},
    )
