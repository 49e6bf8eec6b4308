"""One log line per HTTP request: method, path, status and time.

A WebSocket is logged once, at its handshake (`WS <path> 101`, or the close code it was refused
with): a live socket can stay open for hours. The query string is never logged: WebSocket and
download tokens travel there (browsers cannot set headers on a WebSocket), and paths carry no
secret. uvicorn's own access log prints the query string and no duration, so it stays off.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("siketan.http")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            await self._http(scope, receive, send)
        elif scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        status = 500  # what the client gets if the app fails before it answers

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            _line(scope["method"], scope["path"], status, started)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        logged = False

        async def sending(message: Message) -> None:
            nonlocal logged
            if not logged and message["type"] in ("websocket.accept", "websocket.close"):
                accepted = message["type"] == "websocket.accept"
                _line(
                    "WS",
                    scope["path"],
                    101 if accepted else int(message.get("code", 1000)),
                    started,
                )
                logged = True
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            if not logged:  # the app failed or the client left before an answer
                _line("WS", scope["path"], 403, started)


def _line(method: str, path: str, status: int, started: float) -> None:
    elapsed = (time.perf_counter() - started) * 1000
    log.info("%s %s %d %.1f ms", method, path, status, elapsed)
