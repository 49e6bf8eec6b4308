"""How an `Outbound` goes out on WhatsApp, as a plan of parts (one WhatsApp message each).

Text split at 4096; up to 3 distinguishable options as reply buttons, up to 10 as a list message,
numbered text beyond that; documents from the file store with their caption, and their choices
right after them. Knows nothing of errors or retries.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pywa.types.callback import Button as WaButton
from pywa.types.callback import Section, SectionList, SectionRow
from pywa_async.client import WhatsApp

from bot.channels.base import DeliveryError
from bot.channels.text import shorten
from bot.channels.text import split_text as fit_text
from dialogs.messages import Button, Outbound, OutboundKind, numbered_text
from storage.files import FileStore

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


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split at paragraph, line or sentence boundaries into chunks of at most `limit`."""
    return fit_text(text, limit)


@dataclass(frozen=True, slots=True)
class Part:
    """One WhatsApp message of an Outbound; `send` returns its wamid."""

    send: Callable[[], Awaitable[str]]
    # The message whose receipts matter (the buttons, the document), not a preceding text part.
    primary: bool = False


class Planner:
    def __init__(self, client: WhatsApp) -> None:
        self._client = client
        self.files: FileStore | None = None  # set when the channel starts

    def plan(self, to: str, message: Outbound) -> list[Part]:
        if message.kind == OutboundKind.DOCUMENT and message.document_ref:
            return self._document(to, message)
        buttons = message.buttons
        if not buttons:
            return self._texts(to, split_text(message.text.strip()) or ["-"])
        if len(buttons) > MAX_LIST_ROWS or not _unique([b.payload for b in buttons]):
            return self._texts(to, split_text(numbered_text(message)))
        # Interactive bodies are shorter than plain texts: what does not fit goes first, as text.
        text = message.text.strip()
        chunks = split_text(text, MAX_INTERACTIVE_BODY) if text else []
        body = chunks.pop() if chunks else (shorten(message.list_title, 60) or "👇")
        parts = self._texts(to, split_text("\n\n".join(chunks))) if chunks else []
        choices = _reply_buttons(message) or _section_list(message)
        if choices is None:
            return self._texts(to, split_text(numbered_text(message)))
        return [*parts, Part(self._sender(to, body, choices), primary=True)]

    def _sender(
        self, to: str, text: str, buttons: list[WaButton] | SectionList | None = None
    ) -> Callable[[], Awaitable[str]]:
        async def send() -> str:
            sent = await self._client.send_message(to=to, text=text, buttons=buttons)
            return str(sent.id)

        return send

    def _texts(self, to: str, chunks: list[str]) -> list[Part]:
        return [Part(self._sender(to, chunk)) for chunk in chunks]

    def _document(self, to: str, message: Outbound) -> list[Part]:
        data = self._document_bytes(message.document_ref)
        text = message.text.strip()
        caption: str | None = text or None
        parts: list[Part] = []
        if text and len(text) > MAX_CAPTION:
            parts += self._texts(to, split_text(text))
            caption = None

        async def send_document() -> str:
            sent = await self._client.send_document(
                to=to,
                document=data,
                filename=message.document_name or "dokumen.pdf",
                caption=caption,
                mime_type=message.document_mime or "application/pdf",
            )
            return str(sent.id)

        parts.append(Part(send_document, primary=True))
        if message.buttons:
            # A document carries no choices on WhatsApp; offer them right after it.
            follow_up = Outbound(message.list_title or "👇", buttons=message.buttons)
            parts += [dataclasses.replace(p, primary=False) for p in self.plan(to, follow_up)]
        return parts

    def _document_bytes(self, ref: str) -> bytes:
        if self.files is None:
            raise DeliveryError("WhatsApp channel not started (no file store)")
        try:
            return self.files.read(ref.removeprefix("sha256:"))
        except (OSError, ValueError):
            raise DeliveryError(f"document {ref} not in the file store", permanent=True) from None


def _reply_buttons(message: Outbound) -> list[WaButton] | None:
    buttons = message.buttons
    titles = [shorten(b.title, MAX_BUTTON_TITLE) for b in buttons]
    if (
        len(buttons) > MAX_REPLY_BUTTONS
        or message.as_list
        or not _distinguishable(titles, [b.title for b in buttons])
        or any(len(b.payload) > MAX_BUTTON_ID for b in buttons)
    ):
        return None
    return [
        WaButton(title=t, callback_data=b.payload) for t, b in zip(titles, buttons, strict=True)
    ]


def _section_list(message: Outbound) -> SectionList | None:
    if any(len(b.payload) > MAX_ROW_ID for b in message.buttons):
        return None
    label = message.list_title or "Menu"
    return SectionList(
        button_title=shorten(label, MAX_LIST_BUTTON),
        sections=[
            Section(
                title=shorten(label, MAX_SECTION_TITLE), rows=[_row(b) for b in message.buttons]
            )
        ],
    )


def _row(button: Button) -> SectionRow:
    title = shorten(button.title, MAX_ROW_TITLE)
    full = " ".join(button.title.split())
    description = shorten(full, MAX_ROW_DESCRIPTION) if title != full else None
    return SectionRow(title=title, callback_data=button.payload, description=description)


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
