"""All tables. Importing this package registers every model on `Base.metadata`."""

from storage.models.applications import (
    Application,
    ApplicationDocument,
    ApplicationStatusChange,
    ReferenceCounter,
    SurveyResponse,
)
from storage.models.appointments import (
    Appointment,
    AppointmentDay,
    AppointmentService,
    AppointmentSlot,
)
from storage.models.base import Base
from storage.models.confirmations import RiskConfirmation
from storage.models.console import AuditEntry, CannedReply, ConsoleSession, Handoff, Officer
from storage.models.conversations import (
    Conversation,
    OutboxMessage,
    ProcessedInbound,
    TranscriptMessage,
    WebchatSession,
)
from storage.models.rechecks import ApplicationRecheck
from storage.models.reports import ReportSetting, RequirementCheck
from storage.models.rules import KbliCatalogVersion, KbliCorrespondenceTable, RuleSetVersion

__all__ = [
    "Application",
    "ApplicationDocument",
    "ApplicationRecheck",
    "ApplicationStatusChange",
    "Appointment",
    "AppointmentDay",
    "AppointmentService",
    "AppointmentSlot",
    "AuditEntry",
    "Base",
    "CannedReply",
    "ConsoleSession",
    "Conversation",
    "Handoff",
    "KbliCatalogVersion",
    "KbliCorrespondenceTable",
    "Officer",
    "OutboxMessage",
    "ProcessedInbound",
    "ReferenceCounter",
    "ReportSetting",
    "RequirementCheck",
    "RiskConfirmation",
    "RuleSetVersion",
    "SurveyResponse",
    "TranscriptMessage",
    "WebchatSession",
]
