"""All tables. Importing this package registers every model on `Base.metadata`."""

from storage.models.base import Base
from storage.models.conversations import (
    Conversation,
    OutboxMessage,
    ProcessedInbound,
    TranscriptMessage,
    WebchatSession,
)

__all__ = [
    "Base",
    "Conversation",
    "OutboxMessage",
    "ProcessedInbound",
    "TranscriptMessage",
    "WebchatSession",
]
