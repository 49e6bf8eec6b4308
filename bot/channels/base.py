"""The one contract every channel adapter implements, and the shared `receive()`.

The path of platform input is the same for every channel:

1. `verify(headers, body)`: is this really the platform? Checked before anything is parsed
   (before the body is even read where the platform allows it: `verifies_body = False`).
2. `parse(body)` -> `Received`: channel-neutral `Inbound` messages (attachments as references to
   the platform's file, not bytes), delivery receipts, and what could not be read.
3. `ChannelContext.receive(channel, received)`: the platform's courtesy steps (`acknowledge`),
   receipts recorded, each attachment fetched through the adapter and checked, the pipeline run.

An adapter never mounts routes: the web layer (`bot/web/`) adapts HTTP to the framework-free
functions of `bot/channels/webhook.py`, and polling loops call `receive` themselves. The outbox
calls `send`; failures are `DeliveryError`, so the outbox can tell a temporary problem (retry
with backoff, honouring `retry_after`) from a permanent one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dialogs.messages import Attachment, ConversationKey, Inbound, Outbound
from storage.files import FileRejected, FileStore

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Capabilities:
    max_text: int = 4096
    max_buttons: int = 10  # above this, options degrade to numbered text
    max_list_rows: int = 0  # 0: no list messages
    button_title_max: int = 64
    documents: bool = True
    # True when the client fetches replies itself (web chat, terminal): no push needed.
    pull_delivery: bool = False


@dataclass(frozen=True, slots=True)
class Delivered:
    platform_message_id: str = ""


class DeliveryError(Exception):
    def __init__(
        self,
        reason: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        blocked: bool = False,
        code: str = "",
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent or blocked
        self.retry_after = retry_after
        self.blocked = blocked  # the citizen blocked the bot: never send again
        self.code = code


@dataclass(frozen=True, slots=True)
class SendContext:
    """What the outbox knows about the conversation when it sends."""

    last_inbound_at: datetime | None = None  # WhatsApp's 24-hour customer-service window
    conversation_id: int | None = None


@dataclass(frozen=True, slots=True)
class DeliveryReceipt:
    """The platform's report on a message we sent (`platform_message_id` from `Delivered`)."""

    platform_message_id: str
    status: str  # sent | delivered | read | failed | ...
    error: str = ""
    recipient_id: str = ""


@dataclass(frozen=True, slots=True)
class Received:
    """Everything one authentic platform request (or one polled update) carried.

    Adapters with courtesy steps of their own (Telegram answers a tapped button) subclass it to
    carry what those steps need; `receive` hands it back to the adapter's `acknowledge`.
    """

    inbounds: tuple[Inbound, ...] = ()
    receipts: tuple[DeliveryReceipt, ...] = ()


class Channel(ABC):
    name: str
    capabilities: Capabilities = Capabilities()
    # False: `verify` needs only the headers, so a forged request is refused unread.
    verifies_body: bool = True
    # The largest request body the platform sends this adapter (webhooks): bigger is refused.
    max_body: int = 1024 * 1024

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Is this request really from the platform? Checked before anything is parsed."""
        return True

    def challenge(self, params: Mapping[str, str]) -> str | None:
        """A webhook subscription check (WhatsApp's GET): the text to echo, or None to refuse."""
        return None

    def parse(self, body: bytes) -> Received:
        """Turn one authentic platform request into channel-neutral values (maybe none)."""
        return Received()

    async def acknowledge(self, received: Received) -> None:
        """The platform's own courtesy steps for this request, before the pipeline runs."""
        return None

    def working_on(self, inbound: Inbound) -> contextlib.AbstractAsyncContextManager[None]:
        """Held while the pipeline handles `inbound` (Telegram shows "typing...")."""
        return contextlib.nullcontext()

    @abstractmethod
    async def send(
        self, key: ConversationKey, message: Outbound, context: SendContext | None = None
    ) -> Delivered:
        """Deliver one message, rendered in the platform's terms; raise DeliveryError."""

    async def fetch_attachment(self, attachment: Attachment, max_bytes: int) -> bytes:
        """Download an attachment's bytes.

        Raise `storage.files.FileRejected("too_large")` past `max_bytes` (without reading on).
        """
        raise NotImplementedError(f"{self.name} does not carry files")

    async def start(self, context: ChannelContext) -> None:
        """Start receiving (polling loops, webhook registration); keep `context` to use it."""
        return None

    async def stop(self) -> None:
        return None


@dataclass
class ReceiveOutcome:
    ok: bool = True  # False: part of it failed on our side; the platform should deliver it again
    results: list[Any] = field(default_factory=list)  # the pipeline's result per inbound handled


@dataclass
class ChannelContext:
    """Given to every channel at start: where received messages go, and the file store."""

    # Runs the pipeline for one message; returns bot.pipeline.HandleResult.
    handle_inbound: Callable[[Inbound], Awaitable[Any]]
    files: FileStore
    # (platform_message_id, status, error) -> None; for platform delivery receipts.
    record_delivery: Callable[[str, str, str], Awaitable[None]]

    async def receive(self, channel: Channel, received: Received) -> ReceiveOutcome:
        """Run what one request carried. Not `ok` when part of it failed on our side (database
        down): the platform should deliver it again, and the pipeline drops what it has seen."""
        await channel.acknowledge(received)
        outcome = ReceiveOutcome()
        for receipt in received.receipts:
            try:
                await self.record_delivery(
                    receipt.platform_message_id, receipt.status, receipt.error
                )
            except Exception:
                log.exception(
                    "could not record the %s receipt for %s", channel.name, receipt.status
                )
                outcome.ok = False
        for inbound in received.inbounds:
            try:
                async with channel.working_on(inbound):
                    inbound = await self.fetch_files(channel, inbound)
                    outcome.results.append(await self.handle_inbound(inbound))
            except Exception:
                log.exception("%s message %s failed", channel.name, inbound.message_id)
                outcome.ok = False
        return outcome

    async def fetch_files(self, channel: Channel, inbound: Inbound) -> Inbound:
        """The inbound with each attachment fetched through its adapter and kept, checked."""
        if all(a.sha256 or a.error for a in inbound.attachments):
            return inbound  # nothing to fetch: kept already (web chat uploads) or refused
        checked = [
            a if (a.sha256 or a.error) else await _fetch(channel, a, self.files)
            for a in inbound.attachments
        ]
        return dataclasses.replace(inbound, attachments=tuple(checked))


async def _fetch(channel: Channel, attachment: Attachment, files: FileStore) -> Attachment:
    """The attachment kept in the file store (`ref` = `sha256:...`), or with `error` saying why
    not. Every channel goes through here, so the size and type rules are the same everywhere."""
    if attachment.size is not None and attachment.size > files.max_bytes:
        return dataclasses.replace(attachment, error="too_large")
    try:
        data = await channel.fetch_attachment(attachment, files.max_bytes)
    except FileRejected as exc:
        return dataclasses.replace(attachment, error=exc.reason)
    except Exception:
        log.exception("could not download a %s attachment from %s", attachment.kind, channel.name)
        return dataclasses.replace(attachment, error="download_failed")
    try:
        stored = await files.store_bytes(data, attachment.file_name or attachment.kind)
    except FileRejected as exc:
        return dataclasses.replace(attachment, error=exc.reason, size=len(data))
    return dataclasses.replace(
        attachment,
        ref=f"sha256:{stored.sha256}",
        mime_type=stored.mime_type,
        size=stored.size,
        file_name=stored.file_name,
    )
