"""WhatsApp Cloud API adapter (pywa for the Graph API client and media; webhook JSON read here).

Inbound: the web layer (`bot/web_whatsapp.py`) checks `X-Hub-Signature-256` with `verify`, then
`parse_update` turns the webhook body into `Inbound` values and delivery receipts. We read the
webhook JSON ourselves instead of through pywa's update types: pywa's `from_update` only looks at
the first entry/change/message of a body, needs `contacts[].user_id` (absent in older payloads and
in identity-change events) and its type dispatch lives in its own web-server machinery.

Outbound: text (split at 4096), reply buttons (max 3), list messages (max 10 rows), numbered text
beyond that, documents from the file store, and approved templates outside the 24-hour window.

Conversations are keyed by the phone number (`wa_id`) when WhatsApp gives one, else by the
business-scoped user id (BSUID, `US.…`); replies go to exactly that identifier, so a citizen whose
number WhatsApp hides (usernames) is still answered on the id they wrote from.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
from pywa.types.callback import Button as WaButton
from pywa.types.callback import Section, SectionList, SectionRow
from pywa.utils import UserIdentifier
from pywa_async import errors as wa_errors
from pywa_async.client import WhatsApp
from pywa_async.types.templates import TemplateLanguage

from bot.channels.base import (
    Capabilities,
    Channel,
    ChannelContext,
    Delivered,
    DeliveryError,
    DeliveryReceipt,
    Received,
    SendContext,
)
from bot.channels.text import shorten
from bot.channels.text import split_text as fit_text
from bot.settings import SettingsError
from dialogs.messages import (
    Attachment,
    Contact,
    ConversationKey,
    Inbound,
    Location,
    Outbound,
    OutboundKind,
    numbered_text,
)
from storage.files import FileRejected

if TYPE_CHECKING:
    from bot.settings import Settings, WhatsAppTemplate
    from storage.files import FileStore

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
PRODUCTION_GRAPH_URL = "https://graph.facebook.com"
MEDIA_REF_PREFIX = "wa-media:"

MAX_TEXT = 4096
MAX_INTERACTIVE_BODY = 1024
MAX_CAPTION = 1024
MAX_REPLY_BUTTONS = 3
MAX_BUTTON_TITLE = 20
MAX_LIST_ROWS = 10
MAX_ROW_TITLE = 24
MAX_ROW_DESCRIPTION = 72
MAX_LIST_BUTTON = 20
MAX_SECTION_TITLE = 24
MAX_BUTTON_ID = 256
MAX_ROW_ID = 200

# Meta counts the window from its own receipt of the citizen's message; we saw it a moment later,
# so stop free-form messages a little early rather than have them refused.
SERVICE_WINDOW = timedelta(hours=24) - timedelta(minutes=5)

RATE_LIMIT_CODES = {4: 60.0, 80007: 60.0, 130429: 5.0, 131056: 10.0, 131048: 60.0}
AUTH_CODES = {0, 10, 190, *range(200, 300)}
# 131053: Meta could not fetch or store the uploaded media this time.
TRANSIENT_CODES = {1, 2, 131000, 131016, 131053, 133004}
REENGAGEMENT = 131047
MAX_PROGRESS_ENTRIES = 1000

# Message kinds the dialogs cannot use; the citizen is told so politely.
UNSUPPORTED_KINDS = {"audio", "video", "sticker", "unsupported", "order", "unknown"}
# Kinds that need no answer: a reaction or a system notice is not a question.
IGNORED_KINDS = {"reaction", "system", "edit", "revoke", "request_welcome", "ephemeral"}


@dataclass
class _Parsed:
    inbounds: list[Inbound] = field(default_factory=list)
    receipts: list[DeliveryReceipt] = field(default_factory=list)


class RewritingTransport(httpx.AsyncBaseTransport):
    """Sends every request to `base_url`'s host, whatever host the client asked for.

    pywa hard-codes graph.facebook.com and media URLs point at Meta's CDN; a deployment behind a
    proxy, or the tests' Graph API emulator, needs both to go elsewhere.
    """

    def __init__(self, base_url: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._base = httpx.URL(base_url)
        self._prefix = self._base.path.rstrip("/")
        self._inner = inner or httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(
            scheme=self._base.scheme,
            host=self._base.host,
            port=self._base.port,
            path=self._prefix + request.url.path,
        )
        request.headers["Host"] = request.url.netloc.decode("ascii")
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


# ---------------------------------------------------------------------------------------------
# Text helpers


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph, line or sentence boundaries into chunks of at most `limit`."""
    return fit_text(text, limit)


def _template_param(value: str) -> str:
    # Template parameters may not contain newlines, tabs or runs of spaces (error 132000 family).
    return " ".join(str(value).split()) or "-"


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# The channel


class WhatsAppChannel(Channel):
    name = CHANNEL
    capabilities = Capabilities(
        max_text=MAX_TEXT,
        max_buttons=MAX_LIST_ROWS,
        max_list_rows=MAX_LIST_ROWS,
        button_title_max=MAX_BUTTON_TITLE,
        documents=True,
    )
    max_body = 3 * 1024 * 1024  # Meta batches updates; its documented maximum is 3 MB

    def __init__(
        self,
        *,
        phone_number_id: str,
        access_token: str,
        app_secret: str,
        verify_token: str,
        api_version: str = "21.0",
        graph_api_base_url: str = PRODUCTION_GRAPH_URL,
        templates: Mapping[str, WhatsAppTemplate] | None = None,
        timeout: float = 20.0,
    ) -> None:
        missing = [
            name
            for name, value in (
                ("phone_number_id", phone_number_id),
                ("access_token", access_token),
                ("app_secret", app_secret),
                ("verify_token", verify_token),
            )
            if not value
        ]
        if missing:
            # Without the app secret nobody could tell Meta's webhooks from forged ones.
            raise SettingsError(
                "WhatsApp channel cannot start; missing: "
                + ", ".join(f"whatsapp.{m} (SIKETAN__WHATSAPP__{m.upper()})" for m in missing)
            )
        self.phone_number_id = phone_number_id
        self._app_secret = app_secret.encode()
        self._verify_token = verify_token
        self._templates = dict(templates or {})
        base = graph_api_base_url.rstrip("/")
        transport: httpx.AsyncBaseTransport | None = None
        if base != PRODUCTION_GRAPH_URL:
            transport = RewritingTransport(base)
        self._session = httpx.AsyncClient(transport=transport, timeout=timeout)
        self.client = WhatsApp(
            phone_id=phone_number_id,
            token=access_token,
            session=self._session,
            api_version=api_version,
            app_secret=app_secret,
            verify_token=verify_token,
            # We reply with explicit recipients; this only matters for pywa's own reply helpers.
            user_identifier_priority=(
                UserIdentifier.WA_ID,
                UserIdentifier.BSUID,
                UserIdentifier.PARENT_BSUID,
            ),
        )
        self._files: FileStore | None = None
        # (recipient, message fingerprint) -> (parts delivered, wamid of the primary part)
        self._progress: dict[tuple[str, str], tuple[int, str]] = {}

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self, context: ChannelContext) -> None:
        self._files = context.files

    async def stop(self) -> None:
        await self._session.aclose()

    # -- webhook ----------------------------------------------------------------------------

    def verify_challenge(self, mode: str, token: str, challenge: str) -> str | None:
        """Meta's webhook verification GET: the challenge to echo, or None to refuse (403)."""
        if mode != "subscribe" or not token or not challenge:
            return None
        if not hmac.compare_digest(token.encode(), self._verify_token.encode()):
            return None
        return challenge

    def signature(self, body: bytes) -> str:
        return "sha256=" + hmac.new(self._app_secret, body, hashlib.sha256).hexdigest()

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        given = ""
        for name, value in headers.items():
            if name.lower() == "x-hub-signature-256":
                given = value.strip()
                break
        if not given.startswith("sha256="):
            return False
        return hmac.compare_digest(given.encode(), self.signature(body).encode())

    def challenge(self, params: Mapping[str, str]) -> str | None:
        return self.verify_challenge(
            params.get("hub.mode", ""),
            params.get("hub.verify_token", ""),
            params.get("hub.challenge", ""),
        )

    def parse(self, body: bytes) -> Received:
        """Every message and receipt in one webhook body; malformed parts are logged, skipped."""
        result = _Parsed()
        try:
            data = json.loads(body)
        except ValueError:
            log.warning("WhatsApp webhook body is not JSON (%d bytes); ignored", len(body))
            return Received()
        if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
            log.info("WhatsApp webhook for object %r ignored", _get(data, "object"))
            return Received()
        for entry in _list(data.get("entry")):
            for change in _list(_get(entry, "changes")):
                if _get(change, "field") != "messages":
                    log.info("WhatsApp webhook field %r ignored", _get(change, "field"))
                    continue
                value = _get(change, "value")
                if isinstance(value, dict):
                    self._parse_value(value, result)
        return Received(tuple(result.inbounds), tuple(result.receipts))

    def _parse_value(self, value: dict[str, Any], result: _Parsed) -> None:
        phone_id = str(_get(_get(value, "metadata"), "phone_number_id") or "")
        if phone_id and phone_id != self.phone_number_id:
            log.info("WhatsApp update for another phone number id ignored")
            return
        for error in _list(value.get("errors")):
            log.warning("WhatsApp webhook error: %s", _describe_error(error))
        contacts = [c for c in _list(value.get("contacts")) if isinstance(c, dict)]
        for message in _list(value.get("messages")):
            if not isinstance(message, dict):
                continue
            try:
                inbound = self._message_to_inbound(message, contacts)
            except (KeyError, TypeError, ValueError):
                log.exception("WhatsApp message %r could not be read; ignored", message.get("id"))
                continue
            if inbound is not None:
                result.inbounds.append(inbound)
        for status in _list(value.get("statuses")):
            if isinstance(status, dict) and status.get("id") and status.get("status"):
                errors = [_describe_error(e) for e in _list(status.get("errors"))]
                update = DeliveryReceipt(
                    platform_message_id=str(status["id"]),
                    status=str(status["status"]),
                    error="; ".join(errors),
                    recipient_id=str(status.get("recipient_id") or status.get("recipient") or ""),
                )
                if errors:
                    log.warning(
                        "WhatsApp message %s %s: %s",
                        update.platform_message_id,
                        update.status,
                        update.error,
                    )
                result.receipts.append(update)

    def _message_to_inbound(
        self, message: dict[str, Any], contacts: list[dict[str, Any]]
    ) -> Inbound | None:
        message_id = str(message.get("id") or "")
        kind = str(message.get("type") or "unknown")
        for error in _list(message.get("errors")):
            log.warning(
                "WhatsApp message %s carries an error: %s", message_id, _describe_error(error)
            )
        if "group_id" in message:
            log.info(
                "WhatsApp group message %s ignored (the bot serves one citizen per chat)",
                message_id,
            )
            return None
        chat_id, sender_name = _sender(message, contacts)
        if not message_id or not chat_id:
            log.warning("WhatsApp message without id or sender ignored (type %s)", kind)
            return None
        if kind in IGNORED_KINDS:
            log.info("WhatsApp %s message %s needs no answer; ignored", kind, message_id)
            return None
        base: dict[str, Any] = {
            "key": ConversationKey(CHANNEL, chat_id),
            "message_id": message_id,
            "sender_id": chat_id,
            "sender_name": sender_name,
            "timestamp": _timestamp(message.get("timestamp")),
        }
        content = _get(message, kind)
        if kind == "text":
            return Inbound(**base, text=str(_get(content, "body") or ""))
        if kind == "interactive":
            reply_kind = _get(content, "type")
            reply = _get(content, reply_kind) if isinstance(reply_kind, str) else None
            reply_id = _get(reply, "id")
            if reply_kind in ("button_reply", "list_reply") and reply_id:
                # Like the web chat: a tap carries the payload only, never text to interpret.
                return Inbound(**base, payload=str(reply_id))
            return Inbound(**base, unsupported=f"interactive:{reply_kind or 'unknown'}")
        if kind == "button":  # a quick-reply button of a template message
            payload = str(_get(content, "payload") or "")
            label = str(_get(content, "text") or "")
            return Inbound(**base, payload=payload, text="" if payload else label)
        if kind in ("image", "document"):
            media_id = str(_get(content, "id") or "")
            if not media_id:
                return Inbound(**base, unsupported=kind)
            attachment = Attachment(
                kind="photo" if kind == "image" else "document",
                ref=MEDIA_REF_PREFIX + media_id,
                file_name=str(_get(content, "filename") or ""),
                mime_type=str(_get(content, "mime_type") or "").split(";")[0].strip(),
            )
            return Inbound(**base, attachments=(attachment,))
        if kind == "location":
            return Inbound(
                **base,
                location=Location(
                    latitude=float(content["latitude"]),
                    longitude=float(content["longitude"]),
                    name=str(content.get("name") or ""),
                    address=str(content.get("address") or ""),
                ),
            )
        if kind == "contacts":
            contact = _first_contact(content)
            if contact is None:
                return Inbound(**base, unsupported="contacts")
            return Inbound(**base, contact=contact)
        return Inbound(**base, unsupported=kind if kind in UNSUPPORTED_KINDS else "unknown")

    # -- media ------------------------------------------------------------------------------

    async def fetch_attachment(self, attachment: Attachment, max_bytes: int) -> bytes:
        if not attachment.ref.startswith(MEDIA_REF_PREFIX):
            raise ValueError(f"not a WhatsApp media reference: {attachment.ref!r}")
        media_id = attachment.ref.removeprefix(MEDIA_REF_PREFIX)
        media = await self.client.get_media_url(media_id)
        if media.file_size and int(media.file_size) > max_bytes:
            raise FileRejected("too_large")
        data = bytearray()
        async for chunk in self.client.stream_media(media.url):
            data += chunk
            if len(data) > max_bytes:
                raise FileRejected("too_large")
        return bytes(data)

    # -- sending ----------------------------------------------------------------------------

    async def send(
        self, key: ConversationKey, message: Outbound, context: SendContext | None = None
    ) -> Delivered:
        to = key.chat_id
        if context is not None and not _in_window(context.last_inbound_at):
            if message.template:
                return await self._send_template(to, message)
            raise DeliveryError("outside the 24-hour window", permanent=True, code="outside_window")
        try:
            return await self._send_free_form(to, message)
        except wa_errors.WhatsAppError as exc:
            error = _delivery_error(exc)
            if error.permanent:
                self._progress.pop((to, _fingerprint(message)), None)
            if exc.code == REENGAGEMENT and message.template:
                log.info("WhatsApp window closed for %s; sending template instead", key)
                return await self._send_template(to, message)
            raise error from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"network error: {type(exc).__name__}") from None

    async def _send_template(self, to: str, message: Outbound) -> Delivered:
        template = self._templates.get(message.template)
        if template is None:
            raise DeliveryError(
                f"no WhatsApp template configured for {message.template!r} "
                f"(add whatsapp.templates.{message.template} to config.yaml)",
                permanent=True,
                code="no_template",
            )
        params: list[dict[str, Any]] | None = None
        if message.template_params:
            params = [
                {
                    "type": "body",
                    "parameters": [
                        {"type": "text", "text": _template_param(p)}
                        for p in message.template_params
                    ],
                }
            ]
        try:
            sent = await self.client.send_template(
                to=to,
                name=template.name,
                language=TemplateLanguage(template.language),
                params=params,
            )
        except wa_errors.WhatsAppError as exc:
            raise _delivery_error(exc) from None
        except httpx.HTTPError as exc:
            raise DeliveryError(f"network error: {type(exc).__name__}") from None
        return Delivered(sent.id)

    async def _send_free_form(self, to: str, message: Outbound) -> Delivered:
        """Send the message's parts in order, resuming after the parts a failed try delivered.

        A long answer is several WhatsApp messages; a rate limit (131056 is exactly "too many
        messages to one user") may stop it half way, and the outbox then retries the whole
        Outbound. Remembering how far it got (in this process) keeps the citizen from reading the
        first parts twice.
        """
        parts = self._plan(to, message)
        progress_key = (to, _fingerprint(message))
        done, primary = self._progress.get(progress_key, (0, ""))
        last = ""
        for index, part in enumerate(parts):
            if index < done:
                continue
            wamid = await part.send()
            last = wamid
            if part.primary:
                primary = wamid
            self._progress[progress_key] = (index + 1, primary)
            while len(self._progress) > MAX_PROGRESS_ENTRIES:
                self._progress.pop(next(iter(self._progress)))
        self._progress.pop(progress_key, None)
        return Delivered(primary or last)

    def _plan(self, to: str, message: Outbound) -> list[_Part]:
        if message.kind == OutboundKind.DOCUMENT and message.document_ref:
            return self._plan_document(to, message)
        buttons = message.buttons
        text = message.text.strip()
        if not buttons:
            return self._texts(to, split_text(text) or ["-"])
        if len(buttons) > MAX_LIST_ROWS or not _unique([b.payload for b in buttons]):
            return self._texts(to, split_text(numbered_text(message)))
        # Interactive bodies are shorter than plain texts: what does not fit goes first, as text.
        chunks = split_text(text, MAX_INTERACTIVE_BODY) if text else []
        body = chunks.pop() if chunks else (shorten(message.list_title, 60) or "👇")
        parts = self._texts(to, split_text("\n\n".join(chunks))) if chunks else []
        reply_titles = [shorten(b.title, MAX_BUTTON_TITLE) for b in buttons]
        use_buttons = (
            len(buttons) <= MAX_REPLY_BUTTONS
            and not message.as_list
            and _distinguishable(reply_titles, [b.title for b in buttons])
            and all(len(b.payload) <= MAX_BUTTON_ID for b in buttons)
        )
        if use_buttons:
            reply_buttons = [
                WaButton(title=t, callback_data=b.payload)
                for t, b in zip(reply_titles, buttons, strict=True)
            ]
            return [*parts, _Part(self._message_sender(to, body, reply_buttons), primary=True)]
        if any(len(b.payload) > MAX_ROW_ID for b in buttons):
            return self._texts(to, split_text(numbered_text(message)))
        rows = []
        for b in buttons:
            title = shorten(b.title, MAX_ROW_TITLE)
            full = " ".join(b.title.split())
            description = shorten(full, MAX_ROW_DESCRIPTION) if title != full else None
            rows.append(SectionRow(title=title, callback_data=b.payload, description=description))
        label = message.list_title or "Menu"
        section_list = SectionList(
            button_title=shorten(label, MAX_LIST_BUTTON),
            sections=[Section(title=shorten(label, MAX_SECTION_TITLE), rows=rows)],
        )
        return [*parts, _Part(self._message_sender(to, body, section_list), primary=True)]

    def _message_sender(
        self, to: str, text: str, buttons: list[WaButton] | SectionList | None = None
    ) -> Callable[[], Awaitable[str]]:
        async def send() -> str:
            sent = await self.client.send_message(to=to, text=text, buttons=buttons)
            return str(sent.id)

        return send

    def _texts(self, to: str, chunks: list[str]) -> list[_Part]:
        return [_Part(self._message_sender(to, chunk)) for chunk in chunks]

    def _plan_document(self, to: str, message: Outbound) -> list[_Part]:
        if self._files is None:
            raise DeliveryError("WhatsApp channel not started (no file store)")
        files = self._files
        digest = message.document_ref.removeprefix("sha256:")
        try:
            data = files.read(digest)
        except (OSError, ValueError):
            raise DeliveryError(
                f"document {message.document_ref} not in the file store", permanent=True
            ) from None
        text = message.text.strip()
        caption: str | None = text or None
        parts: list[_Part] = []
        if text and len(text) > MAX_CAPTION:
            parts += self._texts(to, split_text(text))
            caption = None

        async def send_document() -> str:
            sent = await self.client.send_document(
                to=to,
                document=data,
                filename=message.document_name or "dokumen.pdf",
                caption=caption,
                mime_type=message.document_mime or "application/pdf",
            )
            return str(sent.id)

        parts.append(_Part(send_document, primary=True))
        if message.buttons:
            # A document carries no choices on WhatsApp; offer them right after it.
            follow_up = Outbound(message.list_title or "👇", buttons=message.buttons)
            parts += [dataclasses.replace(p, primary=False) for p in self._plan(to, follow_up)]
        return parts


@dataclass(frozen=True, slots=True)
class _Part:
    """One WhatsApp message of an Outbound; `send` returns its wamid."""

    send: Callable[[], Awaitable[str]]
    # The message whose receipts matter (the buttons, the document), not a preceding text part.
    primary: bool = False


# ---------------------------------------------------------------------------------------------
# Helpers


def _get(obj: Any, key: str) -> Any:
    return obj.get(key) if isinstance(obj, dict) else None


def _list(obj: Any) -> list[Any]:
    return obj if isinstance(obj, list) else []


def _fingerprint(message: Outbound) -> str:
    data = json.dumps(message.to_json(), sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(data).hexdigest()


def _unique(values: list[str]) -> bool:
    return len(set(values)) == len(values)


def _distinguishable(shortened: list[str], originals: list[str]) -> bool:
    """Can the citizen still tell the shortened titles apart?

    "Sudah, sejak…" next to "Sudah, sejak 2021 atau sesudahnya" cannot be told apart; such
    options go into a list message instead, whose rows show the full text as a description.
    """
    if not _unique(shortened):
        return False
    full = [" ".join(o.split()) for o in originals]
    for i, title in enumerate(shortened):
        if not title.endswith("…"):
            continue
        stem = title.removesuffix("…")
        if any(j != i and other.startswith(stem) for j, other in enumerate(full)):
            return False
    return True


def _in_window(last_inbound_at: datetime | None) -> bool:
    if last_inbound_at is None:
        return False
    return datetime.now(UTC) - _aware(last_inbound_at) < SERVICE_WINDOW


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def _sender(message: dict[str, Any], contacts: list[dict[str, Any]]) -> tuple[str, str]:
    """(chat id, display name): the phone number (wa_id) when known, else the BSUID."""
    wa_id = str(message.get("from") or "")
    bsuid = str(message.get("from_user_id") or "")
    contact: dict[str, Any] | None = None
    for c in contacts:
        if (wa_id and c.get("wa_id") == wa_id) or (bsuid and c.get("user_id") == bsuid):
            contact = c
            break
    if contact is None and len(contacts) == 1:
        contact = contacts[0]
    if contact is not None:
        wa_id = wa_id or str(contact.get("wa_id") or "")
        bsuid = bsuid or str(contact.get("user_id") or "")
    name = str(_get(_get(contact, "profile"), "name") or "")
    return (wa_id or bsuid), name


def _first_contact(content: Any) -> Contact | None:
    for card in _list(content):
        for phone in _list(_get(card, "phones")):
            number = str(_get(phone, "phone") or _get(phone, "wa_id") or "").strip()
            if number:
                name = _get(card, "name")
                return Contact(
                    phone=number,
                    name=str(_get(name, "formatted_name") or _get(name, "first_name") or ""),
                )
    return None


def _describe_error(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)[:200]
    details = _get(error.get("error_data"), "details") or ""
    title = error.get("title") or error.get("message") or ""
    return f"{error.get('code')}: {title}" + (f" ({details})" if details else "")


def _retry_after(exc: wa_errors.WhatsAppError, default: float) -> float:
    response = exc.raw_response
    if response is not None:
        header = response.headers.get("Retry-After", "")
        try:
            return max(float(header), 0.0)
        except ValueError:
            pass
    return default


def _delivery_error(exc: wa_errors.WhatsAppError) -> DeliveryError:
    code = exc.code
    reason = f"WhatsApp error {code}: {exc.message}"[:500]
    if code in RATE_LIMIT_CODES:
        return DeliveryError(
            reason, retry_after=_retry_after(exc, RATE_LIMIT_CODES[code]), code=str(code)
        )
    if code in AUTH_CODES:
        # Nothing will get through until an operator replaces the token: say so loudly.
        log.error(
            "WhatsApp refused our access token (error %s): replace whatsapp.access_token "
            "(SIKETAN__WHATSAPP__ACCESS_TOKEN) with a valid permanent token",
            code,
        )
        return DeliveryError(reason, permanent=True, code=str(code))
    if code in TRANSIENT_CODES or exc.is_transient or (exc.status_code or 0) >= 500:
        return DeliveryError(reason, code=str(code))
    return DeliveryError(reason, permanent=True, code=str(code))


def build_whatsapp_channel(settings: Settings) -> WhatsAppChannel:
    wa = settings.whatsapp
    return WhatsAppChannel(
        phone_number_id=wa.phone_number_id,
        access_token=wa.access_token.get_secret_value(),
        app_secret=wa.app_secret.get_secret_value(),
        verify_token=wa.verify_token.get_secret_value(),
        api_version=wa.api_version,
        graph_api_base_url=wa.graph_api_base_url,
        templates=wa.templates,
        timeout=wa.request_timeout_seconds,
    )
