"""The channel-neutral message model.

Every channel adapter turns platform input into one `Inbound` and renders each `Outbound` in its
platform's terms. Dialogs only ever see these values, so they run the same on every channel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True)
class ConversationKey:
    channel: str  # webchat | terminal | telegram | whatsapp
    chat_id: str

    def __str__(self) -> str:
        return f"{self.channel}:{self.chat_id}"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file the citizen sent.

    Adapters fetch and check the bytes before the pipeline runs (see `bot/channels/base.py`):
    `ref` is then `sha256:<hex>` in the file store, or `error` says why the file was refused
    (`too_large`, `wrong_type`, `empty`, `download_failed`) so the dialog can say so politely.
    """

    kind: str  # photo | document | other
    ref: str
    file_name: str = ""
    mime_type: str = ""
    size: int | None = None
    error: str = ""

    @property
    def sha256(self) -> str:
        return self.ref.removeprefix("sha256:") if self.ref.startswith("sha256:") else ""


@dataclass(frozen=True, slots=True)
class Contact:
    phone: str
    name: str = ""


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float
    name: str = ""
    address: str = ""


@dataclass(frozen=True, slots=True)
class Inbound:
    key: ConversationKey
    message_id: str  # the platform's id: used to drop redeliveries
    text: str = ""
    payload: str = ""  # button payload, when the citizen tapped a button
    sender_id: str = ""
    sender_name: str = ""
    attachments: tuple[Attachment, ...] = ()
    contact: Contact | None = None
    location: Location | None = None
    # kind of platform input the dialogs cannot use (sticker, voice, ...); answered politely
    unsupported: str = ""
    timestamp: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["key"] = str(self.key)
        data["timestamp"] = self.timestamp.isoformat() if self.timestamp else None
        return data


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str


class OutboundKind(StrEnum):
    TEXT = "text"
    DOCUMENT = "document"
    REQUEST_FILE = "request_file"
    REQUEST_CONTACT = "request_contact"


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to the citizen. Buttons are quick replies; `as_list` asks for a menu/list."""

    text: str
    buttons: tuple[Button, ...] = ()
    kind: OutboundKind = OutboundKind.TEXT
    as_list: bool = False
    list_title: str = ""
    # For documents: a file-store hash and a file name; the adapter uploads it.
    document_ref: str = ""
    document_name: str = ""
    document_mime: str = ""
    author: str = "bot"  # bot | officer | system
    # Notifications outside a conversation turn (status changes) may need a WhatsApp template.
    template: str = ""
    template_params: tuple[str, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outbound:
        return cls(
            text=str(data.get("text", "")),
            buttons=tuple(
                Button(str(b["title"]), str(b["payload"])) for b in data.get("buttons", ())
            ),
            kind=OutboundKind(data.get("kind", "text")),
            as_list=bool(data.get("as_list", False)),
            list_title=str(data.get("list_title", "")),
            document_ref=str(data.get("document_ref", "")),
            document_name=str(data.get("document_name", "")),
            document_mime=str(data.get("document_mime", "")),
            author=str(data.get("author", "bot")),
            template=str(data.get("template", "")),
            template_params=tuple(str(p) for p in data.get("template_params", ())),
            meta={str(k): str(v) for k, v in dict(data.get("meta", {})).items()},
        )


def numbered_text(message: Outbound) -> str:
    """Text fallback for a platform without buttons: options become numbered lines."""
    if not message.buttons:
        return message.text
    lines = [message.text, ""] if message.text else []
    lines += [f"{i}. {b.title}" for i, b in enumerate(message.buttons, start=1)]
    return "\n".join(lines)
