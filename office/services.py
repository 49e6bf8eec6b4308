"""The office's services as one value the composition root builds and hands to the console."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialogs.office_hours import OfficeHours
from office.appointments import AppointmentOffice
from office.confirmations import ConfirmationService
from office.handoff import HandoffService
from office.live import LiveHub
from office.notifications import Notifications
from office.receipts import PdfReceiptWriter
from office.rechecks import RecheckService
from office.status import StatusService
from storage.files import FileStore

__all__ = ["Office"]


@dataclass(frozen=True)
class Office:
    """Everything an officer's action needs: built once by `bot.app.build_app`.

    Reports (`office.reports`) are plain functions over a session from `sessions`, so a caller
    can put its own audit row in the same transaction.
    """

    sessions: async_sessionmaker[AsyncSession]
    hub: LiveHub
    files: FileStore
    hours: OfficeHours
    notifications: Notifications
    handoff: HandoffService
    status: StatusService
    receipts: PdfReceiptWriter
    rechecks: RecheckService
    confirmations: ConfirmationService
    appointments: AppointmentOffice | None = None  # MPP counter appointments (issue 18)
