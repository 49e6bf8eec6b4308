"""A local emulator of the parts of Meta's Graph API (WhatsApp Cloud API) that SIKETAN uses.

A real HTTP server on 127.0.0.1 (http.server in a thread), so the real pywa client talks to it
over a socket exactly as it would to graph.facebook.com:

- `POST /v{version}/{phone_id}/messages`: recorded, answered like Meta does
  (`{"messaging_product": "whatsapp", "contacts": [{"input", "wa_id"|"user_id"}],
  "messages": [{"id": "wamid..."}]}`)
- `POST /v{version}/{phone_id}/media`: multipart upload, answered `{"id": ...}`
- `GET /v{version}/{media_id}`: media URL record (the URL points at the CDN host, which the
  adapter's transport routes back here), `GET /whatsapp_business/attachments/?mid=...`: bytes
- errors on demand (`fail_next`) in Meta's error JSON shape (131047, 130429, 131056, 190, ...)

Every request is recorded with its headers and body.
"""

from __future__ import annotations

import email.parser
import email.policy
import itertools
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CDN_URL = "https://lookaside.fbsbx.com/whatsapp_business/attachments/"

# Meta's error bodies (shape as in shared/fixtures/whatsapp/graph_api_error_responses.json).
ERRORS: dict[int, tuple[int, dict[str, Any]]] = {
    131047: (
        400,
        {
            "code": 131047,
            "title": "Re-engagement message",
            "message": "Re-engagement message",
            "error_data": {
                "details": "Message failed to send because more than 24 hours have passed "
                "since the customer last replied to this number."
            },
            "href": "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
        },
    ),
    130429: (
        400,
        {
            "message": "(#130429) Rate limit hit",
            "type": "OAuthException",
            "code": 130429,
            "error_data": {
                "messaging_product": "whatsapp",
                "details": "Cloud API message throughput has been reached.",
            },
            "fbtrace_id": "AbCdEfGh130429",
        },
    ),
    131056: (
        400,
        {
            "message": "(#131056) (Business Account, Consumer Account) pair rate limit hit",
            "type": "OAuthException",
            "code": 131056,
            "error_data": {
                "messaging_product": "whatsapp",
                "details": "Message failed to send because there were too many messages sent "
                "from this phone number to the same phone number in a short period of time.",
            },
            "fbtrace_id": "AbCdEfGh131056",
        },
    ),
    190: (
        401,
        {
            "message": "Error validating access token: Session has expired on Friday, "
            "26-Apr-24 06:00:00 PDT. The current time is Sunday, 28-Apr-24 03:40:10 PDT.",
            "type": "OAuthException",
            "code": 190,
            "error_subcode": 463,
            "fbtrace_id": "ACEyrTehk6IAd0lm05Ixogh",
        },
    ),
    131026: (
        400,
        {
            "message": "(#131026) Message Undeliverable.",
            "type": "OAuthException",
            "code": 131026,
            "error_data": {
                "messaging_product": "whatsapp",
                "details": "Message Undeliverable.",
            },
            "fbtrace_id": "AbCdEfGh131026",
        },
    ),
    131000: (
        500,
        {
            "code": 131000,
            "title": "Something went wrong",
            "message": "Something went wrong",
            "error_data": {"details": "Something went wrong"},
        },
    ),
}


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None


@dataclass
class Media:
    data: bytes
    mime_type: str
    file_name: str = ""


@dataclass
class _Failure:
    code: int
    retry_after: float | None = None
    only_type: str | None = None  # fail only messages of this type (e.g. "text")
    skip: int = 0  # let this many messages through first


@dataclass
class GraphApiEmulator:
    phone_number_id: str = "1122334455667"
    access_token: str = "test-access-token"
    api_version: str = "21.0"
    requests: list[RecordedRequest] = field(default_factory=list)
    media: dict[str, Media] = field(default_factory=dict)
    uploads: dict[str, Media] = field(default_factory=dict)
    # wamids to hand out before falling back to generated ones (to match a fixture's id)
    next_message_ids: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------

    def start(self) -> GraphApiEmulator:
        emulator = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                emulator._handle(self, "GET")

            def do_POST(self) -> None:
                emulator._handle(self, "POST")

            def do_DELETE(self) -> None:
                emulator._handle(self, "DELETE")

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> GraphApiEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None, "emulator not started"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- test controls --------------------------------------------------------------------------

    def fail_next(
        self,
        code: int,
        times: int = 1,
        retry_after: float | None = None,
        only_type: str | None = None,
        skip: int = 0,
    ) -> None:
        """The next `times` message sends (after `skip` successful ones) answer error `code`."""
        with self._lock:
            self._failures.extend(
                _Failure(code, retry_after, only_type, skip if n == 0 else 0) for n in range(times)
            )

    def add_media(self, media_id: str, data: bytes, mime_type: str, file_name: str = "") -> None:
        self.media[media_id] = Media(data, mime_type, file_name)

    def sent_messages(self) -> list[dict[str, Any]]:
        """Bodies of the accepted `POST /messages` calls, in order."""
        return [
            r.json
            for r in self.requests
            if r.method == "POST" and r.path.endswith("/messages") and getattr(r, "accepted", False)
        ]

    def message_attempts(self) -> list[dict[str, Any]]:
        return [
            r.json for r in self.requests if r.method == "POST" and r.path.endswith("/messages")
        ]

    # -- the HTTP side ----------------------------------------------------------------------------

    def _handle(self, http: BaseHTTPRequestHandler, method: str) -> None:
        split = urlsplit(http.path)
        length = int(http.headers.get("Content-Length") or 0)
        body = http.rfile.read(length) if length else b""
        record = RecordedRequest(
            method=method,
            path=split.path,
            query=parse_qs(split.query),
            headers={k.lower(): v for k, v in http.headers.items()},
            body=body,
        )
        with self._lock:
            self.requests.append(record)
        status, payload, content_type = self._answer(record)
        data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        http.send_response(status)
        http.send_header("Content-Type", content_type)
        http.send_header("Content-Length", str(len(data)))
        http.end_headers()
        http.wfile.write(data)

    def _error(self, code: int) -> tuple[int, dict[str, Any], str]:
        status, error = ERRORS.get(
            code, (400, {"code": code, "message": f"error {code}", "type": "OAuthException"})
        )
        return status, {"error": error}, "application/json"

    def _answer(self, req: RecordedRequest) -> tuple[int, Any, str]:
        if req.headers.get("authorization") != f"Bearer {self.access_token}":
            return self._error(190)
        parts = [p for p in req.path.split("/") if p]
        if req.path.startswith("/whatsapp_business/attachments"):
            media = self.media.get((req.query.get("mid") or [""])[0])
            if media is None:
                return 404, {"error": {"code": 100, "message": "unknown media"}}, "application/json"
            return 200, media.data, media.mime_type
        if not parts or parts[0] != f"v{self.api_version}":
            return 404, {"error": {"code": 100, "message": "unknown path"}}, "application/json"
        parts = parts[1:]
        if req.method == "POST" and parts == [self.phone_number_id, "messages"]:
            return self._message(req)
        if req.method == "POST" and parts == [self.phone_number_id, "media"]:
            return self._upload(req)
        if req.method == "GET" and len(parts) == 1:
            media = self.media.get(parts[0]) or self.uploads.get(parts[0])
            if media is None:
                return (
                    400,
                    {"error": {"code": 100, "message": "unknown media id"}},
                    "application/json",
                )
            return (
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": f"{CDN_URL}?mid={parts[0]}&ext=1&hash=abc",
                    "mime_type": media.mime_type,
                    "sha256": "0" * 64,
                    "file_size": len(media.data),
                    "id": parts[0],
                },
                "application/json",
            )
        return (
            404,
            {"error": {"code": 100, "message": "unsupported in emulator"}},
            "application/json",
        )

    def _message(self, req: RecordedRequest) -> tuple[int, Any, str]:
        body = req.json or {}
        with self._lock:
            failure = None
            for i, f in enumerate(self._failures):
                if f.only_type is None or f.only_type == body.get("type"):
                    if f.skip > 0:
                        f.skip -= 1
                    else:
                        failure = self._failures.pop(i)
                    break
        if failure is not None:
            return self._error(failure.code)
        req.accepted = True  # type: ignore[attr-defined]
        with self._lock:
            wamid = (
                self.next_message_ids.pop(0)
                if self.next_message_ids
                else f"wamid.EMU{next(self._ids):06d}=="
            )
        target = body.get("to") or body.get("recipient") or ""
        contact = {"input": target}
        contact["wa_id" if str(target).isdigit() else "user_id"] = target
        return (
            200,
            {"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]},
            "application/json",
        )

    def _upload(self, req: RecordedRequest) -> tuple[int, Any, str]:
        head = f"Content-Type: {req.headers.get('content-type', '')}\r\n\r\n".encode()
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + req.body)
        file_data, mime, name = b"", "application/octet-stream", ""
        for part in message.iter_parts():
            if part.get_param("name", header="content-disposition") == "file":
                file_data = part.get_payload(decode=True) or b""
                mime = part.get_content_type()
                name = part.get_filename() or ""
        media_id = f"{900000 + next(self._ids)}"
        self.uploads[media_id] = Media(file_data, mime, name)
        return 200, {"id": media_id}, "application/json"


def sign(body: bytes, app_secret: str) -> str:
    """The `X-Hub-Signature-256` header Meta puts on a webhook body."""
    import hashlib
    import hmac

    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
