"""What the dialogs need from stored data, as small interfaces the storage layer implements.

The composition root builds a `DialogRepos` per turn (bound to the turn's transaction) and puts it
in `Turn.repos`; dialog tests can pass any object with these methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from permit_rules import RuleSet

STATUSES = ("submitted", "in_review", "needs_revision", "processing", "completed", "rejected")
# The names officers see in the console and reports (citizens get the texts catalog's words).
STATUS_LABELS: dict[str, str] = {
    "submitted": "Diajukan",
    "in_review": "Diperiksa",
    "needs_revision": "Perlu perbaikan",
    "processing": "Diproses",
    "completed": "Selesai",
    "rejected": "Ditolak",
}


@dataclass(frozen=True, slots=True)
class Owner:
    """The chat identity an application belongs to; only it sees the application in the chat."""

    channel: str
    chat_id: str


@dataclass(frozen=True, slots=True)
class DocumentIn:
    kind: str
    ref: str  # sha256:<hex>
    mime: str = ""
    size: int | None = None
    file_name: str = ""


@dataclass(frozen=True, slots=True)
class NewApplication:
    owner: Owner
    locale: str
    applicant: dict[str, Any]
    business: dict[str, Any]
    location: dict[str, Any]
    kbli: str
    kbli_version: str  # e.g. "KBLI2025": a code is never stored without its version
    kbli_title: str
    decision: dict[str, Any]
    rule_set_version: int
    due_date: date
    documents: tuple[DocumentIn, ...] = ()


@dataclass(frozen=True, slots=True)
class ApplicationView:
    reference: str
    status: str
    status_note: str
    kbli: str
    kbli_version: str
    kbli_title: str
    business_name: str
    rule_set_version: int
    due_date: date
    created_at: datetime
    permit_number: str = ""
    result_document: str = ""
    applicant: dict[str, Any] = field(default_factory=dict)
    business: dict[str, Any] = field(default_factory=dict)
    location: dict[str, Any] = field(default_factory=dict)
    decision: dict[str, Any] = field(default_factory=dict)
    document_kinds: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredDocument:
    ref: str  # sha256:<hex>
    name: str
    mime: str


@dataclass(frozen=True, slots=True)
class SurveyAnswer:
    service: str
    reference: str
    ratings: dict[str, int]
    comment: str


@dataclass(frozen=True, slots=True)
class RequirementCheck:
    """One requirements answer the guide gave (counted in the admin reports)."""

    owner: Owner
    kbli: str
    kbli_version: str
    rule_set_version: int
    scale: str | None
    risk_level: str | None
    needs_officer: bool


class RuleSource(Protocol):
    async def active(self) -> tuple[int, RuleSet]:
        """The published rule-set version in force and its rules."""
        ...


class ApplicationRepository(Protocol):
    async def create(self, application: NewApplication) -> ApplicationView:
        """Store the application with a new unique reference (SKT-<year>-<6 digits>)."""
        ...

    async def find(self, reference: str, owner: Owner) -> ApplicationView | None:
        """The application if it exists AND belongs to `owner`; otherwise None."""
        ...

    async def list_for(self, owner: Owner, limit: int = 5) -> list[ApplicationView]: ...

    async def attach_receipt(self, reference: str, document_ref: str) -> None: ...

    async def resubmit(
        self,
        reference: str,
        owner: Owner,
        *,
        changes: dict[str, dict[str, Any]],
        documents: tuple[DocumentIn, ...],
        note: str,
    ) -> ApplicationView | None:
        """Apply a citizen's revision (section -> field -> value, replaced documents) and move
        the application from needs_revision back to submitted, with a history row."""
        ...

    async def save_survey(self, owner: Owner, answer: SurveyAnswer) -> None: ...


class CheckLog(Protocol):
    async def record(self, check: RequirementCheck) -> None: ...


class ReceiptWriter(Protocol):
    async def write(self, application: ApplicationView, locale: str) -> StoredDocument:
        """Render the receipt (tanda terima) and keep it in the file store."""
        ...


@dataclass
class DialogRepos:
    rules: RuleSource
    applications: ApplicationRepository
    receipts: ReceiptWriter
    checks: CheckLog | None = None
