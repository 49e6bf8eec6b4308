"""What the console's routes need, kept on `web.state.console` by `mount_console` (one place).

Routes reach it through `console.deps.state(request)`: no closures over the server's objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from itsdangerous import URLSafeSerializer
from jinja2 import Environment

from console.settings import ConsoleSettings

if TYPE_CHECKING:
    from office import Office


@dataclass(frozen=True, slots=True)
class ConsoleState:
    office: Office  # the office's operations: sessions, handoff, status, hub, files, hours
    settings: ConsoleSettings
    signer: URLSafeSerializer  # signs sign-in and login-form cookies
    templates: Environment

    @property
    def session_lifetime(self) -> timedelta:
        return timedelta(hours=self.settings.session_hours)
