"""The channel adapter interface that every platform implements.

An adapter never mounts routes: the web layer calls `verify` and `parse` with what it received,
and the outbox calls `send`. Failures are reported as `DeliveryError` so the outbox can tell a
temporary problem (retry with backoff, honouring `retry_after`) from a permanent one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storage.files import FileStore

from dialogs.messages import Attachment, ConversationKey, Inbound, Outbound


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


@dataclass
class ChannelContext:
    """Given to every channel at start: how to hand over inbound messages and record facts."""

    # Runs the pipeline for one message; returns bot.pipeline.HandleResult.
    handle_inbound: Callable[[Inbound], Awaitable[Any]]
    files: FileStore
    # (platform_message_id, status, error) -> None; for platform delivery receipts.
    record_delivery: Callable[[str, str, str], Awaitable[None]]


class Channel(ABC):
    name: str
    capabilities: Capabilities = Capabilities()

    def verify(self, headers: Mapping[str, str], body: bytes) -> bool:
        """Is this request really from the platform? Checked before anything is parsed."""
        return True

    def parse(self, body: bytes) -> Sequence[Inbound]:
        """Turn one platform request into channel-neutral messages (may be none)."""
        return ()

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
