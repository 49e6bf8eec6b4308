"""A local Telegram Bot API for tests: a real HTTP server that the real python-telegram-bot uses.

It serves `/bot<token>/<method>` and `/file/bot<token>/<path>` on 127.0.0.1 (Starlette under
uvicorn, in a background thread with its own event loop), keeps what a test needs to look at
(every request, the messages the bot sent, the webhook it registered), plays the citizen
(queues updates for getUpdates or builds them for the webhook) and misbehaves on demand
(429 with retry_after, 403 blocked, ...).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

GETFILE_LIMIT = 20 * 1024 * 1024
BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "SIKETAN",
    "username": "siketan_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
JSON_FIELDS = {
    "reply_markup",
    "allowed_updates",
    "offset",
    "timeout",
    "limit",
    "chat_id",
    "message_id",
    "drop_pending_updates",
    "disable_web_page_preview",
    "link_preview_options",
    "show_alert",
    "cache_time",
}


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.monotonic)


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TelegramApiEmulator:
    def __init__(self, token: str = "123456:TEST-emulated-token") -> None:
        self.token = token
        self.port = _free_port()
        self.calls: list[ApiCall] = []
        self.sent: list[dict[str, Any]] = []  # messages the bot sent, as Telegram returned them
        self.webhook: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._updates: list[dict[str, Any]] = []
        self._files: dict[str, tuple[str, bytes]] = {}  # file_id -> (path, bytes)
        self._faults: dict[str, list[Fault]] = {}
        self._update_ids = itertools.count(800_000_001)
        self._message_ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- server --------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    def start(self) -> TelegramApiEmulator:
        app = Starlette(
            routes=[
                Route("/bot{token}/{method}", self._api, methods=["GET", "POST"]),
                Route("/file/bot{token}/{path:path}", self._download, methods=["GET"]),
            ]
        )
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("Telegram emulator did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)

    def __enter__(self) -> TelegramApiEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- test controls -------------------------------------------------------------------------

    def fail(
        self,
        method: str,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """The next `times` calls of `method` answer with this error instead."""
        with self._lock:
            self._faults.setdefault(method, []).append(
                Fault(status, description, retry_after, times)
            )

    def calls_of(self, method: str, *, ok: bool | None = None) -> list[ApiCall]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and (ok is None or (c.status == 200) == ok)
            ]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        with self._lock:
            return [m for m in self.sent if m["chat"]["id"] == chat_id]

    def pending_updates(self) -> int:
        with self._lock:
            return len(self._updates)

    # -- the citizen ---------------------------------------------------------------------------

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue an update for getUpdates (polling mode)."""
        with self._lock:
            self._updates.append(update)
        return update

    def _user(self, chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "is_bot": False, "first_name": "Siti", "last_name": "Aminah"}

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        return {
            "update_id": next(self._update_ids),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": chat_id, "type": "private", "first_name": "Siti"},
                "from": self._user(chat_id),
                **content,
            },
        }

    def text_update(self, chat_id: int, text: str) -> dict[str, Any]:
        entities = []
        if text.startswith("/"):
            entities = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self._message(chat_id, text=text, **({"entities": entities} if entities else {}))

    def contact_update(self, chat_id: int, phone: str) -> dict[str, Any]:
        contact = {"phone_number": phone, "first_name": "Siti", "user_id": chat_id}
        return self._message(chat_id, contact=contact)

    def location_update(self, chat_id: int, lat: float, lon: float) -> dict[str, Any]:
        return self._message(chat_id, location={"latitude": lat, "longitude": lon})

    def add_file(self, data: bytes, name: str, size: int | None = None) -> dict[str, Any]:
        """Keep a file as Telegram would; `size` may claim another size (a huge upload)."""
        n = len(self._files) + 1
        file_id = f"FILE{n:04d}{name.replace('.', '_')}"
        with self._lock:
            self._files[file_id] = (f"documents/file_{n}_{name}", data)
        return {
            "file_id": file_id,
            "file_unique_id": f"U{n:04d}",
            "file_size": len(data) if size is None else size,
        }

    def register_file(self, file_id: str, data: bytes, name: str) -> None:
        """A file under a given id (for real payloads that name their own file ids)."""
        with self._lock:
            self._files[file_id] = (f"photos/{name}", data)

    def photo_update(self, chat_id: int, data: bytes, *, size: int | None = None) -> dict[str, Any]:
        small = self.add_file(data[: max(1, len(data) // 8)], "thumb.jpg")
        large = self.add_file(data, "photo.jpg", size)
        return self._message(
            chat_id,
            photo=[
                {**small, "width": 90, "height": 67},
                {**large, "width": 1280, "height": 960},
            ],
        )

    def document_update(
        self, chat_id: int, data: bytes, name: str, mime: str, *, size: int | None = None
    ) -> dict[str, Any]:
        doc = {**self.add_file(data, name, size), "file_name": name, "mime_type": mime}
        return self._message(chat_id, document=doc)

    def callback_update(self, chat_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """The citizen taps the button with callback `data` on `message` (as the bot sent it)."""
        return {
            "update_id": next(self._update_ids),
            "callback_query": {
                "id": f"cq{next(self._message_ids)}",
                "from": self._user(chat_id),
                "chat_instance": f"ci{chat_id}",
                "message": message,
                "data": data,
            },
        }

    # -- HTTP handlers -------------------------------------------------------------------------

    async def _params(self, request: Request) -> tuple[dict[str, Any], dict[str, Any]]:
        params: dict[str, Any] = dict(request.query_params)
        files: dict[str, tuple[str, bytes]] = {}
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            body = await request.body()
            if body:
                params.update(json.loads(body))
            return params, files
        if request.method == "POST":
            form = await request.form()
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    files[key] = (value.filename or key, await value.read())
                else:
                    params[key] = value
        for key in list(params):
            if key in JSON_FIELDS and isinstance(params[key], str):
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(params[key])
        return params, files

    def _error(self, status: int, description: str, **extra: Any) -> JSONResponse:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if extra:
            body["parameters"] = extra
        return JSONResponse(body, status_code=status)

    async def _api(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.path_params["method"]
        params, files = await self._params(request)
        call = ApiCall(method, params, files)
        with self._lock:
            self.calls.append(call)
            faults = self._faults.get(method) or []
            fault = faults[0] if faults else None
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    faults.pop(0)
        if fault is not None:
            call.status = fault.status
            extra = {"retry_after": fault.retry_after} if fault.retry_after is not None else {}
            return self._error(fault.status, fault.description, **extra)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            call.status = 404
            return self._error(404, "Not Found")
        try:
            result = await handler(params, files)
        except _ApiError as exc:
            call.status = exc.status
            return self._error(exc.status, exc.description)
        return JSONResponse({"ok": True, "result": result})

    async def _download(self, request: Request) -> Response:
        if request.path_params["token"] != self.token:
            return Response(status_code=401)
        path = request.path_params["path"]
        with self._lock:
            found = next((data for p, data in self._files.values() if p == path), None)
        if found is None:
            return Response(status_code=404)
        return Response(found, media_type="application/octet-stream")

    # -- Bot API methods -----------------------------------------------------------------------

    async def _m_getMe(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return BOT_USER

    async def _m_getUpdates(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if self.webhook is not None:
            raise _ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if offset:
                    # Asking from `offset` confirms everything before it: Telegram forgets it.
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
            if ready or time.monotonic() >= deadline:
                return ready
            await asyncio.sleep(0.02)

    async def _m_setWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            self.webhook = dict(params)
        return True

    async def _m_deleteWebhook(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        with self._lock:
            self.webhook = None
            if params.get("drop_pending_updates"):
                self._updates.clear()
        return True

    def _new_message(self, params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Siti"},
            "from": BOT_USER,
            **content,
        }
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        stored = {**message, "request_markup": markup, "parse_mode": params.get("parse_mode")}
        with self._lock:
            self.sent.append(stored)
        return message

    async def _m_sendMessage(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        text = str(params.get("text", ""))
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text.encode("utf-16-le")) // 2 > 4096 + 200:  # HTML tags do not count; be lenient
            raise _ApiError(400, "Bad Request: message is too long")
        return self._new_message(params, text=text)

    async def _m_sendDocument(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        if "document" not in files:
            raise _ApiError(400, "Bad Request: there is no document in the request")
        name, data = files["document"]
        doc = {**self.add_file(data, name), "file_name": name}
        content: dict[str, Any] = {"document": doc}
        if params.get("caption"):
            content["caption"] = params["caption"]
        message = self._new_message(params, **content)
        with self._lock:
            self.sent[-1]["document_bytes"] = data
        return message

    async def _m_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        chat_id = int(params.get("chat_id") or 0)
        message_id = int(params.get("message_id") or 0)
        with self._lock:
            found = next(
                (
                    m
                    for m in self.sent
                    if m["chat"]["id"] == chat_id and m["message_id"] == message_id
                ),
                None,
            )
            if found is None:
                raise _ApiError(400, "Bad Request: message to edit not found")
            markup = params.get("reply_markup")
            if markup:
                found["reply_markup"] = markup
            else:
                found.pop("reply_markup", None)
            return {k: v for k, v in found.items() if k not in ("request_markup", "parse_mode")}

    async def _m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    async def _m_sendChatAction(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        return True

    async def _m_getFile(self, params: dict[str, Any], files: dict[str, Any]) -> Any:
        file_id = str(params.get("file_id", ""))
        with self._lock:
            found = self._files.get(file_id)
        if found is None:
            raise _ApiError(400, "Bad Request: invalid file_id")
        path, data = found
        if len(data) > GETFILE_LIMIT:
            raise _ApiError(400, "Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"U{file_id}",
            "file_size": len(data),
            "file_path": path,
        }


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
