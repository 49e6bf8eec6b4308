"""Refuse oversized web chat requests before their body is read.

Starlette reads (and spools to disk) a whole request body before a route sees it, so a size
check inside the route comes too late to protect memory and disk. This middleware looks at
`Content-Length` first; a body without one is refused on these paths (browsers always send it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    def __init__(self, app: ASGIApp, limits: list[tuple[str, int, str]]) -> None:
        # (path regex, byte limit, polite text shown to the citizen when refused)
        self.app = app
        self.limits = [(re.compile(p), n, t) for p, n, t in limits]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            for pattern, limit, reason in self.limits:
                if pattern.fullmatch(scope["path"]):
                    length = _content_length(scope)
                    if length is None:
                        await _refuse(send, 411, reason)
                        return
                    if length > limit:
                        await _refuse(send, 413, reason)
                        return
                    break
        await self.app(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(send: Send, status: int, reason: str) -> None:
    # Same shape as a web chat answer, so the widget shows the reason to the citizen.
    body = json.dumps(
        {"detail": reason, "messages": [{"id": None, "text": reason, "buttons": []}]}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def read_limited(receive_stream: Any, declared: str | None, limit: int) -> bytes | None:
    """A request body of at most `limit` bytes, or None without reading further past it.

    `declared` is the Content-Length header; `receive_stream` Starlette's `request.stream()`.
    """
    if declared is not None:
        try:
            if int(declared) > limit:
                return None
        except ValueError:
            return None
    chunks: list[bytes] = []
    total = 0
    async for chunk in receive_stream:
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
